"""Collect a marked class's visits, its bases' fields included, into :class:`MethodFacts`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import libcst as cst

from allocative_gen.fields import declared_fields
from allocative_gen.kinds import decorator_kind, has_own_method, is_opaque
from allocative_gen.model import BaseCall, FieldVisit, MethodFacts, Problem, Step
from allocative_gen.names import Names
from allocative_gen.rules import (
    DYNAMIC_VISIT,
    NAMEDTUPLE,
    PYDANTIC_INTERNALS,
    PYDANTIC_MODELS,
    Kind,
    Visit,
    canonical,
    is_fieldless_base,
    visit_for_option,
)

_EMPTY_MODULE = cst.Module(body=[])
_MAX_DEPTH = 50


@dataclass(frozen=True)
class ClassSource:
    """A class statement with the module-level names it sees and the file it is in."""

    node: cst.ClassDef
    names: Names
    path: Path | None
    line: int = 0


class BaseFinder(Protocol):
    """Finds the class statement a base class expression refers to."""

    def find(self, qualified: str, context: ClassSource) -> ClassSource | None:
        """The class named ``qualified`` as seen from ``context``'s module, or None."""


@dataclass
class Collected:
    """The visits of a class, the field names they cover, and problems met on the way."""

    steps: list[Step] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    def add(self, step: Step, names: set[str]) -> None:
        """Append ``step`` unless already there, and mark ``names`` as visited."""
        if step not in self.steps:
            self.steps.append(step)
        self.covered |= names


def method_facts(
    source: ClassSource, finder: BaseFinder, quoted: bool
) -> tuple[MethodFacts, list[Problem]]:
    """The facts of a marked class's method, and problems (errors and warnings) found."""
    name = source.node.name.value
    if is_opaque(source.node, source.names):
        return MethodFacts(name, (), quoted), []
    collected = _collect(source, finder, None, source.path, 0)
    problems = [replace(problem, line=source.line) for problem in collected.problems]
    return MethodFacts(name, tuple(collected.steps), quoted), problems


def class_kind(source: ClassSource, finder: BaseFinder, depth: int = 0) -> Kind:
    """The kind of a class, from its decorators or its bases (NamedTuple, pydantic)."""
    kind = decorator_kind(source.node, source.names)
    if kind is not None:
        return kind
    for qualified, _ in _bases(source):
        if qualified == NAMEDTUPLE:
            return Kind.NAMEDTUPLE
        if qualified in PYDANTIC_MODELS:
            return Kind.PYDANTIC
        if depth < _MAX_DEPTH and not is_fieldless_base(qualified):
            found = finder.find(qualified, source)
            if found is not None and class_kind(found, finder, depth + 1) is Kind.PYDANTIC:
                return Kind.PYDANTIC
    return Kind.PLAIN


def _collect(
    source: ClassSource, finder: BaseFinder, via: str | None, origin: Path | None, depth: int
) -> Collected:
    """Visits of ``source``'s fields; ``via`` is the base expression it is reached by."""
    collected = Collected()
    for qualified, expression in reversed(_bases(source)):
        _collect_base(source, finder, qualified, via or expression, origin, depth, collected)
    kind = class_kind(source, finder)
    for declared in declared_fields(source.node, source.names, kind):
        if declared.name in collected.covered:
            continue
        collected.covered.add(declared.name)
        annotation = declared.annotation
        visit = visit_for_option(annotation.option, annotation.type)
        if visit is None:
            continue
        if annotation.function is not None and via is not None and source.path != origin:
            collected.problems.append(_foreign_function(source, declared.name, origin))
            continue
        attr = _mangled(declared.name, source.node.name.value) if via else declared.name
        collected.add(FieldVisit(declared.name, attr, visit, annotation.function), set())
    if kind is Kind.PYDANTIC and via is None:
        for name in PYDANTIC_INTERNALS:
            if name not in collected.covered:
                collected.add(FieldVisit(name, name, Visit(DYNAMIC_VISIT)), {name})
    return collected


def _collect_base(
    source: ClassSource,
    finder: BaseFinder,
    qualified: str,
    expression: str,
    origin: Path | None,
    depth: int,
    collected: Collected,
) -> None:
    """Add the visits of one base: a call of its own method, or its fields inline."""
    if is_fieldless_base(qualified):
        return
    found = finder.find(qualified, source) if depth < _MAX_DEPTH else None
    if found is None:
        collected.problems.append(_unknown_base(source, qualified))
        return
    inner = _collect(found, finder, expression, origin, depth + 1)
    if has_own_method(found.node, found.names):
        collected.add(BaseCall(expression), inner.covered)
        return
    collected.problems.extend(inner.problems)
    for step in inner.steps:
        collected.add(step, set())
    collected.covered |= inner.covered


def _bases(source: ClassSource) -> list[tuple[str, str]]:
    """Each positional base as (qualified name, expression as written without ``[...]``)."""
    found = []
    for arg in source.node.bases:
        if arg.keyword is not None or arg.star:
            continue
        value = arg.value
        if isinstance(value, cst.Subscript):
            value = value.value
        qualified = canonical(source.names.qualified(value) or "<expression>")
        found.append((qualified, _EMPTY_MODULE.code_for_node(value)))
    return found


def _mangled(name: str, class_name: str) -> str:
    """The attribute a private field name of a base becomes, read from a subclass."""
    if name.startswith("__") and not name.endswith("__") and class_name.strip("_"):
        return f"_{class_name.lstrip('_')}{name}"
    return name


def _unknown_base(source: ClassSource, qualified: str) -> Problem:
    message = (
        f"warning: base '{qualified}' of '{source.node.name.value}' was not found, "
        "so its fields are not visited; pass its file to allocative-gen or mark it @allocative"
    )
    return Problem(source.line, message, warning=True)


def _foreign_function(source: ClassSource, name: str, origin: Path | None) -> Problem:
    message = (
        f"field '{name}' of base '{source.node.name.value}' uses visit_with() from another "
        f"module ({source.path}); mark '{source.node.name.value}' @allocative so its own "
        "method visits it"
    )
    return Problem(source.line, message)
