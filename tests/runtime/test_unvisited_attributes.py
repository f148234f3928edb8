"""Nothing vanishes: attributes a method did not visit are measured under their names.

After an instance's ``__allocative__`` returns, every attribute it holds that
the method did not visit (and did not declare ``skip``) is measured under
``Class;attr;...`` with one warning per class and attribute. Objects are
matched by identity, so nothing counts twice; instances without a method are
named the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from allocative import FlameGraphBuilder, FlameGraphOutput, Visitor, opaque, size_of
from tests.runtime.conftest import traced

pytestmark = pytest.mark.accuracy


def graph(obj: object) -> FlameGraphOutput:
    builder = FlameGraphBuilder()
    builder.visit_root(obj)
    return builder.finish()


def stacks(output: FlameGraphOutput) -> dict[str, int]:
    pairs = (line.rsplit(" ", 1) for line in output.folded().splitlines())
    return {stack: int(size) for stack, size in pairs}


def text(prefix: str, n: int) -> str:
    """A string made at run time (a constant expression would be shared and interned)."""
    return f"{prefix}-" * n


def exact(build: Callable[[], Any]) -> tuple[Any, FlameGraphOutput]:
    """``build()`` 30 times to settle the classes' shared keys (their first few dozen
    instances get bigger values arrays), then once traced: size_of and the graph agree."""
    keep = [build() for _ in range(30)]
    value, built = traced(build)
    output = graph(value)
    assert size_of(value) == output.total_size == built
    del keep
    return value, output


def unvisited(cls: str, attr: str, method: str | None = None) -> str:
    return (
        f"{cls}.{attr} is not visited by {method or cls}.__allocative__; measured by its "
        "run-time type; rerun allocative-gen or mark it skip"
    )


class Service:
    """The issue's lazily set cache: generated before ``warm`` existed."""

    def __init__(self, name: str) -> None:
        self.name = name

    def warm(self) -> None:
        self.cache = {f"key-{i}": [i + 0.5] * 10 for i in range(1000)}

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)


def test_lazily_set_attribute_is_measured_and_named() -> None:
    """The issue's 893 KB cache: counted under ``Service;cache``, with one warning."""

    def build() -> list[Service]:
        services = [Service(f"svc-{i}") for i in range(3)]
        services[0].warm()
        return services

    services, output = exact(build)
    found = stacks(output)
    assert found["list;Service;cache;dict;value;list"] == 1000 * (56 + 10 * 8)
    assert found["list;Service;cache;dict;key;str"] == sum(map(str.__sizeof__, services[0].cache))
    assert output.warnings == [unvisited("Service", "cache")]


def test_one_warning_per_class_and_attribute_with_a_count() -> None:
    """1,000 instances with the same unvisited attribute give one warning and its count."""
    services = [Service(f"svc-{i}") for i in range(1000)]
    for service in services:
        service.cache = {"k-1": [1.5]}
    assert graph(services).warnings == [f"{unvisited('Service', 'cache')} (1,000 times)"]


class SlotsAndDict:
    """The issue's ``__slots__`` with ``__dict__``: two slots visited, one more attribute."""

    __slots__ = ("__dict__", "a", "b")

    def __init__(self, n: int) -> None:
        self.a = text("a", n)
        self.b = text("b", n)
        self.extra = [text("e", n) for _ in range(20)]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("a", self.a)
        visitor.visit_str("b", self.b)


def test_attribute_beside_slots_is_measured() -> None:
    """The issue's 832 B measured of 3,472 B: now exact, the extra list named."""
    _, output = exact(lambda: [SlotsAndDict(20) for _ in range(3)])
    found = stacks(output)
    assert found["list;SlotsAndDict;extra;list;str"] == 3 * 20 * str.__sizeof__(text("e", 20))
    assert output.warnings == [f"{unvisited('SlotsAndDict', 'extra')} (3 times)"]


@dataclasses.dataclass
class Order:
    """A field added after its method was generated (the method visits only ``id``)."""

    id: int
    lines: list[str]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_int("id", self.id)


def test_field_added_without_regenerating_is_measured() -> None:
    """A stale generated method loses nothing; the warning says to rerun the generator."""
    orders, output = exact(lambda: [Order(10**6 + i, [f"line-{i}"] * 3) for i in range(50)])
    found = stacks(output)
    assert found["list;Order;lines;list;str"] == sum(str.__sizeof__(o.lines[0]) for o in orders)
    assert output.warnings == [f"{unvisited('Order', 'lines')} (50 times)"]


class SetAnyHow:
    """Attributes the generator cannot see: unpacking, branches, ``setattr``, helpers."""

    def __init__(self, n: int, flag: bool) -> None:
        self.a, self.b = text("a", n), text("b", n)
        if flag:
            self.c = [text("c", n)]
        setattr(self, "d", (text("d", n), text("e", n), text("g", n)))  # noqa: B010
        self._helper(n)

    def _helper(self, n: int) -> None:
        self.f = {text("f", n): n + 0.5}

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("a", self.a)


