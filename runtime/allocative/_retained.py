"""Retained size: the bytes that dropping the caller's last reference to a root would free.

An object of the tree is freed with its roots when every reference to it
comes from objects freed with them. The walk counts, for every object that
more than its owner might hold, the references the tree itself holds to it;
the interpreter's reference count says how many there are in all. An object
with more is held from outside, and so is everything it reaches. Three steps,
each a walk by the engine that measures:

1. measure the roots in reference mode: the total, and the objects held from
   outside (for a root, more references than the caller's own);
2. measure what those objects reach, together: the bytes that stay;
3. for a flame graph only, measure the roots again with everything step 2
   claimed excluded: the bytes that go, at their places; the rest of the full
   graph is what stays (``[shared]``).

"Outside" is any reference the walk did not meet: another variable or
container, a frame of the running code, a closure, a module global, an
object the engine does not look into (an opaque field, a C structure). Weak
references hold nothing. Objects the engine counts as the interpreter's
(interned strings, small ints, the empty tuple, types) count zero either way.
Reference counts are read only where the engines' gate trusts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from allocative import _engine
from allocative._flamegraph import FlameGraph
from allocative._gate import REFUSAL

SHARED: Final = "[shared]"
"""The frame under which a retained flame graph files the bytes that would stay."""


class RetainedSizeUnavailable(RuntimeError):
    """Reference counts cannot be trusted on this interpreter: no retained size is given."""


class ChangedWhileMeasured(RuntimeWarning):
    """The tree changed between the walks of one measurement (a lazily filled cache, another
    thread): the figure given is bounded (``0 <= retained <= total``) but not exact."""


@dataclass(frozen=True)
class Retention:
    """What measuring with reference counts found: every byte, and the bytes that stay."""

    total: int
    shared: int
    survivors: Any
    """The engine that measured the bytes that stay (its seen set excludes them later)."""

    @property
    def changed(self) -> bool:
        """Whether the walks disagree: more stays than the tree held when first walked."""
        return self.shared > self.total

    @property
    def retained(self) -> int:
        """The bytes that would be freed: never below 0, never above the total."""
        return min(max(self.total - self.shared, 0), self.total)


def changed_warning(retention: Retention) -> str:
    """What the caller is told when the walks of a retained measurement disagree."""
    return (
        f"retained: the tree changed while it was measured ({retention.shared:,} bytes stay, "
        f"of {retention.total:,} it held when first walked); the figure is a bound, not exact"
    )


def check_available() -> None:
    """Raise :class:`RetainedSizeUnavailable` where reference counts are not trusted."""
    if REFUSAL:
        raise RetainedSizeUnavailable(
            f"retained size needs exact reference counts, which are not read here: {REFUSAL}"
        )


def retention(
    roots: list[object], caller_refs: int, *, allocator_overhead: bool = False
) -> Retention:
    """Measure ``roots`` (steps 1 and 2 above).

    ``caller_refs`` is how many references to each root the caller's side holds
    in all (its variable, ``roots`` itself, the entry point's parameter): a root
    with more is held from outside. No local here names a root: that would be
    one reference more.
    """
    check_available()
    walk = _engine.new_engine(allocator_overhead=allocator_overhead, references=True)
    total = 0
    for index in range(len(roots)):
        total = walk.measure(roots[index])
    held, root_refs = walk._outside(roots)
    walk.release()
    held.extend(roots[index] for index, refs in enumerate(root_refs) if refs > caller_refs)
    stay = _engine.new_engine(allocator_overhead=allocator_overhead)
    shared = 0
    while held:
        shared = stay.measure(held.pop())
    return Retention(total, shared, stay)


def shared_size(graph: FlameGraph) -> int:
    """Bytes filed under ``[shared]`` frames anywhere in ``graph`` (0: not a retained graph)."""
    shared = 0
    pending = [graph]
    while pending:
        node = pending.pop()
        for key, child in node.children.items():
            if key == SHARED:
                shared += child.total_size
            else:
                pending.append(child)
    return shared


def retained_line(total: int, shared: int) -> str:
    """``retained 1.2 MB of 1.5 MB (20.0% held from outside)``."""
    from allocative._render.frames import human_bytes, share

    return (
        f"retained {human_bytes(total - shared)} of {human_bytes(total)} "
        f"({share(shared, total)} held from outside)"
    )


def file_shared(full: FlameGraph, freed: FlameGraph) -> tuple[FlameGraph, int]:
    """``freed`` with, under each root frame, a ``[shared]`` frame holding what ``full`` has
    beyond it, stack by stack; and the bytes that could not be placed so (0 unless the two
    walks met the objects that go in a different order).

    Both graphs come from walks of the same roots in the same order, the second with
    everything that stays excluded: what goes is filed at the same stacks in both.
    """
    unplaced = 0
    for key, root in full.children.items():
        shared = FlameGraph()
        pending = [(root, freed.children.get(key), shared)]
        while pending:
            whole, gone, into = pending.pop()
            stays = whole.self_size - (gone.self_size if gone is not None else 0)
            if stays < 0:
                unplaced -= stays
                stays = 0
            into.self_size = stays
            for name, child in whole.children.items():
                below = gone.children.get(name) if gone is not None else None
                pending.append((child, below, into.child(name)))
        _prune(shared)
        if shared.total_size:
            freed.child(key).children[SHARED] = shared
    return freed, unplaced


def _prune(graph: FlameGraph) -> None:
    """Remove the frames that hold no bytes, themselves or below."""
    from allocative._render.layout import totals

    sums = totals(graph)
    pending = [graph]
    while pending:
        node = pending.pop()
        node.children = {key: child for key, child in node.children.items() if sums[id(child)]}
        pending.extend(node.children.values())


def unplaced_warning(size: int) -> str:
    """The warning for bytes that stay but could not be filed at their stacks."""
    return (
        f"retained: {size:,} bytes that stay could not be placed in the graph (the tree "
        "changed between the walks); the [shared] frames are short by that much"
    )
