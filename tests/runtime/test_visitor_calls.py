"""Every Visitor method takes one signature on both engines, keywords included, and every
entry point of the compiled engine checks what it is given.

A method's call is bound as a Python method ``Visitor.<name>(self, ...)`` binds it,
with the same messages; names must be str (a subclass is copied to a plain str, so
none of its code runs inside the walk), declared types types or None, reported
sizes non-negative ints. The private methods the shared Python code calls refuse
anything they were not made for, and an ``Engine`` made by ``__new__`` alone works.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from allocative import FlameGraphBuilder, Visitor, _engine
from allocative._visitor import PythonEngine
from tests.runtime.conftest import one_engine, warm

engine = pytest.fixture(one_engine)
"""Both engines are compared within each test."""

pytestmark = [
    pytest.mark.native,
    pytest.mark.skipif(
        _engine.compiled_unavailable() is not None,
        reason=f"compiled engine: {_engine.compiled_unavailable()}",
    ),
]

if _engine.compiled_unavailable() is None:
    from allocative import _core

Call = Callable[[Any], object]

VALUE: list[float] = [1.5, 2.5]
"""A value held elsewhere, so that no call is taken for a temporary's."""

CALLS: dict[str, Call] = {
    "keywords": lambda v: v.visit_field(name="f", value=VALUE),
    "enter keywords": lambda v: v.enter(name="g", size=10),
    "enter size keyword": lambda v: v.enter("g", size=10),
    "visit_list keywords": lambda v: v.visit_list(name="l", value=VALUE, item=float),
    "visit_dict keywords": lambda v: v.visit_dict("d", {"k": 1.5}, key=str, item=float),
    "visit_simple keywords": lambda v: v.visit_simple(size=5, name="s"),
    "skip keyword": lambda v: v.skip(name="x"),
    "visit_field_with keywords": lambda v: v.visit_field_with(
        name="w", value=VALUE, visit=lambda value, visitor: visitor.visit_item(value)
    ),
    "too many": lambda v: v.visit_field("f", VALUE, 3),
    "too many for enter": lambda v: v.enter("g", 1, 2),
    "exit with an argument": lambda v: v.exit(1),
    "missing one": lambda v: v.visit_str("f"),
    "missing two": lambda v: v.visit_field(),
    "missing three": lambda v: v.visit_field_with(),
    "unexpected keyword": lambda v: v.enter("g", sz=1),
    "twice": lambda v: v.enter("g", name="h"),
    "int name": lambda v: v.visit_field(5, VALUE),
    "int name, typed": lambda v: v.visit_str(5, "some text here"),
    "int name, list": lambda v: v.visit_list(5, VALUE, float),
    "int name, enter": lambda v: v.enter(5),
    "int name, skip": lambda v: v.skip(5),
    "bad declared type": lambda v: v.visit_list("l", VALUE, 5),
    "bad declared key": lambda v: v.visit_dict("d", {"k": 1.5}, [str], None),
    "negative size": lambda v: v.visit_simple("s", -5),
    "huge size": lambda v: v.visit_simple("s", 2**70),
    "too much in all": lambda v: [v.visit_simple("s", 2**61) for _ in range(3)],
    "float size": lambda v: v.enter("g", 1.5),
    "negative enter": lambda v: v.enter("g", -1),
}


def outcome(visitor: Any, call: Call) -> tuple[str, str]:
    """What ``call`` did: the exception it raised (type and message), or ``ok``."""
    try:
        call(visitor)
    except Exception as error:
        return type(error).__name__, str(error)
    return "ok", ""


@pytest.mark.parametrize("frames", [False, True], ids=["size", "frames"])
@pytest.mark.parametrize("case", list(CALLS))
def test_both_engines_bind_each_call_alike(case: str, frames: bool) -> None:
    """The same call succeeds on both engines, or fails with the same error and message."""
    pure: Visitor = PythonEngine(frames=frames)
    compiled = _core.Engine(frames=frames)
    assert outcome(compiled, CALLS[case]) == outcome(pure, CALLS[case])


class Named(str):
    """A str subclass whose hash and equality would run code inside the walk."""

    calls = 0

    def __hash__(self) -> int:
        type(self).calls += 1
        return 1

    def __eq__(self, other: object) -> bool:
        type(self).calls += 1
        return True


class Holder:
    """Visits its fields under names that are str subclasses."""

    def __init__(self) -> None:
        self.values = [0.5, 1.5]
        self.text = "some text " * 3

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_list(Named("values"), self.values, float)
        visitor.visit_str(Named("text"), self.text)
        visitor.enter(Named("group"), 8)
        visitor.exit()


WARM = warm(Holder)
"""Instances made first, so that the class's attribute storage has settled."""


