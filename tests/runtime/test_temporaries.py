"""A field visit given a temporary counts nothing: nothing in the tree holds it.

A method that reads a field through ``getattr(self, "x", None)`` gets the class's
attribute when the instance has none (a bound method, made anew for each read), and a
property or a computed expression gives a fresh object too. Such a value is not memory
the object holds, and walking it met objects of the tree a second time through the
references it made (``IPv4Network.hosts`` of the marked standard library counted each
network twice on the compiled engine). Every field visit, through a straight-line
method or one the runtime records, skips it with one warning per class and field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from allocative import FlameGraphBuilder, FlameGraphOutput, Visitor, size_of
from allocative._refcounts import TEMPORARY
from tests.runtime.conftest import traced

pytestmark = pytest.mark.accuracy


def warned(output: FlameGraphOutput, message: str) -> bool:
    """Whether ``message`` is one of the warnings (a repeated one ends with its count)."""
    return any(w == message or w.startswith(f"{message} (") for w in output.warnings)


def graph(obj: object) -> FlameGraphOutput:
    builder = FlameGraphBuilder()
    builder.visit_root(obj)
    return builder.finish()


class Network:
    """The shape of ``ipaddress.IPv4Network`` marked: ``hosts`` is a method of the class,
    and an attribute of only some instances."""

    def __init__(self, i: int, single: bool) -> None:
        self.address = f"10.0.{i}.0"
        self.prefix = [i, 24]
        if single:
            self.hosts = self.__iter__  # type: ignore[method-assign]

    def __iter__(self) -> Any:
        return iter([self.address])

    def hosts(self) -> list[str]:
        return [self.address]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("address", self.address)
        visitor.visit_list("prefix", self.prefix, int)
        visitor.visit_field("hosts", getattr(self, "hosts", None))


class Recorded(Network):
    """The same fields through a method the runtime records (it is not straight-line)."""

    def __allocative__(self, visitor: Visitor) -> None:
        if self.address:
            visitor.visit_str("address", self.address)
        visitor.visit_list("prefix", self.prefix, int)
        visitor.visit_field("hosts", getattr(self, "hosts", None))


@pytest.mark.parametrize("cls", [Network, Recorded])
def test_a_class_attribute_read_through_getattr_counts_nothing(cls: type[Network]) -> None:
    """Each network once, to the byte: the bound method the class gives is not counted, and
    one made by ``__init__`` and held by the instance is."""
    networks, built = traced(lambda: [cls(i, single=i % 3 == 0) for i in range(3000)])
    output = graph(networks)
    assert size_of(networks) == output.total_size == built
    assert warned(output, f"{cls.__name__}.hosts: {TEMPORARY}")
    held = sum(1 for stack in output.folded().splitlines() if ";hosts;method " in stack)
    assert held == 1  # the held bound methods, under one stack


class Item:
    """An object of the tree that temporaries below refer to."""

    def __init__(self, i: int) -> None:
        self.label = f"item-{i:04d}"

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("label", self.label)


def _measure_len(value: Any, visitor: Visitor) -> None:
    visitor.visit_simple("len", len(value))


TEMPORARIES: dict[str, Callable[[Any, Visitor], None]] = {
    "visit_field": lambda box, v: v.visit_field("view", list(box.items)),
    "visit_str": lambda box, v: v.visit_str("view", "+".join(i.label for i in box.items)),
    "visit_int": lambda box, v: v.visit_int("view", 10**30 + len(box.items)),
    "visit_float": lambda box, v: v.visit_float("view", len(box.items) / 7),
    "visit_bytes": lambda box, v: v.visit_bytes("view", b"x" * len(box.items)),
    "visit_list": lambda box, v: v.visit_list("view", list(box.items)),
    "visit_tuple": lambda box, v: v.visit_tuple("view", tuple(box.items)),
    "visit_set": lambda box, v: v.visit_set("view", set(box.items)),
    "visit_dict": lambda box, v: v.visit_dict("view", {i.label: i for i in box.items}),
    "visit_opaque": lambda box, v: v.visit_opaque("view", list(box.items)),
    "visit_field_with": lambda box, v: v.visit_field_with("view", list(box.items), _measure_len),
}


class Box:
    """Items, and a view of them made by the method with the visit under test."""

    def __init__(self, visit: str) -> None:
        self.items = [Item(i) for i in range(50)]
        self.visit = visit

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_list("items", self.items)
        visitor.visit_str("visit", self.visit)
        TEMPORARIES[self.visit](self, visitor)


class Plain:
    """The same fields, no view."""

    def __init__(self, items: list[Item], visit: str) -> None:
        self.items = items
        self.visit = visit

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_list("items", self.items)
        visitor.visit_str("visit", self.visit)


@pytest.mark.parametrize("visit", list(TEMPORARIES))
def test_every_field_visit_skips_a_temporary(visit: str) -> None:
    """A computed view of the tree, given to any field visit, counts nothing and meets
    nothing twice: the total is the tree's, with and without the view."""
    box = Box(visit)
    output = graph(box)
    assert output.total_size == size_of(box) == size_of(Plain(box.items, box.visit))
    assert warned(output, f"Box.view: {TEMPORARY}")
    assert not any(";view" in stack for stack in output.folded().splitlines())


class Local:
    """A method that keeps what it made in a local variable before visiting it."""

    def __init__(self) -> None:
        self.items = [Item(i) for i in range(10)]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_list("items", self.items)
        made = [0.5] * 10
        visitor.visit_list("made", made, float)


def test_a_local_variable_is_held_by_the_method_and_still_counted() -> None:
    """What the rule cannot see: a temporary kept in a local variable looks held (its count
    has the local's reference), so it is counted, as before; the warning is not given."""
    output = graph(Local())
    assert "Local;made;list" in {line.rsplit(" ", 1)[0] for line in output.folded().splitlines()}
    assert not any(TEMPORARY in warning for warning in output.warnings)
