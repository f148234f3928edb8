"""The compiled engine gives the pure engine's bytes, frames and warnings on random graphs.

Hypothesis draws object graphs from every built-in kind and subclasses of them,
shared objects and cycles, records of classes with generated-style methods,
unmarked instances, custom visit functions, ``skip`` and ``opaque`` fields and
lazily set attributes; both engines measure each graph (``size_of`` and the
flame graph) and must agree exactly.
"""

from __future__ import annotations

import array
import collections
import copy
import datetime
import decimal
import fractions
import os
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocative import FlameGraphBuilder, Visitor, _engine, opaque, size_of
from tests.runtime.conftest import one_engine

engine = pytest.fixture(one_engine)
"""Both engines are compared within each test."""

pytestmark = [
    pytest.mark.native,
    pytest.mark.skipif(
        _engine.compiled_unavailable() is not None,
        reason=f"compiled engine: {_engine.compiled_unavailable()}",
    ),
]


class Record:
    """A class with a method of the form allocative-gen writes."""

    def __init__(self, name: str, values: list[float], meta: dict[str, Any], child: Any) -> None:
        self.name = name
        self.values = values
        self.meta = meta
        self.child = child
        self.parent: Any = None

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)
        visitor.visit_list("values", self.values, float)
        visitor.visit_dict("meta", self.meta, str, None)
        visitor.visit_field("child", self.child)
        visitor.skip("parent")


class Slotted:
    """Slots, one of them opaque, one visited by a custom function."""

    __slots__ = ("blob", "label", "parts")

    def __init__(self, label: str, blob: Any, parts: list[int]) -> None:
        self.label = label
        self.blob = blob
        self.parts = parts

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("label", self.label)
        visitor.visit_opaque("blob", self.blob)
        visitor.visit_field_with("parts", self.parts, visit_parts)


def visit_parts(parts: list[int], visitor: Visitor) -> None:
    visitor.enter("parts", 16)
    for part in parts:
        visitor.visit_int("part", part)
    visitor.exit()


class Unmarked:
    """No method: measured by its attributes."""

    def __init__(self, a: Any, b: Any) -> None:
        self.a = a
        self.b = b


class Point(NamedTuple):
    """A NamedTuple with a method."""

    x: Any
    y: Any

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_field("x", self.x)
        visitor.visit_field("y", self.y)


class MyList(list[Any]):
    """A list subclass with an attribute."""


class MyDict(dict[Any, Any]):
    """A dict subclass."""


class Failure(Exception):
    """An exception with a method."""

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_field("code", getattr(self, "code", None))


@opaque
class Sealed:
    """An opaque class."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner


class Raising:
    """A method that raises on some instances."""

    def __init__(self, value: Any, fail: bool) -> None:
        self.value = value
        self.fail = fail

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_field("value", self.value)
        if self.fail:
            raise ValueError("boom")


SCALARS = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.binary(max_size=12),
    st.none(),
    st.booleans(),
    st.complex_numbers(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False).map(decimal.Decimal),
    st.fractions().map(fractions.Fraction),
    st.dates(),
    st.datetimes(),
)


def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Containers, records and subclasses of built-ins around ``children``."""
    keys = st.one_of(st.text(max_size=8), st.integers(), st.floats(allow_nan=False))
    made: list[st.SearchStrategy[Any]] = [
        st.lists(children, max_size=6),
        st.lists(children, max_size=6).map(tuple),
        st.dictionaries(keys, children, max_size=5),
        st.sets(st.text(max_size=8), max_size=5),
        st.frozensets(st.integers(), max_size=5),
        st.lists(children, max_size=4).map(collections.deque),
        st.dictionaries(keys, children, max_size=4).map(collections.OrderedDict),
        st.builds(
            Record,
            st.text(max_size=10),
            st.lists(st.floats(allow_nan=False), max_size=5),
            st.dictionaries(st.text(max_size=6), children, max_size=3),
            children,
        ),
        st.builds(Slotted, st.text(max_size=10), children, st.lists(st.integers(), max_size=4)),
        st.builds(Unmarked, children, children),
        st.builds(Point, children, children),
        st.lists(children, max_size=4).map(MyList),
        st.dictionaries(keys, children, max_size=4).map(MyDict),
        st.builds(Failure, children),
        st.builds(Sealed, children),
        st.builds(Raising, children, st.booleans()),
        st.lists(st.integers(min_value=0, max_value=255), max_size=8).map(bytearray),
        st.lists(st.integers(min_value=-100, max_value=100), max_size=8).map(
            lambda xs: array.array("i", xs)
        ),
    ]
    return st.one_of(made)


GRAPHS = st.recursive(SCALARS, extend, max_leaves=40)


