"""Measuring a thousand times leaks nothing: no traced byte, no reference (see ``leaks.py``)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from allocative import FlameGraphBuilder, retained_size, size_of
from allocative._engine import Engine
from tests.runtime.leaks import assert_no_leak

pytestmark = pytest.mark.native


@dataclass
class Record:
    name: str
    scores: list[float]
    tags: dict[str, str]


def tree() -> list[Record]:
    return [Record("".join(["r", str(i)]), [i / 3, i / 7], {"k": str(i * 1000)}) for i in range(5)]


def flame_graph(obj: object) -> str:
    builder = FlameGraphBuilder()
    builder.visit_root(obj)
    return builder.finish().folded()


def test_size_of_leaks_nothing(engine: Engine) -> None:
    """size_of on the same tree 1,000 times: memory and reference counts return."""
    records = tree()
    assert_no_leak(lambda: size_of(records), [records, records[0], records[0].scores])


def test_flame_graph_leaks_nothing(engine: Engine) -> None:
    """A flame graph of the same tree 1,000 times: memory and reference counts return."""
    records = tree()
    assert_no_leak(lambda: flame_graph(records), [records, records[0], records[0].tags])


def test_flame_graph_total_leaks_nothing(engine: Engine) -> None:
    """A flame graph read only for its total (its tree never built) 1,000 times leaks nothing."""
    records = tree()

    def total() -> int:
        builder = FlameGraphBuilder()
        builder.visit_root(records)
        return builder.finish().total_size

    assert_no_leak(total, [records, records[0], records[0].tags])


def test_retained_size_leaks_nothing(engine: Engine) -> None:
    """retained_size (its table holds a reference to each shared object) 1,000 times, with
    part of the tree held from outside: memory and reference counts return."""
    records = tree()
    outside = [records[1], records[2].scores]
    assert_no_leak(lambda: retained_size(records), [records, *outside, records[0].scores])


def test_address_set_leaks_nothing() -> None:
    """An AddressSet filled and dropped 1,000 times gives all its memory back."""
    core = pytest.importorskip("allocative._core", reason="the compiled engine is not built here")
    objects = [object() for _ in range(500)]

    def fill() -> None:
        addresses = core.AddressSet()
        for obj in objects:
            addresses.add(obj)

    assert_no_leak(fill, objects[:3])


def test_a_growing_cache_is_caught() -> None:
    """Memory kept by each call fails the check, with the bytes held."""
    kept: list[list[int]] = []
    with pytest.raises(AssertionError, match="traced bytes still held after 1000 calls"):
        assert_no_leak(lambda: kept.append([1, 2, 3]), [])


def test_a_kept_reference_is_caught() -> None:
    """A reference kept by each call fails the check, with the sample's counts."""
    sample = object()
    slots: list[object] = [None] * 1002
    index = itertools.count()

    def keep() -> None:
        slots[next(index)] = sample

    with pytest.raises(AssertionError, match=r"reference counts moved .*\(0, \d+, \d+\)"):
        assert_no_leak(keep, [sample])
