"""Subclasses of built-ins: the built-in part once, the declared fields once, never both.

For an instance of a subclass of a built-in the runtime measures the built-in
part (its block, tuple items, list/set/dict contents, capacity, an exception's
``args``) and the class's method reports only its declared fields. A field that
is also an item (a NamedTuple's) is counted where the method names it.
"""

from __future__ import annotations

import collections
import itertools
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest

from allocative import FlameGraphBuilder, FlameGraphOutput, Visitor, register, size_of
from allocative import opaque as opaque_option
from allocative._registry import _custom
from tests.runtime.conftest import by_version, traced

pytestmark = pytest.mark.accuracy

COUNT = 200


class P(NamedTuple):
    """The issue's NamedTuple, with the method allocative-gen writes for it."""

    a: str
    b: int

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("a", self.a)
        visitor.visit_int("b", self.b)


class Q(NamedTuple):
    """The same NamedTuple, unmarked."""

    a: str
    b: int


def graph(obj: object) -> FlameGraphOutput:
    builder = FlameGraphBuilder()
    builder.visit_root(obj)
    return builder.finish()


def stacks(output: FlameGraphOutput) -> dict[str, int]:
    pairs = (line.rsplit(" ", 1) for line in output.folded().splitlines())
    return {stack: int(size) for stack, size in pairs}


@pytest.mark.parametrize("cls", [P, Q])
def test_namedtuple_fields_are_counted_once_under_their_names(cls: type) -> None:
    """The issue's repro: 10,000 NamedTuples, exact, each field once, named."""
    tree, built = traced(lambda: [cls("x%d" % i, 1000 + i) for i in range(10000)])  # noqa: UP031
    output = graph(tree)
    assert size_of(tree) == output.total_size == built
    assert built == by_version({(3, 11): 1584066, (3, 12): 1504066, (3, 13): 1504066})
    found = stacks(output)
    name = cls.__qualname__
    assert found[f"list;{name};a;str"] == sum(map(str.__sizeof__, (p.a for p in tree)))
    assert found[f"list;{name};b;int"] == 32 * len(tree)
    assert f"list;{name};str" not in found
    assert f"list;{name};int" not in found


def marked_and_unmarked(base: type) -> list[type]:
    """A subclass of ``base`` with a generated-style method visiting ``tag``, and one without."""

    def visit_tag(self: Any, visitor: Visitor) -> None:
        visitor.visit_str("tag", self.tag)

    marked = type(f"Marked{base.__name__}", (base,), {"__allocative__": visit_tag})
    unmarked = type(f"Unmarked{base.__name__}", (base,), {})
    return [marked, unmarked]


_SPARE: list[object] = [None] * 10_000
"""Keeps a 2-tuple each build takes first: the harness's own tracemalloc read leaves one
on the tuple free list, and the first 2-tuple a build makes (an exception's ``args``)
would be that untraced block. Slots are made beforehand: a list growing in a traced
build would be counted."""
_SPARES = itertools.count()


def _spare_pair() -> None:
    _SPARE[next(_SPARES)] = tuple([None, None])


BUILT_INS: dict[type, Callable[[int], tuple[Any, ...]]] = {
    tuple: lambda i: ((f"x{i:05d}", 1000 + i),),
    list: lambda i: ([f"x{i:05d}", 1000.5 + i],),
    dict: lambda i: ({f"k{i:05d}": 1000.5 + i},),
    set: lambda i: ({f"x{i:05d}", 1000.5 + i},),
    frozenset: lambda i: ({f"x{i:05d}", 1000.5 + i},),
    str: lambda i: (f"s{i:05d}",),
    bytes: lambda i: (b"b%05d" % i,),
    int: lambda i: (10**20 + i,),
    float: lambda i: (i + 0.5,),
    complex: lambda i: (i + 0.5j,),
    bytearray: lambda i: (b"b%05d" % i,),
    Exception: lambda i: (f"e{i:05d}", 1000 + i),
    ValueError: lambda i: (f"e{i:05d}",),
    KeyError: lambda i: (f"k{i:05d}",),
    OSError: lambda i: (2, f"no such {i}", f"/tmp/f{i}"),
    collections.deque: lambda i: ([f"x{i:05d}", 1000.5 + i],),
    collections.OrderedDict: lambda i: ({f"k{i:05d}": 1000.5 + i},),
    collections.Counter: lambda i: ({f"k{i:05d}": 1000 + i},),
}

CONTENT_FRAMES: dict[type, set[str]] = {
    tuple: {"str", "int"},
    list: {"str", "float"},
    dict: {"key;str", "value;float", "unused_capacity"},
    set: {"str", "float", "unused_capacity"},
    frozenset: {"str", "float", "unused_capacity"},
    Exception: {"args;tuple", "args;tuple;str", "args;tuple;int"},
    ValueError: {"args;tuple", "args;tuple;str"},
    KeyError: {"args;tuple", "args;tuple;str"},
    OSError: {"args;tuple", "args;tuple;str", "filename;str"},
    collections.deque: {"str", "float", "unused_capacity"},
    collections.OrderedDict: {"key;str", "value;float", "unused_capacity"},
    collections.Counter: {"key;str", "value;int", "unused_capacity"},
}
"""The built-in part's frames below the instance, beside its own field ``tag``."""


