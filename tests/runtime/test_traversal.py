"""What a measurement counts: each object once, nothing unowned, any shape of graph."""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass
from typing import Any

import pytest

from allocative import FlameGraphBuilder, Visitor, size_of
from allocative._constants import CHANGED

getsizeof = sys.getsizeof


class Colour(enum.Enum):
    RED = "red"


@dataclass(slots=True)
class Node:
    """A slotted linked-list cell with a hand-written visit."""

    value: float
    next: Node | None

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_float("value", self.value)
        visitor.visit_field("next", self.next)


def folded_lines(obj: object, **roots: object) -> dict[str, int]:
    builder = FlameGraphBuilder()
    builder.visit_root(obj)
    for name, root in roots.items():
        builder.visit_root(root, name)
    return {
        line.rsplit(" ", 1)[0]: int(line.rsplit(" ", 1)[1])
        for line in builder.finish().folded().splitlines()
    }


def test_shared_object_is_counted_once() -> None:
    """An object reachable twice is counted at the first place met, once."""
    shared = [1000.5]
    tree = [shared, shared]
    expected = getsizeof(tree) + getsizeof(shared) + getsizeof(1000.5)
    assert size_of(tree) == expected


def test_objects_no_data_owns_count_zero() -> None:
    """None, bools, small ints, interned strings, classes, modules, functions, Enum members."""
    tree = [None, True, False, 7, -5, 256, "interned_name", "", "x", int, sys, len, Colour.RED]
    tree.append(test_objects_no_data_owns_count_zero)
    assert size_of(tree) == getsizeof(tree)


def test_large_int_and_fresh_string_are_counted() -> None:
    """Ints beyond the small-int cache and strings built at run time are owned data."""
    big = 10**30
    text = "".join(["run", "time", "string"])
    assert size_of([big, text]) == getsizeof([big, text]) + getsizeof(big) + getsizeof(text)


def test_cycle_is_measured_once() -> None:
    """A list that contains itself is its own size."""
    cycle: list[Any] = []
    cycle.append(cycle)
    assert size_of(cycle) == getsizeof(cycle)


def build_chain(length: int) -> Node:
    head = None
    for index in range(length):
        head = Node(float(index), head)
    assert head is not None
    return head


@pytest.mark.native
def test_million_long_chain_without_recursion() -> None:
    """A 1,000,000-long chain is measured with the recursion limit untouched."""
    limit = sys.getrecursionlimit()
    head = build_chain(1_000_000)
    per_node = getsizeof(head) + getsizeof(1.5)
    assert size_of(head) == 1_000_000 * per_node
    assert sys.getrecursionlimit() == limit


@pytest.mark.native
def test_million_long_chain_flame_graph_without_recursion() -> None:
    """The flame graph of a 1,000,000-long chain: the same total, folded at max_depth."""
    head = build_chain(1_000_000)
    builder = FlameGraphBuilder()
    builder.visit_root(head)
    output = builder.finish()
    assert output.total_size == size_of(head)
    assert output.warnings[-1].startswith("stacks deeper than 1000 frames were folded")


def test_deep_chain_flame_graph_is_folded_at_max_depth() -> None:
    """Stacks deeper than max_depth fold into the deepest frame, with a warning."""
    head = build_chain(5_000)
    builder = FlameGraphBuilder(max_depth=40)
    builder.visit_root(head)
    output = builder.finish()
    assert output.total_size == size_of(head)
    assert max(len(path) for path, _ in output.flamegraph.stacks()) == 40
    assert any("deeper than 40 frames" in warning for warning in output.warnings)


class Plain:
    """A class with neither __allocative__ nor slots: measured reflectively."""

    def __init__(self, items: list[str]) -> None:
        self.items = items


def test_unknown_type_is_measured_reflectively_with_one_warning() -> None:
    """Objects without __allocative__ still count, and their type is named once."""
    words = ["".join(["w", str(i)]) for i in range(20)]
    objs = [Plain(words[i : i + 2]) for i in range(0, 20, 2)]
    builder = FlameGraphBuilder()
    builder.visit_root(objs)
    output = builder.finish()
    assert output.total_size == size_of(objs)
    reflective = [w for w in output.warnings if "Plain" in w]
    instance_bytes = sum(size_of(obj) - size_of(obj.items) for obj in objs)
    assert reflective == [
        "Plain: no __allocative__; measured by its attributes "
        f"(10 objects, {instance_bytes:,} bytes)"
    ]
    assert size_of(objs) > getsizeof(objs) + 10 * getsizeof(Plain([]))


