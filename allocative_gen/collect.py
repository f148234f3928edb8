"""Collect a marked class's visits, its bases' fields included, into :class:`MethodFacts`."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import libcst as cst

from allocative_gen.fields import Declared, declared_fields
from allocative_gen.inheritance import CallBase, linearize, plan
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


def method_facts(
    source: ClassSource, finder: BaseFinder, quoted: bool
) -> tuple[MethodFacts, list[Problem]]:
    """The facts of a marked class's method, and problems (errors and warnings) found.

    Which bases are called and which inherited fields are visited inline is
    :func:`allocative_gen.inheritance.plan`'s rule, shared with the mypy plugin.
    """
    name = source.node.name.value
    if is_opaque(source.node, source.names):
        return MethodFacts(name, (), quoted), []
    graph = _Graph(finder)
    cls = graph.node(source, 0)
    planned = plan(graph, cls)
    problems: list[Problem] = []
    for opened in planned.opened:
        problems.extend(_unknown_base(opened.source, base) for base in opened.unknown)
    steps: list[Step] = []
    for step in planned.steps:
        if isinstance(step, CallBase):
            steps.append(BaseCall(cls.expressions[step.position]))
            continue
        visit = _field_visit(cls, step.owner, step.name, problems)
        if visit is not None:
            steps.append(visit)
    problems = [replace(problem, line=source.line) for problem in problems]
    return MethodFacts(name, tuple(steps), quoted), problems


@dataclass(eq=False)
class _Node:
    """A class of the graph: its statement, kind, declared fields and resolved bases."""

    source: ClassSource
    kind: Kind
    declared: list[Declared]
    has_method: bool
    opaque: bool
    bases: list[_Node] = field(default_factory=list)
    expressions: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


class _Graph:
    """The classes a marked class inherits from, read from source: a :class:`ClassGraph`."""

    def __init__(self, finder: BaseFinder) -> None:
        self._finder = finder
        self._nodes: dict[int, _Node] = {}
        self._mro: dict[_Node, list[_Node]] = {}

    def node(self, source: ClassSource, depth: int) -> _Node:
        """The node of the class statement ``source``, its bases resolved (once per class)."""
        found = self._nodes.get(id(source.node))
        if found is not None:
            return found
        kind = class_kind(source, self._finder)
        node = _Node(
            source,
            kind,
            declared_fields(source.node, source.names, kind),
            has_own_method(source.node, source.names),
            is_opaque(source.node, source.names),
        )
        self._nodes[id(source.node)] = node
        for qualified, expression in _bases(source):
            if is_fieldless_base(qualified):
                continue
            base = self._finder.find(qualified, source) if depth < _MAX_DEPTH else None
            if base is None:
                node.unknown.append(qualified)
                continue
            node.bases.append(self.node(base, depth + 1))
            node.expressions.append(expression)
        return node

    def bases(self, cls: _Node) -> list[_Node]:
        return cls.bases

    def mro(self, cls: _Node) -> list[_Node]:
        found = self._mro.get(cls)
        if found is None:
            self._mro[cls] = [cls]  # a class that (wrongly) inherits from itself ends here
            mros = {base: self.mro(base) for base in cls.bases}
            found = self._mro[cls] = linearize(cls, cls.bases, mros)
        return found

    def fields(self, cls: _Node) -> list[str]:
        return [declared.name for declared in cls.declared]

    def has_method(self, cls: _Node) -> bool:
        return cls.has_method

    def is_opaque(self, cls: _Node) -> bool:
        return cls.opaque

    def extras(self, cls: _Node) -> tuple[str, ...]:
        return PYDANTIC_INTERNALS if cls.kind is Kind.PYDANTIC else ()

    def visit_of(self, cls: _Node, name: str) -> Hashable:
        if cls.opaque:
            return None
        declared = next((d for d in cls.declared if d.name == name), None)
        if declared is None:
            return None
        annotation = declared.annotation
        return visit_for_option(annotation.option, annotation.type), annotation.function


def _field_visit(cls: _Node, owner: _Node, name: str, problems: list[Problem]) -> FieldVisit | None:
    """The visit of field ``name`` declared by ``owner``, inline in ``cls``'s method."""
    declared = next((d for d in owner.declared if d.name == name), None)
    if declared is None:  # the class's own extra state (pydantic's)
        return FieldVisit(name, name, Visit(DYNAMIC_VISIT))
    annotation = declared.annotation
    visit = visit_for_option(annotation.option, annotation.type)
    if visit is None:
        return None
    if owner is cls:
        return FieldVisit(name, name, visit, annotation.function)
    if annotation.function is not None and owner.source.path != cls.source.path:
        problems.append(_foreign_function(owner.source, name, owner.has_method))
        return None
    attr = _mangled(name, owner.source.node.name.value)
    return FieldVisit(name, attr, visit, annotation.function)


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


def _foreign_function(source: ClassSource, name: str, has_method: bool) -> Problem:
    base = source.node.name.value
    if has_method:
        fix = (
            f"'{base}.__allocative__' is not called because another base's method covers "
            f"some of the same fields; reorder or mark the bases so that one method covers '{name}'"
        )
    else:
        fix = f"mark '{base}' @allocative so its own method visits it"
    message = (
        f"field '{name}' of base '{base}' uses visit_with() from another module "
        f"({source.path}); {fix}"
    )
    return Problem(source.line, message)