@st.composite
def graphs(draw: st.DrawFn) -> Any:
    """A graph, then sharing and cycles added, lazily set attributes on some records."""
    root = draw(GRAPHS)
    found: list[Any] = []
    pending = [root]
    while pending and len(found) < 200:
        node = pending.pop()
        found.append(node)
        if isinstance(node, (list, tuple, collections.deque)):
            pending.extend(node)
        elif isinstance(node, dict):
            pending.extend(node.values())
        elif isinstance(node, Record):
            pending.extend((node.values, node.meta, node.child))
        elif isinstance(node, Unmarked):
            pending.extend((node.a, node.b))
    lists = [n for n in found if type(n) in (list, MyList)]
    records = [n for n in found if isinstance(n, Record)]
    for target in lists:
        if draw(st.booleans()):
            target.append(draw(st.sampled_from(found)))  # sharing, and cycles
    for record in records:
        if draw(st.booleans()):
            record.parent = draw(st.sampled_from(found))  # a skip field
        if draw(st.booleans()):
            record.cache = [draw(st.text(max_size=8)) for _ in range(3)]  # lazily set
    for unmarked in (n for n in found if isinstance(n, Unmarked)):
        if draw(st.booleans()):
            unmarked.b = draw(st.sampled_from(found))  # sharing through an attribute
    for instance in (n for n in found if isinstance(n, (Record, Unmarked))):
        if draw(st.booleans()):
            vars(instance)  # its __dict__ object now exists
    for failure in (n for n in found if isinstance(n, Failure)):
        if draw(st.booleans()):
            failure.code = draw(st.integers())
    for mine in (n for n in found if isinstance(n, MyList)):
        mine.note = draw(st.text(max_size=8))
    return root


def measure(value: Any, name: str) -> tuple[int, str, list[str], str]:
    with _engine.forced(name):  # type: ignore[arg-type]
        total = size_of(value)
        builder = FlameGraphBuilder()
        builder.visit_root(value)
        output = builder.finish()
        # Retained: a new holder of the graph, which the test also holds: everything below
        # the holder stays, each object where it is met (every step of retained size runs).
        holder = [value]
        retained = FlameGraphBuilder(retained=True)
        retained.visit_root(holder, "holder")
        del holder
        shared = retained.finish().folded()
    return total, output.folded(), output.warnings, shared


def retained_alone(alone: list[Any], name: str) -> str:
    """The retained graph of ``alone[0]``, held there only: what only it holds goes, what it
    shares with anything else stays."""
    with _engine.forced(name):  # type: ignore[arg-type]
        builder = FlameGraphBuilder(retained=True)
        builder.visit_root(alone[0], "alone")
        return builder.finish().folded()


UNDER_A_CHECKER = bool(os.environ.get("PYTHONMALLOC") or os.environ.get("ASAN_OPTIONS"))
"""Debug allocators and AddressSanitizer run this test too, several times slower."""


@settings(
    max_examples=60 if UNDER_A_CHECKER else 300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(graph=graphs())
def test_engines_give_the_same_bytes_frames_and_warnings(graph: Any) -> None:
    """size_of, folded frames, warnings and the retained graph are identical from the two
    engines; the retained graph files the whole graph under [shared]."""
    python = measure(graph, _engine.PYTHON)
    compiled = measure(graph, _engine.COMPILED)
    assert compiled == python
    assert python[0] == sum(int(line.rsplit(" ", 1)[1]) for line in python[1].splitlines())
    kept = [line for line in python[3].splitlines() if not line.startswith("holder;[shared]")]
    assert {line.split(" ")[0] for line in kept} <= {"holder", "holder;unused_capacity"}
    # A deep copy of the graph (made after: copying gives instances their __dict__ objects),
    # held in one place: it shares atoms (strings, numbers deepcopy does not copy) with the
    # graph, and those stay.
    alone = [copy.deepcopy(graph)]
    assert retained_alone(alone, _engine.COMPILED) == retained_alone(alone, _engine.PYTHON)


KINDS: list[Callable[[], Any]] = [
    lambda: "x" * 100,
    lambda: "\u00e9" * 40,
    lambda: "\U0001f600" * 10,
    lambda: 10**40,
    lambda: -(10**9),
    lambda: 2.5,
    lambda: 1 + 2j,
    lambda: b"y" * 50,
    lambda: [1.5] * 7,
    lambda: list(range(1000, 1100)),
    lambda: tuple(str(i) * 3 for i in range(20)),
    lambda: {str(i) * 2: i * 1000 for i in range(40)},
    lambda: {i: str(i) for i in range(1000, 1010)},
    lambda: set(range(1000, 1050)),
    lambda: frozenset(str(i) for i in range(30)),
    lambda: bytearray(300),
    lambda: collections.deque(range(1000, 1200)),
    lambda: collections.defaultdict(list, {"a-key": [1.5]}),
    lambda: range(10**20, 10**20 + 3),
    lambda: memoryview(b"z" * 64),
    lambda: datetime.datetime.now(datetime.UTC),
    lambda: decimal.Decimal("1.23456789012345678901234567890"),
]


@pytest.mark.parametrize("make", KINDS, ids=range(len(KINDS)))
def test_every_kind_has_the_same_size_in_both_engines(make: Callable[[], Any]) -> None:
    """Each built-in kind's own size, spare capacity and frames agree."""
    value = make()
    assert measure(value, _engine.COMPILED) == measure(value, _engine.PYTHON)
