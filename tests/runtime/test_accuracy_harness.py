"""The accuracy harness itself: why free lists must be drained before tracing."""

from __future__ import annotations

import tracemalloc

import pytest

from allocative import size_of
from tests.runtime.conftest import traced
from tests.runtime.test_accuracy_scalars import rt

pytestmark = pytest.mark.accuracy


def fifty_floats() -> list[float]:
    """A list of 50 floats made at run time (capacity 52 after the comprehension)."""
    return [rt(0.5) + i for i in range(50)]


def test_free_lists_hide_reused_objects_from_tracemalloc() -> None:
    """Floats taken from a filled float free list are never seen by tracemalloc."""
    junk = [rt(0.5) + i for i in range(200)]
    del junk
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    value = fifty_floats()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert size_of(value) - held >= 50 * 24


def test_drained_free_lists_make_the_count_exact() -> None:
    """With the helper, the same build is counted exactly: list, items array and floats."""
    junk = [rt(0.5) + i for i in range(200)]
    del junk
    value, held = traced(fifty_floats)
    assert size_of(value) == held == 56 + 52 * 8 + 50 * 24
