"""The class statements of a module in source order, and the scope each one is written in.

A base class is looked up as Python evaluates it: in the scope the ``class`` statement
is in (a class body, a function body or the module), then in the enclosing function
bodies and the module, never in an enclosing class body. Each scope records what its
statements bind a name to: a class statement, an import, or an assigned expression
(``Base = namedtuple(...)``, ``Alias = Base``); the first binding in the source wins, as
for mypy (``try: from _c import X`` / ``except ImportError: class X``: the import). A
generated method names a class of its own module by its path from the nearest function
or module (``Outer.Inner``), which is what code inside a method can see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst

from allocative_gen.names import Imported, import_bindings

Bound = cst.ClassDef | cst.FunctionDef | Imported | cst.BaseExpression
"""What a scope binds a name to: a class or function statement, an import, or the
expression assigned to it."""


@dataclass(eq=False)
class Scope:
    """A module, class body or function body, and what it binds names to.

    ``path`` is how a method reaches this scope's classes: ``("Outer",)`` for the body of
    a module-level ``Outer``, ``()`` for the module or a function body.
    """

    is_class: bool
    parent: Scope | None
    path: tuple[str, ...]
    bound: dict[str, Bound] = field(default_factory=dict)


@dataclass
class ModuleClasses:
    """Every class statement of a module, nested ones included, in source order."""

    order: list[cst.ClassDef]
    scope_of: dict[int, Scope]
    """The scope each class statement (by ``id``) is written in."""
    body_of: dict[int, Scope]
    """The scope of each class statement's own body."""
    top: Scope
    within: dict[int, tuple[int, ...]] = field(default_factory=dict)
    """The ``id``s of the compound statements each class statement is inside."""

    def lookup(self, name: str, written_in: Scope) -> tuple[Bound, Scope] | None:
        """What ``name`` written in scope ``written_in`` is bound to, and where."""
        scope: Scope | None = written_in
        first = True
        while scope is not None:
            if first or not scope.is_class:
                found = scope.bound.get(name)
                if found is not None:
                    return found, scope
            first = False
            scope = scope.parent
        return None

    def at_top(self, dotted: str) -> Bound | None:
        """What the module binds ``dotted`` to (a nested class: ``Outer.Inner``)."""
        first, *rest = dotted.split(".")
        found = self.top.bound.get(first)
        if not rest or found is None:
            return found
        return self.inside(found, rest) if isinstance(found, cst.ClassDef) else None

    def inside(self, node: cst.ClassDef, parts: Sequence[str]) -> cst.ClassDef | None:
        """The class nested in ``node`` by the path ``parts`` (``()``: ``node`` itself)."""
        for part in parts:
            inner = self.body_of[id(node)].bound.get(part)
            if not isinstance(inner, cst.ClassDef):
                return None
            node = inner
        return node

    def reach(self, node: cst.ClassDef) -> str:
        """How a method of this module names class ``node``: its path from its nearest
        function or module scope."""
        return ".".join((*self.scope_of[id(node)].path, node.name.value))


def module_classes(module: cst.Module) -> ModuleClasses:
    """The class statements of ``module`` and their scopes."""
    top = Scope(is_class=False, parent=None, path=())
    result = ModuleClasses([], {}, {}, top)
    for statement in module.body:
        _walk(statement, top, result, ())
    return result


def _walk(node: cst.CSTNode, scope: Scope, result: ModuleClasses, within: tuple[int, ...]) -> None:
    if isinstance(node, cst.SimpleStatementLine | cst.SimpleStatementSuite):
        for small in node.body:
            _bind(small, scope)
        return
    if isinstance(node, cst.ClassDef):
        result.order.append(node)
        result.within[id(node)] = within
        result.scope_of[id(node)] = scope
        scope.bound.setdefault(node.name.value, node)
        path = (*scope.path, node.name.value)
        inner = Scope(is_class=True, parent=scope, path=path)
        result.body_of[id(node)] = inner
        scope = inner
    elif isinstance(node, cst.FunctionDef):
        scope.bound.setdefault(node.name.value, node)
        scope = Scope(is_class=False, parent=scope, path=())
    inside = (*within, id(node))
    for child in suites(node):
        _walk(child, scope, result, inside)


def _bind(small: cst.BaseSmallStatement, scope: Scope) -> None:
    """Record what a small statement binds in ``scope``."""
    if isinstance(small, cst.Import | cst.ImportFrom):
        for name, imported in import_bindings(small).items():
            scope.bound.setdefault(name, imported)
    elif isinstance(small, cst.Assign | cst.AnnAssign) and small.value is not None:
        targets = small.targets if isinstance(small, cst.Assign) else [small]
        for target in targets:
            if isinstance(target.target, cst.Name):
                scope.bound.setdefault(target.target.value, small.value)


def suites(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The statements (and clauses holding statements) directly inside a compound statement."""
    children: list[cst.CSTNode] = []
    body = getattr(node, "body", None)
    if isinstance(body, cst.IndentedBlock):
        children.extend(body.body)
    elif isinstance(body, cst.SimpleStatementSuite):
        children.append(body)
    elif isinstance(body, list | tuple):
        children.extend(body)
    for name in ("handlers", "cases"):
        children.extend(getattr(node, name, ()))
    for name in ("orelse", "finalbody"):
        clause = getattr(node, name, None)
        if isinstance(clause, cst.CSTNode):
            children.append(clause)
    return children
