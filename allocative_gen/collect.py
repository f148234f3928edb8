"""Collect a marked class's visits, its bases' fields included, into :class:`MethodFacts`."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field, replace

from allocative_gen.bases import MAX_DEPTH, BaseFinder, class_bases, class_kind
from allocative_gen.fields import Declared, declared_fields
from allocative_gen.inheritance import CallBase, linearize, plan
from allocative_gen.kinds import has_own_method, is_opaque
from allocative_gen.members import inherits
from allocative_gen.model import BaseCall, FieldVisit, MethodFacts, Problem, Step
from allocative_gen.rules import (
    DYNAMIC_VISIT,
    PYDANTIC_INTERNALS,
    UNMARKABLE,
    Kind,
    Option,
    Read,
    Visit,
    read_of,
    stored_name,
    visit_for_option,
)
from allocative_gen.sources import ClassSource


def method_facts(
    source: ClassSource, finder: BaseFinder, quoted: bool, visitor: str = "Visitor"
) -> tuple[MethodFacts, list[Problem]]:
    """The facts of a marked class's method, and problems (errors and warnings) found.

    Which bases are called and which inherited fields are visited inline is
    :func:`allocative_gen.inheritance.plan`'s rule, shared with the mypy plugin.
    """
    name = source.name
    graph = _Graph(finder)
    cls = graph.node(source, 0)
    reason = UNMARKABLE.get(cls.kind)
    if reason is not None:
        return MethodFacts(name, (), quoted, visitor), [Problem(source.line, f"'{name}' {reason}")]
    if cls.opaque:
        return MethodFacts(name, (), quoted, visitor), []
    planned = plan(graph, cls)
    problems: list[Problem] = []
    for opened in planned.opened:
        problems.extend(_unknown_base(opened.source, *base) for base in opened.unknown)
    steps: list[Step] = []
    for step in planned.steps:
        if isinstance(step, CallBase):
            steps.append(BaseCall(cls.reach[step.position]))
            continue
        visit = _field_visit(cls, step.owner, step.name, problems)
        if visit is not None:
            steps.append(visit)
    problems = [replace(problem, line=source.line) for problem in problems]
    return MethodFacts(name, tuple(steps), quoted, visitor), problems


@dataclass(eq=False)
class _Node:
    """A class of the graph: its statement, kind, declared fields and resolved bases.

    A class outside the project declares no fields (the runtime measures its attributes);
    it is in the graph only when it has a method of its own, which a subclass calls.
    """

    source: ClassSource
    kind: Kind
    declared: list[Declared]
    has_method: bool
    opaque: bool
    bases: list[_Node] = field(default_factory=list)
    reach: list[str] = field(default_factory=list)
    unknown: list[tuple[str, bool]] = field(default_factory=list)
    """Bases not found: as written, and whether a name (else an expression)."""


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
        outside = source.module.outside
        node = _Node(
            source,
            kind,
            [] if outside else declared_fields(source.node, source.names, kind),
            has_own_method(source.node, source.names, kind),
            is_opaque(source.node, source.names),
        )
        self._nodes[id(source.node)] = node
        if depth >= MAX_DEPTH:
            return node
        for base in class_bases(source, self._finder):
            if base.found is None:
                if not base.fieldless and not outside:
                    node.unknown.append((base.written, bool(base.qualified)))
                continue
            base_node = self.node(base.found, depth + 1)
            if _adds_nothing(base.fieldless, base_node):
                continue
            node.bases.append(base_node)
            node.reach.append(base.reach)
        if node.bases:
            node.declared = [self._inherited(node, declared) for declared in node.declared]
        return node

    def _inherited(self, node: _Node, own: Declared) -> Declared:
        """``own`` with the type and option it keeps from the declaration its MRO holds
        next (:func:`allocative_gen.members.inherits`)."""
        for ancestor in self.mro(node)[1:]:
            base = next((d for d in ancestor.declared if d.name == own.name), None)
            if base is None:
                continue
            mine, theirs = own.annotation, base.annotation
            takes_type, takes_option = inherits(own.annotated, mine.option, theirs.option)
            if takes_type:
                mine = replace(mine, type=theirs.type)
            if takes_option:
                mine = replace(mine, option=theirs.option, function=theirs.function)
            return replace(own, annotation=mine, annotated=own.annotated or base.annotated)
        return own

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


def _adds_nothing(fieldless: bool, base: _Node) -> bool:
    """Whether a base adds neither fields nor a method: a class outside the project or an
    unmarked named tuple (its items are the built-in part), without a method of its own."""
    return (fieldless or base.kind is Kind.NAMEDTUPLE) and not base.has_method


def _field_visit(cls: _Node, owner: _Node, name: str, problems: list[Problem]) -> FieldVisit | None:
    """The visit of field ``name`` declared by ``owner``, inline in ``cls``'s method."""
    declared = next((d for d in owner.declared if d.name == name), None)
    if declared is None:  # the class's own extra state (pydantic's)
        return FieldVisit(name, Read(name, False), Visit(DYNAMIC_VISIT))
    annotation = declared.annotation
    visit = visit_for_option(annotation.option, annotation.type)
    if annotation.option is Option.STORED:
        return FieldVisit(stored_name(name, owner.source.name), Read(name, False), visit)
    read = read_of(name, owner.source.name, owner is cls, declared.certain)
    if owner is cls:
        return FieldVisit(name, read, visit, annotation.function)
    if annotation.function is not None and owner.source.path != cls.source.path:
        problems.append(_foreign_function(owner.source, name, owner.has_method))
        return None
    return FieldVisit(name, read, visit, annotation.function)


def _unknown_base(source: ClassSource, written: str, is_name: bool) -> Problem:
    what = "was not found" if is_name else "is not a class name"
    fix = "; pass its file to allocative-gen or mark it @allocative" if is_name else ""
    message = (
        f"warning: base '{written}' of '{source.name}' {what}, so its fields are not visited "
        f"here (the runtime measures them by name){fix}"
    )
    return Problem(source.line, message, warning=True)


def _foreign_function(source: ClassSource, name: str, has_method: bool) -> Problem:
    base = source.name
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
