"""Container elements are claimed, sized and expanded in one loop, runs of a type at a time.

Both visitors expand lists, tuples, sets and deques with ``_elements``: it
looks a kind up once per run of elements of one type, takes a fixed-size
type's size once per run, and counts an element that only its container holds
without the seen set (the refcount shortcut of typed visits, at the count
``for element in items`` gives). These tests pin that the figures stay exact.
"""

from __future__ import annotations

import collections
import sys
from typing import Any

import pytest

from allocative import FlameGraphBuilder, Visitor, _visitor, _walk, size_of
from allocative._constants import CHANGED
from allocative._refcounts import EXCLUSIVE_REFS
from allocative._visitor import PythonEngine
from tests.runtime.conftest import traced, warm

pytestmark = pytest.mark.accuracy


class Point:
    """A record with typed visits, like the generated ones."""

    def __init__(self, n: int) -> None:
        self.label = f"point-{n:05d}"
        self.n = n + 1000
        self.xs = [n + 0.5, n + 1.5]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("label", self.label)
        visitor.visit_int("n", self.n)
        visitor.visit_list("xs", self.xs, float)


class Slotted:
    """A record without an instance ``__dict__``: no values array."""

    __slots__ = ("name",)

    def __init__(self, n: int) -> None:
        self.name = f"slotted-{n:05d}"

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)


def total_graph(obj: object) -> int:
    builder = FlameGraphBuilder()
    builder.visit_root(obj)
    return builder.finish().total_size


def mixed(n: int) -> list[Any]:
    """Runs of records, other records and built-ins, each with one owner."""
    items: list[Any] = []
    for i in range(n):
        items += [Point(i), Point(i + n), Slotted(i), f"text-{i:05d}", i + 0.25, [i + 0.5]]
    return items


def test_runs_of_mixed_elements_match_tracemalloc() -> None:
    keep = [warm(Point, 0), warm(Slotted, 0)]
    obj, built = traced(lambda: mixed(20))
    assert size_of(obj) == total_graph(obj) == built
    del keep


@pytest.mark.parametrize("container", [list, tuple, collections.deque])
def test_shared_elements_are_counted_once(container: type) -> None:
    keep = warm(Point, 0)

    def build() -> Any:
        shared = Point(7)
        return container([Point(1), shared, shared, Point(8), Point(2), shared])

    obj, built = traced(build)
    assert size_of(obj) == total_graph(obj) == built
    del keep


@pytest.mark.skipif(not EXCLUSIVE_REFS, reason="the refcount shortcut is off on this interpreter")
def test_only_elements_with_one_owner_skip_the_seen_set() -> None:
    """Pins the count ``_elements`` expects: too low fills the seen set, too high double-counts."""
    shared = Point(3)
    items = [Point(1), shared, Point(2), shared]
    visitor = PythonEngine()
    visitor.measure(items)
    assert id(shared) in visitor._seen
    assert id(items[0]) not in visitor._seen
    assert id(items[2]) not in visitor._seen
    assert visitor._journal == []


class Appender:
    """Appends to the deque that holds it while it is visited, once."""

    def __init__(self, target: collections.deque[Any]) -> None:
        self.target = target

    def __allocative__(self, visitor: Visitor) -> None:
        if self.target:
            self.target.append(1.5 + len(self.target))
            self.target = collections.deque()


def mutated_deque() -> collections.deque[Any]:
    queue: collections.deque[Any] = collections.deque([Point(i) for i in range(5)])
    queue.append(Appender(queue))
    queue.extend(Point(i) for i in range(5, 8))
    return queue


def test_container_changed_after_elements_with_one_owner(monkeypatch: pytest.MonkeyPatch) -> None:
    """A container changed mid-walk is visited again from a copy; nothing counts twice."""
    keep = [warm(Point, 0), warm(Appender, collections.deque())]
    sizes = [size_of(mutated_deque()), total_graph(mutated_deque())]
    for module in (_walk, _visitor):
        for name in dir(module):
            if name.endswith("EXCLUSIVE_REFS"):
                monkeypatch.setattr(module, name, 0)
    without_shortcut = size_of(mutated_deque())
    assert sizes == [without_shortcut, without_shortcut]
    assert without_shortcut == size_of(mutated_deque())
    builder = FlameGraphBuilder()
    builder.visit_root(mutated_deque())
    assert f"deque: {CHANGED}" in builder.finish().warnings
    del keep


def test_element_count_seen_by_the_loop() -> None:
    """``for element in items`` holds the count a typed visit's parameter does."""
    counts = [sys.getrefcount(element) for element in [Point(0)]]
    if EXCLUSIVE_REFS:
        assert counts == [EXCLUSIVE_REFS]