class Failing:
    """A class whose visit raises half-way."""

    def __init__(self) -> None:
        self.first = [1.5, 2.5]
        self.second = [3.5]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_field("first", self.first)
        raise ValueError("broken visit")


def test_failing_visit_warns_and_measures_the_rest() -> None:
    """A raising __allocative__ becomes a warning; the fields it did not reach get names."""
    obj = Failing()
    builder = FlameGraphBuilder()
    builder.visit_root(obj)
    output = builder.finish()
    lines = dict(
        (line.rsplit(" ", 1)[0], int(line.rsplit(" ", 1)[1]))
        for line in output.folded().splitlines()
    )
    assert lines["Failing;second;list"] == getsizeof(obj.second)
    assert lines["Failing;second;list;float"] == getsizeof(3.5)
    assert lines["Failing;first;list;float"] == 2 * getsizeof(1.5)
    assert output.warnings == [
        "Failing.__allocative__ raised ValueError: broken visit; "
        "Failing's attributes are measured by name"
    ]


class Unbalanced:
    """A hand-written visit that forgets an exit()."""

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.enter("arena", 100)
        visitor.visit_simple("slice", 40)


def test_unbalanced_enter_is_reported_and_closed() -> None:
    """A missing exit() is a warning; the frames it opened are closed for it."""
    builder = FlameGraphBuilder()
    builder.visit_root([Unbalanced(), Unbalanced()])
    output = builder.finish()
    lines = output.folded().splitlines()
    assert "list;Unbalanced;arena 200" in lines
    assert "list;Unbalanced;arena;slice 80" in lines
    assert output.warnings == [
        "Unbalanced: 1 enter() without exit(); the frames were closed for it (2 times)"
    ]


class MutatesOnSize:
    """A value whose __sizeof__ grows the dict being traversed, as another thread might."""

    def __init__(self, victim: dict[str, object]) -> None:
        self.victim = victim

    def __sizeof__(self) -> int:
        self.victim["".join(["late", str(len(self.victim))])] = 1.5
        return object.__sizeof__(self)


def test_mutation_during_traversal_is_a_warning_not_a_crash() -> None:
    """A dict changed during its traversal is reported and visited again from a copy."""
    victim: dict[str, object] = {}
    victim["a"] = MutatesOnSize(victim)
    victim["b"] = [2.5]
    builder = FlameGraphBuilder()
    builder.visit_root(victim)
    output = builder.finish()
    assert output.warnings[-1] == f"dict: {CHANGED}"
    lines = {
        line.rsplit(" ", 1)[0]: int(line.rsplit(" ", 1)[1]) for line in output.folded().splitlines()
    }
    assert lines["dict;value;list"] == getsizeof(victim["b"])
    assert lines["dict;value;float"] == getsizeof(1.5)  # the entry added meanwhile
    assert not any("[" in stack for stack in lines)


def report_slices(value: list[int], visitor: Visitor) -> None:
    visitor.visit_simple("slices", sum(value))


class Arena:
    """An arena whose slices are reported by a custom visit function."""

    def __init__(self) -> None:
        self.slices = [100, 200]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_field_with("slices", self.slices, report_slices)


def test_custom_visit_function_reports_non_object_memory() -> None:
    """visit_field_with runs the function inside the field's frame."""
    lines = folded_lines(Arena())
    assert lines["Arena;slices;slices"] == 300


def test_named_roots_merge_and_share_objects() -> None:
    """Roots with the same name merge; an object shared by two roots counts once."""
    shared = [2.5, 3.5]
    builder = FlameGraphBuilder()
    builder.visit_root([shared], "requests")
    builder.visit_root([shared], "requests")
    builder.visit_root(shared, "cache")
    output = builder.finish()
    lines = output.folded().splitlines()
    assert lines[0] == "requests " + str(2 * getsizeof([shared]))
    assert "cache" not in output.folded()
    assert output.total_size == size_of([[shared], [shared]]) - getsizeof([[shared], [shared]])


def test_global_roots_registry() -> None:
    """register_root adds a root that visit_global_roots measures under its name."""
    from allocative import register_root, unregister_root

    state = {"k": [1.5]}
    register_root(state, "state")
    try:
        builder = FlameGraphBuilder()
        builder.visit_global_roots()
        output = builder.finish()
    finally:
        unregister_root("state")
    assert all(line.startswith("state") for line in output.folded().splitlines())
    assert output.total_size == size_of(state)


def test_builder_cannot_be_reused_after_finish() -> None:
    """finish() releases the builder's state; a later visit is an error."""
    builder = FlameGraphBuilder()
    builder.finish()
    with pytest.raises(RuntimeError):
        builder.visit_root([])
