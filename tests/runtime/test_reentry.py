"""A visit that calls back into the engine that is walking it: refused, never a crash.

A method, a visit function or a ``__del__`` run by the walk may hold the visitor
and call ``finish``, ``release``, ``measure``, ``visit_root`` or ``__init__`` on
it. Each would free or reshape what the walk is using, so each is refused with a
RuntimeError; the method's failure is reported as any other, and the
measurement goes on to the same bytes as without the call.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from allocative import FlameGraphBuilder, Visitor, size_of
from allocative._constants import REENTRY, REINIT
from allocative._engine import PYTHON, Engine
from tests.runtime.conftest import warm

pytestmark = pytest.mark.native

Call = Callable[[Any], object]

CALLS: dict[str, Call] = {
    "finish": lambda visitor: visitor.finish(),
    "release": lambda visitor: visitor.release(),
    "measure": lambda visitor: visitor.measure([1.5]),
    "visit_root": lambda visitor: visitor.visit_root([1.5], None),
    "__init__": lambda visitor: visitor.__init__(),
    "_outside": lambda visitor: visitor._outside([]),
}
"""Calls back into the engine; ``measure`` and ``visit_root`` are each engine's own walk."""


def refused(name: str) -> str:
    """The message of the RuntimeError that refuses ``name``."""
    return REINIT if name == "__init__" else f"{name}() {REENTRY}"


class Caller:
    """Calls back into its visitor from its method, then visits its fields."""

    call: Call = staticmethod(CALLS["finish"])

    def __init__(self) -> None:
        self.name = "caller-" * 20
        self.values = [0.5, 1.5, 2.5]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)
        type(self).call(visitor)
        visitor.visit_list("values", self.values, float)


def visit_then_call(value: list[float], visitor: Visitor) -> None:
    """A visit function that calls back into the engine after its first element."""
    visitor.visit_item(value[0])
    Caller.call(visitor)


class WithFunction:
    """A field visited by a function that calls back into the engine."""

    def __init__(self) -> None:
        self.values = [0.5, 1.5, 2.5]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_field_with("values", self.values, visit_then_call)


WARM = [warm(Caller), warm(WithFunction)]
"""Instances made first, so that the classes' attribute storage has settled."""


def is_refusal(name: str, warning: str, engine: Engine) -> bool:
    """Whether ``warning`` reports the call refused; the pure engine's size visitor has no
    ``finish`` or ``visit_root``, its flame graph visitor no ``measure``: those calls fail
    with AttributeError there, as on any object without the method."""
    if f"raised RuntimeError: {refused(name)};" in warning:
        return True
    return engine.name == PYTHON and "raised AttributeError" in warning


@pytest.mark.parametrize("name", list(CALLS))
def test_a_method_calling_back_is_refused_and_measured_as_failing(
    name: str, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    """The call fails inside the method: one warning, attributes by name, and the same
    bytes as a measurement without the call."""
    monkeypatch.setattr(Caller, "call", staticmethod(lambda visitor: None))
    quiet = Caller()
    expected = size_of(quiet)
    monkeypatch.setattr(Caller, "call", staticmethod(CALLS[name]))
    caller = Caller()
    builder = FlameGraphBuilder()
    builder.visit_root(caller, "root")
    output = builder.finish()
    assert output.total_size == expected
    messages = [w for w in output.warnings if "Caller.__allocative__ raised" in w]
    assert len(messages) == 1, output.warnings
    assert is_refusal(name, messages[0], engine), messages
    assert size_of(caller) == expected


@pytest.mark.parametrize("name", list(CALLS))
def test_a_visit_function_calling_back_is_refused(
    name: str, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    """The visit function's failure is a warning; its value is measured under
    ``[visit failed]``, each object once."""
    monkeypatch.setattr(Caller, "call", staticmethod(CALLS[name]))
    owner = WithFunction()
    builder = FlameGraphBuilder()
    builder.visit_root(owner, "root")
    output = builder.finish()
    assert output.total_size == size_of(owner)
    lines = dict(line.rsplit(" ", 1) for line in output.folded().splitlines())
    assert "root;values;[visit failed];list" in lines
    messages = [w for w in output.warnings if "visit_then_call: custom visit raised" in w]
    assert len(messages) == 1, output.warnings
    assert is_refusal(name, messages[0], engine), messages


class Finalized:
    """Calls back into the engine that drops its last reference."""

    visitor: ClassVar[Any] = None
    seen: ClassVar[list[str]] = []

    def __del__(self) -> None:
        visitor = type(self).visitor
        if visitor is None:
            return
        for name, call in CALLS.items():
            try:
                call(visitor)
            except RuntimeError as error:
                type(self).seen.append(f"{name}: {error}")
            except AttributeError:
                type(self).seen.append(f"{name}: not an engine method")


class DropsDuringWalk:
    """Its method drops the last reference to an object whose ``__del__`` calls back."""

    def __init__(self) -> None:
        self.doomed: Any = Finalized()
        self.values = [0.5, 1.5]

    def __allocative__(self, visitor: Visitor) -> None:
        Finalized.visitor = visitor
        self.doomed = None  # __del__ runs here, inside the walk
        visitor.visit_list("values", self.values, float)
        visitor.skip("doomed")


def test_a_finalizer_calling_back_during_the_walk_is_refused() -> None:
    """Every call from ``__del__`` is refused; the measurement is whole."""
    Finalized.seen = []
    owner = DropsDuringWalk()
    try:
        builder = FlameGraphBuilder()
        builder.visit_root(owner, "root")
        output = builder.finish()
    finally:
        Finalized.visitor = None
    gc.collect()
    assert output.total_size == size_of(owner)
    refusals = [line for line in Finalized.seen if "cannot be called" in line or "once" in line]
    assert len(refusals) >= 4, Finalized.seen


def test_the_engine_is_usable_after_a_refused_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refused call leaves the engine whole: it measures again, exactly."""
    monkeypatch.setattr(Caller, "call", staticmethod(CALLS["release"]))
    first = size_of(Caller())
    assert size_of(Caller()) == first
