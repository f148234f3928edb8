"""A visit that raises part-way is measured reflectively without counting anything twice.

Typed visits count an object that has a single owner without entering it in
the seen set. When the visit that made them then raises, the reflective
re-visit of the object meets those fields again: they must not be counted a
second time, by ``size_of`` or by the flame graph, with or without that shortcut.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from allocative import FlameGraphBuilder, FlameGraphOutput, Visitor, _visitor, _walk, size_of
from tests.runtime.conftest import by_version, traced, warm

pytestmark = [pytest.mark.accuracy, pytest.mark.native]

getsizeof = sys.getsizeof
FAILED = "[visit failed]"


@pytest.fixture(params=["shortcut", "no_shortcut"])
def shortcut(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test with the refcount shortcut of typed visits on, then turned off."""
    if request.param == "no_shortcut":
        for module in (_walk, _visitor):
            for name in dir(module):
                if name.endswith("EXCLUSIVE_REFS"):
                    monkeypatch.setattr(module, name, 0)
    yield request.param


class Whole:
    """Two fields visited with typed calls."""

    def __init__(self, n: int = 100) -> None:
        self.a = "x" * n
        self.b = [n + 0.5, n + 1.5]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("a", self.a)
        visitor.visit_list("b", self.b, float)


class Half(Whole):
    """The same typed visits, then a failure."""

    def __allocative__(self, visitor: Visitor) -> None:
        super().__allocative__(visitor)
        raise ValueError("boom")


class HalfAndRest(Half):
    """A third field that only the reflective re-visit reaches."""

    def __init__(self, n: int = 100) -> None:
        super().__init__(n)
        self.c = "y" * n


def graph(obj: object) -> FlameGraphOutput:
    builder = FlameGraphBuilder()
    builder.visit_root(obj)
    return builder.finish()


def lines(output: FlameGraphOutput) -> dict[str, int]:
    pairs = (line.rsplit(" ", 1) for line in output.folded().splitlines())
    return {stack: int(size) for stack, size in pairs}


def measured(build: Callable[[], Any], *classes: type) -> tuple[Any, int, FlameGraphOutput]:
    """``build()``, the bytes tracemalloc saw it keep, and its flame graph; size_of agrees.

    ``classes`` are warmed first, so that their instances get settled values arrays.
    """
    keep = [warm(cls) for cls in classes]
    obj, built = traced(build)
    output = graph(obj)
    assert size_of(obj) == output.total_size == built
    del keep
    return obj, built, output


def boom(cls: type, method: type | None = None) -> str:
    """The warning when ``cls``'s method (written in class ``method``) raised."""
    owner = (method or cls).__qualname__
    return (
        f"{owner}.__allocative__ raised ValueError: boom; "
        f"{cls.__qualname__}'s attributes are measured by name"
    )


@pytest.mark.usefixtures("shortcut")
def test_failure_after_typed_visits_counts_each_field_once() -> None:
    """The same bytes and frames as without the failure, plus a warning."""
    _, built, output = measured(lambda: [Half()], Half)
    _, whole, whole_output = measured(lambda: [Whole()], Whole)
    assert built == whole == by_version({(3, 11): 421, (3, 12): 405, (3, 13): 413})
    assert output.warnings == [boom(Half)]
    assert output.folded() == whole_output.folded().replace("Whole", "Half")
    assert lines(output)["list;Half;a;str"] == getsizeof("x" * 100)


@pytest.mark.usefixtures("shortcut")
def test_failure_leaves_unvisited_fields_to_the_reflective_visit() -> None:
    """Fields visited before the failure stay where they were; the others get their names."""
    obj, built, output = measured(lambda: [HalfAndRest()], HalfAndRest)
    assert built == by_version({(3, 11): 578, (3, 12): 554, (3, 13): 562})
    assert output.warnings == [boom(HalfAndRest, Half)]
    found = lines(output)
    assert found["list;HalfAndRest;c;str"] == getsizeof(obj[0].c)
    assert found["list;HalfAndRest;a;str"] == getsizeof(obj[0].a)
    assert found["list;HalfAndRest;b;list;float"] == 2 * getsizeof(0.5)
    assert not any(FAILED in stack for stack in found)


class Pair:
    """A value with no ``__allocative__``, visited by a custom function."""

    __slots__ = ("floats", "s")

    def __init__(self, n: int) -> None:
        self.s = "p" * n
        self.floats = [n + 0.25, n + 0.75]


def visit_pair_then_fail(pair: Pair, visitor: Visitor) -> None:
    visitor.visit_str("s", pair.s)
    visitor.visit_list("floats", pair.floats, float)
    raise ValueError("boom")


class Custom:
    """A field visited with :meth:`Visitor.visit_field_with`."""

    def __init__(self, n: int = 100) -> None:
        self.pair = Pair(n)

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_field_with("pair", self.pair, visit_pair_then_fail)