def test_str_subclass_names_are_copied_and_run_no_code() -> None:
    """A name that is a str subclass becomes a plain str: same frames on both engines, and
    its ``__hash__``/``__eq__`` never run."""
    folded = []
    for name in _engine.NAMES:
        with _engine.forced(name):
            builder = FlameGraphBuilder()
            builder.visit_root(Holder(), "root")
            output = builder.finish()
            folded.append(output.folded())
            assert all(type(key) is str for key in output.flamegraph.children["root"].children)
    assert folded[0] == folded[1]
    assert "root;group 8\n" in folded[0]
    assert Named.calls == 0


BAD_PRIVATE: dict[str, Call] = {
    "_close_to owner": lambda e: e._close_to(0, 5),
    "_close_to depth": lambda e: e._close_to("0", None),
    "_close_to negative": lambda e: e._close_to(-1, None),
    "_refill name": lambda e: e._refill(5, [], RuntimeError("changed")),
    "_refill error": lambda e: e._refill("x", [], 5),
    "_note": lambda e: e._note(5),
    "_claimed_since": lambda e: e._claimed_since("x"),
    "_claimed_since negative": lambda e: e._claimed_since(-1),
    "_is_new": lambda e: e._is_new([], []),
    "_is_new count": lambda e: e._is_new([]),
    "_visit_named": lambda e: e._visit_named(5, []),
    "visit_root name": lambda e: e.visit_root([], 5),
    "visit_root count": lambda e: e.visit_root([]),
    "_outside": lambda e: e._outside(5),
    "_outside mode": lambda e: e._outside([]),
    "_exclude_claimed": lambda e: e._exclude_claimed(5),
    "_owner": lambda e: setattr(e, "_owner", 5),
    "_field": lambda e: setattr(e, "_field", None),
}


@pytest.mark.parametrize("case", list(BAD_PRIVATE))
def test_private_entry_points_refuse_what_they_were_not_made_for(case: str) -> None:
    """A TypeError, ValueError or RuntimeError, never a crash; the engine still measures."""
    engine = _core.Engine()
    with pytest.raises((TypeError, ValueError, RuntimeError)):
        BAD_PRIVATE[case](engine)
    assert engine.measure([1.5, 2.5]) > 0


def test_an_engine_made_by_new_alone_measures() -> None:
    """``Engine.__new__`` gives a working size engine: every method is safe to call."""
    engine = _core.Engine.__new__(_core.Engine)
    engine.visit_field("f", VALUE)
    engine.enter("g", 4)
    engine.exit()
    assert engine.measure([1.5, 2.5]) > 0
    tree, warnings = engine.finish()
    assert tree.total() > 0
    assert warnings == []
    engine.release()


def test_init_runs_once() -> None:
    """``__init__`` again is refused: it would change how the engine files what it holds."""
    engine = _core.Engine(frames=True)
    with pytest.raises(RuntimeError, match="may run once"):
        engine.__init__()  # type: ignore[misc]
    fresh = _core.Engine.__new__(_core.Engine)
    fresh.__init__(frames=True)  # type: ignore[misc]
    fresh.visit_root([1.5], "root")
    tree, _ = fresh.finish()
    assert tree.graph().children["root"].self_size > 0


def test_a_frame_tree_gives_its_graph_once() -> None:
    """A second ``graph()`` is a RuntimeError, not a use of freed nodes."""
    engine = _core.Engine(frames=True)
    engine.visit_root([1.5], "root")
    tree, _ = engine.finish()
    tree.graph()
    with pytest.raises(RuntimeError, match="already"):
        tree.graph()
    assert tree.total() == 0


class Branching:
    """A method with a branch, so that its visits are recorded on every instance, calling
    the Visitor with keywords."""

    def __init__(self, i: int) -> None:
        self.name = f"branching-{i:04d}"
        self.values = [i + 0.5, i + 1.5]
        self.extra: list[str] | None = [f"x{i}"] if i % 2 else None

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str(name="name", value=self.name)
        visitor.visit_list("values", value=self.values, item=float)
        if self.extra is not None:
            visitor.visit_field(value=self.extra, name="extra")
        visitor.enter(name="group", size=16)
        visitor.exit()


SETTLED = warm(Branching, 0)
"""Instances made first, so that the class's attribute storage has settled."""


def test_keyword_calls_through_recorded_methods_agree() -> None:
    """Keywords reach the visitor through the recorder as they would directly: same bytes,
    frames and warnings on both engines."""
    results = []
    for name in _engine.NAMES:
        with _engine.forced(name):
            tree = [Branching(i) for i in range(40)]
            builder = FlameGraphBuilder()
            builder.visit_root(tree, "root")
            output = builder.finish()
            results.append((output.folded(), output.warnings))
    assert results[0] == results[1]
    assert "root;Branching;group 640\n" in results[0][0]
