"""A typed dict's entries are counted inline by run-time type, each object once.

The inline loop over ``dict.items()`` takes an entry with one owner without the
seen set; these pin that the bound it uses is right on every supported version:
an object two dicts share, or that a field and a dict share, is counted once.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

from allocative import FlameGraphBuilder, Visitor, size_of
from tests.runtime.conftest import traced

pytestmark = pytest.mark.accuracy

getsizeof = sys.getsizeof


class Two:
    """Two dicts and a field, all visited with typed calls."""

    __slots__ = ("first", "other", "second")

    def __init__(self, first: dict[Any, Any], second: dict[Any, Any], other: object) -> None:
        self.first, self.second, self.other = first, second, other

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_dict("first", self.first, str, None)
        visitor.visit_dict("second", self.second, str, None)
        visitor.visit_float("other", self.other)


def both(obj: object) -> tuple[int, int]:
    builder = FlameGraphBuilder()
    builder.visit_root(obj)
    return size_of(obj), builder.finish().total_size


def shared_entries() -> Two:
    key, number, big = "".join(["sha", "red"]), float("1.5"), int("1" * 30)
    first = {key: number, "n": big}
    second = {key: big, "m": number}
    return Two(first, second, number)


def exclusive_entries() -> Two:
    first = {"".join(["ke", "y1"]): float("1.5"), "n": int("1" * 30), "s": "".join(["v", "al"])}
    second = {"".join(["ke", "y2"]): float("2.5"), int("2" * 30): int("3" * 30)}
    return Two(first, second, float("3.5"))


@pytest.mark.parametrize("build", [shared_entries, exclusive_entries])
def test_typed_dict_entries_are_counted_once(build: Any) -> None:
    """Shared keys and values once, exclusive ones each: equal to what the build allocated."""
    value, built = traced(build)
    assert both(value) == (built, built)


def test_shared_entries_figure() -> None:
    """The shared build: two dict tables, one str, one float, one big int, the holder."""
    value = shared_entries()
    expected = (
        getsizeof(value)
        + getsizeof(value.first)
        + getsizeof(value.second)
        + getsizeof("shared")
        + getsizeof(1.5)
        + getsizeof(int("1" * 30))
    )
    assert both(value) == (expected, expected)