@pytest.mark.usefixtures("shortcut")
def test_custom_visit_failing_part_way_counts_each_field_once() -> None:
    """After the custom visit raised, the value is visited by type; its visited fields once."""
    obj, built, output = measured(lambda: [Custom()], Custom)
    assert built == by_version({(3, 11): 461, (3, 12): 445, (3, 13): 453})
    pair = obj[0].pair
    found = lines(output)
    assert found["list;Custom;pair;[visit failed];Pair"] == getsizeof(pair)
    assert found["list;Custom;pair;s;str"] == getsizeof(pair.s)
    assert found["list;Custom;pair;floats;list"] == getsizeof(pair.floats)
    assert found["list;Custom;pair;floats;list;float"] == 2 * getsizeof(0.5)
    qualname = visit_pair_then_fail.__qualname__
    assert output.warnings == [
        f"Pair: no __allocative__; measured by its attributes (1 objects, {getsizeof(pair)} bytes)",
        f"{qualname}: custom visit raised ValueError: boom; "
        f"the value is measured by type under '{FAILED}'",
    ]


class Outer:
    """Typed fields around a nested object whose visit (or its own) may fail."""

    def __init__(self, inner: Whole | None = None, n: int = 100, fail: bool = False) -> None:
        self.name = "o" * n
        self.inner = inner if inner is not None else Whole(n)
        self.tail = [n + 0.125, n + 0.375]
        self.fail = fail

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)
        visitor.visit_field("inner", self.inner)
        visitor.visit_list("tail", self.tail, float)
        if self.fail:
            raise ValueError("boom")


@pytest.mark.usefixtures("shortcut")
def test_failure_inside_a_nested_object_counts_each_field_once() -> None:
    """The nested object's failure re-visits only its own fields; the outer visit goes on."""
    _, built, output = measured(lambda: [Outer(Half())], Outer, Half)
    _, whole, _ = measured(lambda: [Outer(Whole())], Outer, Whole)
    assert output.warnings == [boom(Half)]
    assert built == whole == by_version({(3, 11): 794, (3, 12): 762, (3, 13): 778})
    found = lines(output)
    assert found["list;Outer;tail;list;float"] == 2 * getsizeof(0.5)
    assert found["list;Outer;inner;Half;a;str"] == getsizeof("x" * 100)


@pytest.mark.usefixtures("shortcut")
def test_failure_after_a_nested_object_counts_each_field_once() -> None:
    """The outer visit fails after the nested one finished: neither is counted twice."""
    _, built, output = measured(lambda: [Outer(fail=True)], Outer, Whole)
    _, whole, _ = measured(lambda: [Outer()], Outer, Whole)
    assert output.warnings == [boom(Outer)]
    assert built == whole == by_version({(3, 11): 794, (3, 12): 762, (3, 13): 778})
    found = lines(output)
    assert not any(f"Outer;{FAILED};" in stack for stack in found)


class Straight:
    """A straight-line method that raises where an instance lacks ``tail``."""

    def __init__(self, n: int = 100, tail: bool = True) -> None:
        self.name = "s" * n + str(tail)
        self.items = [n + 0.5, n + 1.5]
        if tail:
            self.tail = [n + 2.5]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)
        visitor.enter("group")
        visitor.visit_list("items", self.items, float)
        visitor.visit_list("tail", self.tail, float)
        visitor.exit()


@pytest.mark.usefixtures("shortcut")
def test_failure_of_a_later_instance_counts_each_field_once() -> None:
    """The class's method ran to the end before (its later runs take the short path);
    an instance whose run raises is counted once, and the frame it left open is closed."""
    obj, built, output = measured(lambda: [Straight(), Straight(tail=False)], Straight)
    assert output.warnings == [
        "Straight.__allocative__ raised AttributeError: 'Straight' object has no attribute "
        "'tail'; Straight's attributes are measured by name"
    ]
    found = lines(output)
    assert found["list;Straight;group;items;list;float"] == 4 * getsizeof(0.5)
    assert found["list;Straight;group;tail;list;float"] == getsizeof(0.5)
    assert not any("group;name" in stack for stack in found)
    assert size_of(obj) == built


class Opens:
    """A method that opens a frame and raises inside it on some instances."""

    def __init__(self, fail: bool) -> None:
        self.fail = fail
        self.name = "n" * 100 + str(fail)

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)
        visitor.enter("group")
        visitor.visit_simple("part", 10)
        if self.fail:
            raise ValueError("boom")
        visitor.exit()


def test_frames_a_raising_method_opened_are_closed_before_the_rest() -> None:
    """Nothing after a failure is filed under the frame the failing method left open."""
    output = graph([Opens(False), Opens(True), Opens(False)])
    found = lines(output)
    assert found["list;Opens;group;part"] == 30
    assert not any(stack.startswith("list;Opens;group;") and "part" not in stack for stack in found)
    assert output.warnings == [boom(Opens)]