def build(cls: type) -> list[Any]:
    _spare_pair()
    made = []
    for i in range(COUNT):
        obj = cls(*BUILT_INS[cls.__mro__[1]](i))
        obj.tag = f"t{i:05d}"
        made.append(obj)
    return made


@pytest.mark.parametrize(
    "cls",
    [cls for base in BUILT_INS for cls in marked_and_unmarked(base)],
    ids=lambda cls: cls.__name__,
)
def test_builtin_part_and_fields_are_each_counted_once(cls: type) -> None:
    """Marked or not, a built-in subclass's instance is exact: its built-in part once
    (items, entries, capacity, ``args``), its own attribute once, under its name."""
    keep = [build(cls), build(cls)]  # settles the class's shared keys
    tree, built = traced(lambda: build(cls))
    output = graph(tree)
    assert size_of(tree) == output.total_size == built
    found = stacks(output)
    name = cls.__name__
    assert found[f"list;{name};tag;str"] == sum(str.__sizeof__(obj.tag) for obj in tree)
    below = {stack.split(";", 2)[2] for stack in found if stack.count(";") >= 2}
    expected = {"tag;str", "__dict__;dict"} | CONTENT_FRAMES.get(cls.__mro__[1], set())
    assert below == expected
    marked = "__allocative__" in vars(cls)
    reflective = [w for w in output.warnings if "no __allocative__" in w]
    assert len(reflective) == (0 if marked else 1)
    del keep


class MyError(Exception):
    """The issue's marked exception: its generated method visits nothing."""

    def __allocative__(self, visitor: Visitor) -> None:
        pass


class PlainError(Exception):
    """The same exception, unmarked."""


def test_marking_an_exception_keeps_its_args() -> None:
    """The issue's repro: ``MyError("x" * 10000)`` is as big marked as unmarked."""
    marked, unmarked = MyError("x" * 10000), PlainError("x" * 10000)
    assert size_of(marked) == size_of(unmarked) > 10000
    assert stacks(graph(marked))["MyError;args;tuple;str"] == str.__sizeof__("x" * 10000)


def test_exception_state_is_named() -> None:
    """Chained exceptions, the traceback, notes and a C class's fields have their names."""
    try:
        try:
            raise KeyError("inner " * 10)
        except KeyError as inner:
            raise FileNotFoundError(2, "missing " * 10, "/path/" * 10) from inner
    except FileNotFoundError as caught:
        error = caught
    error.add_note("note " * 10)
    found = stacks(graph(error))
    assert found["FileNotFoundError;args;tuple;str"] == str.__sizeof__("missing " * 10)
    assert found["FileNotFoundError;filename;str"] == str.__sizeof__("/path/" * 10)
    assert found["FileNotFoundError;__cause__;KeyError;args;tuple;str"] == str.__sizeof__(
        "inner " * 10
    )
    assert found["FileNotFoundError;__notes__;list;str"] == str.__sizeof__("note " * 10)
    assert "FileNotFoundError;__traceback__;traceback" in found
    assert "FileNotFoundError;__traceback__;traceback;tb_frame;frame" in found


@pytest.fixture
def registry() -> Any:
    """Registrations made by a test are removed after it."""
    saved = dict(_custom)
    yield
    _custom.clear()
    _custom.update(saved)


class MyDict(dict[str, object]):
    """A dict subclass."""


class MyList(list[object]):
    """A list subclass."""


TEXTS = ("k-" * 25, "v-" * 25)
"""Strings that are not interned (a constant made of identifier characters would be)."""


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize(
    ("tp", "make"),
    [
        (collections.OrderedDict, lambda: collections.OrderedDict([TEXTS])),
        (MyDict, lambda: MyDict([TEXTS])),
        (MyList, lambda: MyList(TEXTS)),
        (dict, lambda: dict([TEXTS])),
        (list, lambda: list(TEXTS)),
    ],
)
def test_register_opaque_applies_to_every_type(tp: type, make: Callable[[], Any]) -> None:
    """``register(T, opaque)`` counts the object's own blocks and nothing it refers to,
    for built-ins and their subclasses too."""
    value = make()
    whole = size_of(value)
    register(tp, opaque_option)
    own = size_of(value)
    assert own == whole - sum(map(str.__sizeof__, TEXTS))
    found = stacks(graph(value))
    assert sum(found.values()) == own
    assert not any("str" in stack for stack in found)


@pytest.mark.usefixtures("registry")
def test_registered_function_on_a_builtin_subclass_adds_to_its_builtin_part() -> None:
    """A registered visit reports extra fields; the built-in part is still measured once."""

    def visit(value: MyList, visitor: Visitor) -> None:
        visitor.visit_str("label", value.label)

    register(MyList, visit)
    value = MyList([TEXTS[1]])
    value.label = TEXTS[0]
    found = stacks(graph(value))
    assert found["MyList;label;str"] == str.__sizeof__(TEXTS[0])
    assert found["MyList;str"] == str.__sizeof__(TEXTS[1])
    assert size_of(value) == sum(found.values())