def test_attributes_set_in_any_way_are_measured() -> None:
    """Whatever code set an attribute, it is measured under its own name."""
    _, output = exact(lambda: [SetAnyHow(10, flag=i % 2 == 0) for i in range(4)])
    found = stacks(output)
    for stack in ("b;str", "c;list;str", "d;tuple;str", "f;dict;key;str", "f;dict;value;float"):
        assert f"list;SetAnyHow;{stack}" in found
    assert output.warnings == [
        f"{unvisited('SetAnyHow', 'b')} (4 times)",
        f"{unvisited('SetAnyHow', 'c')} (2 times)",
        f"{unvisited('SetAnyHow', 'd')} (4 times)",
        f"{unvisited('SetAnyHow', 'f')} (4 times)",
    ]


class Node:
    """A back-reference declared ``skip``, as allocative-gen writes it."""

    def __init__(self, name: str, parent: Node | None) -> None:
        self.name = name
        self.parent = parent
        self.children: list[Node] = []

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)
        visitor.skip("parent")
        visitor.visit_list("children", self.children, None)


def test_skip_fields_are_not_measured_and_not_warned() -> None:
    """``visitor.skip(name)`` keeps a back-reference out of the measurement, silently."""
    settled = [Node(f"node-{i}", None) for i in range(64)]  # young instances are bigger
    root = Node("root-node", None)
    child = Node("child-node", root)
    root.children.append(child)
    orphan = Node("child-node", None)
    del settled
    output = graph(child)
    assert size_of(child) == output.total_size == size_of(orphan)
    assert output.warnings == []
    assert not any("parent" in stack for stack in stacks(output))


class Private:
    """A private attribute visited under its declared name, as allocative-gen writes it."""

    def __init__(self) -> None:
        self.__secret = [text("s", 30)]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_list("__secret", getattr(self, "_Private__secret"), str)  # noqa: B009


class Renamed:
    """A hand-written method that visits an attribute under another frame name."""

    def __init__(self) -> None:
        self._items = [text("i", 30), text("j", 30)]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_list("items", self._items, str)


@pytest.mark.parametrize(("cls", "attribute"), [(Private, "_Private__secret"), (Renamed, "_items")])
def test_attribute_visited_under_another_name_is_counted_once(cls: type, attribute: str) -> None:
    """Mangled names match their declared form; a renamed visit is matched by identity."""
    _, output = exact(lambda: [cls() for _ in range(3)])
    assert output.warnings == []
    assert not any(attribute in stack for stack in stacks(output))


class Conditional:
    """A hand-written method that visits a field on some instances only."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.cache = [text("c", 30) for _ in range(5)]

    def __allocative__(self, visitor: Visitor) -> None:
        if self.enabled:
            visitor.visit_list("cache", self.cache, str)


def test_a_method_with_conditions_is_checked_on_every_instance() -> None:
    """Whatever the first instance visited, a later one's unvisited field still counts."""
    _, output = exact(lambda: [Conditional(i == 0) for i in range(4)])
    found = stacks(output)
    assert found["list;Conditional;cache;list;str"] == 4 * 5 * str.__sizeof__(text("c", 30))
    assert output.warnings == [f"{unvisited('Conditional', 'cache')} (3 times)"]


@opaque
class Handle:
    """An opaque class: its own storage only, whatever attributes it has."""

    def __init__(self, n: int) -> None:
        self.buffer = [text("b", 30)] * n


def test_opaque_instances_count_their_storage_only() -> None:
    """``@opaque`` is respected: no attribute is measured, nothing is warned."""
    handles = [Handle(i % 2 * 10) for i in range(64)]  # the last two have settled storage
    output = graph(handles[-2])
    assert output.warnings == []
    assert all("buffer" not in stack for stack in stacks(output))
    assert size_of(handles[-2]) == size_of(handles[-1]) == output.total_size


class Leaf:
    """An unmarked class."""

    def __init__(self, label: str) -> None:
        self.label = label


class Tree:
    """An unmarked class holding unmarked instances."""

    def __init__(self, n: int) -> None:
        self.leaves = [Leaf(f"leaf-{i}") for i in range(n)]


def test_unmarked_instances_are_named_attribute_by_attribute() -> None:
    """The issue's ``Tree;leaves;list;Leaf;label;str``, not ``Tree;list;Leaf;str``."""
    tree, output = exact(lambda: Tree(10))
    found = stacks(output)
    assert found["Tree;leaves;list;Leaf;label;str"] == sum(
        str.__sizeof__(leaf.label) for leaf in tree.leaves
    )
    assert "Tree;list" not in found
    assert [w.split(";")[0] for w in output.warnings] == [
        "Leaf: no __allocative__",
        "Tree: no __allocative__",
    ]


class Materialised:
    """An instance whose ``__dict__`` someone asked for (so it exists as an object)."""

    def __init__(self) -> None:
        self.a = text("a", 30)
        self.late = [text("l", 30)]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("a", self.a)


def test_unvisited_attribute_in_a_materialised_dict_is_measured() -> None:
    """The attributes of an existing ``__dict__`` object are read from it by name."""

    def build() -> list[Materialised]:
        items = [Materialised() for _ in range(3)]
        for item in items:
            vars(item)
        return items

    _, output = exact(build)
    assert "list;Materialised;late;list;str" in stacks(output)
    assert output.warnings == [f"{unvisited('Materialised', 'late')} (3 times)"]
