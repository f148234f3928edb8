"""Typed visits stay exact: shared objects once, lying annotations by run-time type."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from allocative import FlameGraphBuilder, Visitor, size_of

getsizeof = sys.getsizeof


class Holder:
    """Fields visited with the typed calls the generator emits."""

    __slots__ = ("f", "floats", "g", "i", "j", "mapping", "s", "t")

    def __init__(self, **fields: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, fields.get(name))

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_float("f", self.f)
        visitor.visit_float("g", self.g)
        visitor.visit_str("s", self.s)
        visitor.visit_str("t", self.t)
        visitor.visit_int("i", self.i)
        visitor.visit_int("j", self.j)
        visitor.visit_list("floats", self.floats, float)
        visitor.visit_dict("mapping", self.mapping, str, None)


def both(obj: object) -> tuple[int, int]:
    builder = FlameGraphBuilder()
    builder.visit_root(obj)
    return size_of(obj), builder.finish().total_size


def fresh_float(text: str) -> float:
    return float(text)


def test_object_shared_by_typed_fields_counts_once() -> None:
    """The same float, string and int in two typed fields are counted once each."""
    shared_f, shared_s, shared_i = fresh_float("1.25"), "".join(["sh", "ared"]), 10**6
    holder = Holder(f=shared_f, g=shared_f, s=shared_s, t=shared_s, i=shared_i, j=shared_i)
    expected = getsizeof(holder) + getsizeof(shared_f) + getsizeof(shared_s) + 32
    assert both(holder) == (expected, expected)


@pytest.mark.parametrize("length", [3, 40])
def test_float_shared_between_field_and_list_counts_once(length: int) -> None:
    """A float in a list[float] that a field also holds is counted once (small and bulk lists)."""
    shared = fresh_float("2.5")
    floats = [fresh_float(f"{i}.5") for i in range(length - 1)] + [shared]
    holder = Holder(f=shared, floats=floats)
    expected = getsizeof(holder) + getsizeof(floats) + length * getsizeof(2.5)
    assert both(holder) == (expected, expected)


@pytest.mark.parametrize("length", [3, 40])
def test_list_of_exclusive_floats(length: int) -> None:
    """Floats that only the list holds are all counted, in bulk or one by one."""
    floats = [fresh_float(f"{i}.25") for i in range(length)]
    holder = Holder(floats=floats)
    expected = getsizeof(holder) + getsizeof(floats) + length * getsizeof(2.5)
    assert both(holder) == (expected, expected)


def test_float_held_outside_the_tree_is_still_counted_once() -> None:
    """A reference from outside the tree only disables the shortcut; the count is unchanged."""
    outside = fresh_float("7.5")
    holder = Holder(f=outside)
    assert both(holder) == (getsizeof(holder) + 24,) * 2
    del outside


def test_dict_value_shared_with_field_counts_once() -> None:
    """A dict value that is also a typed field is counted at its first meeting only."""
    shared = fresh_float("3.75")
    holder = Holder(f=shared, mapping={"k": shared, "big": 10**7})
    expected = getsizeof(holder) + getsizeof(holder.mapping) + 24 + 32
    assert both(holder) == (expected, expected)


def test_lying_annotations_are_measured_by_run_time_type() -> None:
    """An int in a float field, None in a list[float], a list in a str field: all exact."""
    lying = Holder(f=10**9, g=None, s=[1.5, "x"], floats=[None, 2.5, "".join(["a", "b"])])
    expected = (
        getsizeof(lying)
        + 32
        + getsizeof(lying.s)
        + 24
        + getsizeof(lying.floats)
        + 24
        + getsizeof("ab")
    )
    assert both(lying) == (expected, expected)
