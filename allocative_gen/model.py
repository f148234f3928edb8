"""The facts the generator collects about a marked class, as small frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass

from allocative_gen.rules import Read, Visit


@dataclass(frozen=True)
class FieldVisit:
    """One field visit: the field's name, how it is read, the call and its visit function."""

    name: str
    read: Read
    visit: Visit
    function: str | None = None


@dataclass(frozen=True)
class BaseCall:
    """A call of a base class's own method, which visits the fields that base owns;
    ``base`` is how the method names the base class."""

    base: str


Step = FieldVisit | BaseCall


@dataclass(frozen=True)
class MethodFacts:
    """What the generated ``__allocative__`` of one class does, in order."""

    class_name: str
    steps: tuple[Step, ...]
    quoted_annotation: bool
    visitor: str = "Visitor"
    """The name the module gives ``allocative.Visitor`` (another when ``Visitor`` is taken)."""


@dataclass(frozen=True)
class Problem:
    """Bad input found while collecting: a 1-based line and a message saying what to do."""

    line: int
    message: str
    warning: bool = False
    detail: str | None = None
    """The traceback of an internal error, shown with ``--traceback``."""
