"""A cache that wastes spare capacity, the same cache after the fix, and ``allocative diff``.

Sessions grow their event lists by appends (lists over-allocate), their page
counters and the cache itself shrink by deletions (dicts never give their
tables back). The fix copies each list and dict once the session settles,
which sizes them to their contents. Run with ``python -m examples.cache_capacity [OUT_DIR]``;
it measures both, writes both flame graphs and runs ``allocative diff``.
"""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from allocative import FlameGraphBuilder, FlameGraphOutput, allocative
from examples._report import out_dir, report

if TYPE_CHECKING:
    from allocative import Visitor


@allocative
@dataclass
class Session:
    """What the cache keeps per user: the events seen and per-page visit counts."""

    user: str
    events: list[float]
    pages: dict[str, int]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("user", self.user)
        visitor.visit_list("events", self.events, float)
        visitor.visit_dict("pages", self.pages, str, int)


@allocative
@dataclass
class SessionCache:
    """Sessions by user id; old sessions are evicted."""

    sessions: dict[str, Session] = field(default_factory=dict)

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_dict("sessions", self.sessions, str, None)


PAGES = tuple(f"/page/{n}" for n in range(40))


def build_cache(users: int = 12_000, kept: int = 3_000, seed: int = 5) -> SessionCache:
    """A cache that saw ``users`` sessions and kept the last ``kept``, as it grew them."""
    rng = random.Random(seed)
    cache = SessionCache()
    for number in range(users):
        session = Session(f"user-{number:06d}", [], {})
        for _ in range(rng.randrange(5, 60)):
            session.events.append(rng.uniform(0, 1e6))
        for page in rng.sample(PAGES, 24):
            session.pages[page] = rng.randrange(1, 9)
        for page in list(session.pages)[3:]:
            del session.pages[page]
        cache.sessions[session.user] = session
    for user in list(cache.sessions)[: users - kept]:
        del cache.sessions[user]
    return cache


def compact(cache: SessionCache) -> SessionCache:
    """The fix: copy each settled list and dict, which sizes it to its contents."""
    for session in cache.sessions.values():
        session.events = session.events.copy()
        session.pages = dict(session.pages)
    cache.sessions = dict(cache.sessions)
    return cache


def measure(cache: SessionCache) -> FlameGraphOutput:
    """The cache's flame graph."""
    builder = FlameGraphBuilder()
    builder.visit_root(cache)
    return builder.finish()


def main(argv: list[str]) -> int:
    """Measure the cache before and after the fix, write both SVGs, and diff them."""
    folder = out_dir(argv)
    cache = build_cache()
    print("== before the fix ==")
    report(measure(cache), folder, "cache_before", "Session cache, before the fix", top=5)
    print("\n== after the fix ==")
    report(measure(compact(cache)), folder, "cache_after", "Session cache, after the fix", top=5)
    before, after, diff_svg = (
        folder / name for name in ("cache_before.folded", "cache_after.folded", "cache_diff.svg")
    )
    command = ["allocative", "diff", str(before), str(after), "-o", str(diff_svg)]
    print(f"\n== $ {' '.join(command)} ==")
    result = subprocess.run([sys.executable, "-m", *command], check=False)
    print(f"wrote {diff_svg}")
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
