"""Exact bytes and spare capacity of containers against tracemalloc."""

from __future__ import annotations

import array
import collections
from collections.abc import Callable
from typing import Any

import pytest

from allocative import FlameGraphBuilder, size_of
from tests.runtime.conftest import by_version, traced
from tests.runtime.test_accuracy_scalars import rt

pytestmark = pytest.mark.accuracy

SAME = dict.fromkeys([(3, 11), (3, 12), (3, 13)])


def same(figure: int) -> dict[tuple[int, int], int]:
    """The same figure on every version."""
    return dict.fromkeys(SAME, figure)


def frames(value: object) -> dict[str, int]:
    """Folded stacks of ``value``'s flame graph, as ``{stack: bytes}``."""
    builder = FlameGraphBuilder()
    builder.visit_root(value)
    lines = builder.finish().folded().splitlines()
    return {stack: int(size) for stack, size in (line.rsplit(" ", 1) for line in lines)}


def floats(n: int) -> list[float]:
    """``n`` distinct floats made at run time."""
    return [rt(0.5) + i for i in range(n)]


def keys(n: int) -> list[str]:
    """``n`` distinct two-or-more-character strings made at run time."""
    return [f"k{i}" for i in range(rt(n))]


def dict_that_shrank() -> dict[str, None]:
    """A dict that held 1000 string keys and kept 10: its table keeps the tombstones."""
    d = dict.fromkeys(keys(1000))
    for key in list(d)[10:]:
        del d[key]
    return d


def set_that_shrank() -> set[float]:
    """A set that held 1000 floats and kept 10."""
    s = set(floats(1000))
    for item in list(s)[10:]:
        s.discard(item)
    return s


def deque_that_shrank() -> collections.deque[float]:
    """A deque that held 20 blocks of items and kept 64: it caches freed blocks."""
    d = collections.deque(floats(64 * 20))
    for _ in range(64 * 19):
        d.pop()
    return d


def grown_bytearray() -> bytearray:
    """A bytearray grown by appends, so it has spare room."""
    b = bytearray()
    for _ in range(rt(100)):
        b.append(65)
    return b


def grown_array() -> array.array[int]:
    """An array.array grown by appends, so it has spare room."""
    a = array.array("q")
    for i in range(rt(100)):
        a.append(i)
    return a


def counter() -> collections.Counter[str]:
    """A Counter over five distinct keys."""
    return collections.Counter(keys(5))


class Queue(collections.deque[float]):
    """A deque subclass: it caches freed blocks as a deque does."""


def queue_that_shrank() -> Queue:
    """A deque subclass that held 20 blocks of items and kept 64."""
    q = Queue(floats(64 * 20))
    for _ in range(64 * 19):
        q.pop()
    return q


# name: (build, {version: total bytes}, {version: unused_capacity bytes of the root})
CASES: dict[str, tuple[Callable[[], Any], dict[Any, int], dict[Any, int]]] = {
    "list exact": (lambda: [None] * rt(10), same(136), same(0)),
    "list over-allocated": (lambda: [None for _ in range(rt(10))], same(184), same(48)),
    "list of floats": (lambda: floats(1000), same(8856 + 24000), same(800)),
    "tuple": (lambda: (rt(1000) * 3, None, None), same(64 + 32), same(0)),
    "empty dict": (lambda: {}, same(64), same(0)),
    "dict of str keys": (
        lambda: dict.fromkeys(keys(5)),
        {(3, 11): 184 + 5 * 51, (3, 12): 184 + 5 * 43, (3, 13): 184 + 5 * 43},
        same(0),
    ),
    "dict of float keys": (
        lambda: dict.fromkeys(floats(6)),
        same(64 + 32 + 16 + 10 * 24 + 6 * 24),
        same(4 * 24),
    ),
    "dict that held 1000 keys and kept 10": (
        dict_that_shrank,
        {(3, 11): 26032 + 10 * 51, (3, 12): 26032 + 10 * 43, (3, 13): 26032 + 10 * 43},
        same((1365 - 10) * 16),
    ),
    "defaultdict": (
        lambda: collections.defaultdict(list, dict.fromkeys(keys(3))),
        {(3, 11): 72 + 120 + 3 * 51, (3, 12): 72 + 120 + 3 * 43, (3, 13): 72 + 120 + 3 * 43},
        same(2 * 16),
    ),
    "OrderedDict": (
        lambda: collections.OrderedDict.fromkeys(keys(5)),
        {(3, 11): 472 + 5 * 51, (3, 12): 472 + 5 * 43, (3, 13): 472 + 5 * 43},
        same(0),
    ),
    "Counter": (
        counter,
        {(3, 11): 208 + 5 * 51, (3, 12): 200 + 5 * 43, (3, 13): 200 + 5 * 43},
        same(0),
    ),
    "set of floats": (
        lambda: set(floats(5)),
        same(216 + 512 + 5 * 24),
        same(128 + (18 - 5) * 16),
    ),
    "small set": (lambda: set(floats(3)), same(216 + 3 * 24), same(16)),
    "set that held 1000 and kept 10": (
        set_that_shrank,
        same(216 + 2048 * 16 + 10 * 24),
        same(128 + (1228 - 10) * 16),
    ),
    "frozenset": (
        lambda: frozenset(floats(10)),
        same(216 + 512 + 10 * 24),
        same(128 + (18 - 10) * 16),
    ),
    "bytearray grown by appends": (grown_bytearray, same(56 + 118), same(17)),
    "array grown by appends": (grown_array, same(80 + 8 * 102), same(16)),
    "deque with cached free blocks": (
        deque_that_shrank,
        same(760 + 528 + 16 * 528 + 64 * 24),
        same(16 * 528 + (2 * 64 - 64) * 8),
    ),
    "deque subclass with cached free blocks": (
        queue_that_shrank,
        same(232 + 16 + 18 * 528 + 64 * 24),  # a deque struct and a managed-dict pre-header
        same(16 * 528 + (2 * 64 - 64) * 8),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_container_is_exact(name: str) -> None:
    """Each container kind: size_of equals tracemalloc's count, which is the pinned figure."""
    build, total, _ = CASES[name]
    value, held = traced(build)
    assert (size_of(value), held) == (by_version(total), by_version(total))


@pytest.mark.parametrize("name", list(CASES))
def test_unused_capacity_frame(name: str) -> None:
    """Each container's spare room is its ``unused_capacity`` frame, in pinned bytes."""
    build, total, unused = CASES[name]
    value = build()
    graph = frames(value)
    root = type(value).__name__
    assert graph.get(f"{root};unused_capacity", 0) == by_version(unused)
    assert sum(graph.values()) == by_version(total)
