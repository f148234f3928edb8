"""A check that repeating a measurement leaks nothing: no traced byte, no reference.

A leak in compiled code shows as memory that grows with the number of calls
or a reference count that drifts; one call hides a leak of a few bytes, a
thousand calls do not.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Sequence

from tests.runtime.conftest import tracing

TIMES = 1000
"""Calls per check: a leak of one 16-byte block per call shows as 16,000 bytes."""


def assert_no_leak(
    measure: Callable[[], object], samples: Sequence[object], times: int = TIMES
) -> None:
    """Call ``measure`` ``times`` times: traced memory and the samples' reference counts return.

    ``measure`` runs once first, untraced, so that one-time caches (lazy
    imports, a class's layout, interned names) are not counted. ``samples``
    are objects the measurement reads: a reference it keeps or drops shows in
    their counts.
    """
    measure()
    counts = [sys.getrefcount(sample) for sample in samples]
    with tracing() as held:
        for _ in itertools.repeat(None, times):  # no loop counter left holding an int
            measure()
    after = [sys.getrefcount(sample) for sample in samples]  # counted as before, no extra holder
    drift = [
        (index, *pair)
        for index, pair in enumerate(zip(counts, after, strict=True))
        if pair[0] != pair[1]
    ]
    assert held == [0], f"{held[0]} traced bytes still held after {times} calls"
    assert not drift, f"reference counts moved over {times} calls (sample, before, after): {drift}"
