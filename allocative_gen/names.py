"""What the names of a module refer to: its imports, its own classes, and the built-ins."""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field
from typing import NamedTuple

import libcst as cst

import allocative

_BUILTINS = frozenset(dir(builtins))
_RUNTIME = "allocative"
_RUNTIME_PUBLIC = tuple(allocative.__all__)
"""What ``from allocative import *`` binds (the runtime's ``__init__`` loads only the marker)."""
LOCAL = "<module>"
"""The prefix of the qualified name of something the module itself defines."""


@dataclass(frozen=True)
class Names:
    """The module-level bindings of a module: imported names, names it defines, and the
    modules it imports ``*`` from (other than the runtime, whose names are known)."""

    imports: dict[str, str]
    defined: frozenset[str]
    stars: tuple[str, ...] = ()
    modules: dict[str, str] = field(default_factory=dict)
    """The module each imported name is taken from (:attr:`Imported.module`)."""

    def resolve(self, name: str) -> str:
        """The qualified name that ``name`` refers to at module level."""
        imported = self.imports.get(name)
        if imported is not None:
            return imported
        if name in self.defined:
            return f"{LOCAL}.{name}"
        if name in _BUILTINS:
            return f"builtins.{name}"
        return f"{LOCAL}.{name}"

    def qualified(self, node: cst.BaseExpression) -> str | None:
        """The qualified name of a name or dotted attribute expression; None for others."""
        if isinstance(node, cst.Name):
            return self.resolve(node.value)
        if isinstance(node, cst.Attribute):
            owner = self.qualified(node.value)
            return None if owner is None else f"{owner}.{node.attr.value}"
        return None

    def local_name_of(self, qualified: str) -> str | None:
        """A module-level name bound to ``qualified`` by an import, if any."""
        for local, target in self.imports.items():
            if target == qualified:
                return local
        return None


def module_names(module: cst.Module) -> Names:
    """Collect the imports and definitions at the top level of ``module`` (also in if/try)."""
    imports: dict[str, str] = {}
    modules: dict[str, str] = {}
    defined: set[str] = set()
    stars: list[str] = []
    for statement in _top_level(module.body):
        if isinstance(statement, cst.ClassDef | cst.FunctionDef):
            defined.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                _bind(small, imports, modules, defined, stars)
    return Names(imports, frozenset(defined - imports.keys()), tuple(stars), modules)


def _top_level(body: object) -> list[cst.CSTNode]:
    """Module-level statements, looking inside ``if``, ``try`` and ``else`` blocks."""
    found: list[cst.CSTNode] = []
    for statement in body:  # type: ignore[attr-defined]
        found.append(statement)
        if isinstance(statement, cst.If | cst.Try | cst.Else):
            found.extend(_top_level(_block_body(statement.body)))
            orelse = getattr(statement, "orelse", None)
            if orelse is not None:
                found.extend(_top_level([orelse]))
            for handler in getattr(statement, "handlers", ()):
                found.extend(_top_level(_block_body(handler.body)))
    return found


def _block_body(block: cst.BaseSuite) -> tuple[cst.CSTNode, ...]:
    if isinstance(block, cst.IndentedBlock):
        return tuple(block.body)
    assert isinstance(block, cst.SimpleStatementSuite)
    return (cst.SimpleStatementLine(body=block.body),)


def _bind(
    small: cst.BaseSmallStatement,
    imports: dict[str, str],
    modules: dict[str, str],
    defined: set[str],
    stars: list[str],
) -> None:
    """Record what one small statement binds at module level."""
    if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
        source = _source(small)
        if source == _RUNTIME:
            for name in _RUNTIME_PUBLIC:
                imports.setdefault(name, f"{_RUNTIME}.{name}")
        else:
            stars.append(source)
    elif isinstance(small, cst.Import | cst.ImportFrom):
        for name, imported in import_bindings(small).items():
            if name not in imports:  # the first binding wins, as for mypy
                imports[name], modules[name] = imported
    elif isinstance(small, cst.Assign | cst.AnnAssign):
        targets = small.targets if isinstance(small, cst.Assign) else [small]
        for target in targets:
            if isinstance(target.target, cst.Name):
                defined.add(target.target.value)


class Imported(NamedTuple):
    """What an import binds a name to: its qualified name, and the module it is taken from.

    ``import a.b`` binds ``a`` to module ``a``; ``import a.b as c`` binds ``c`` to module
    ``a.b``; ``from a.b import c`` binds ``c`` to ``a.b.c``, taken from module ``a.b``: the
    attribute ``c`` of that module, or else its submodule ``c``, as Python imports it. The
    module part is found by module name, never through what a package binds.
    """

    qualified: str
    module: str


def import_bindings(small: cst.Import | cst.ImportFrom) -> dict[str, Imported]:
    """The names an import statement binds and what each refers to (a star binds none)."""
    found: dict[str, Imported] = {}
    if isinstance(small, cst.Import):
        for alias in small.names:
            dotted = _dotted(alias.name)
            if alias.asname is not None:
                found[_asname(alias)] = Imported(dotted, dotted)
            else:
                top = dotted.split(".")[0]
                found[top] = Imported(top, top)
        return found
    if isinstance(small.names, cst.ImportStar):
        return found
    source = _source(small)
    for alias in small.names:
        name = _dotted(alias.name)
        local = _asname(alias) if alias.asname is not None else name
        found[local] = Imported(join_module(source, name), source)
    return found


def join_module(module: str, name: str) -> str:
    """``name`` inside module ``module``: ``a.b`` and ``c`` give ``a.b.c``, ``..`` gives ``..c``."""
    return module + name if module.endswith(".") else f"{module}.{name}"


def _source(small: cst.ImportFrom) -> str:
    return "." * len(small.relative) + (_dotted(small.module) if small.module else "")


def _asname(alias: cst.ImportAlias) -> str:
    assert alias.asname is not None
    name = alias.asname.name
    return name.value if isinstance(name, cst.Name) else ""


def _dotted(node: cst.BaseExpression) -> str:
    """``a.b.c`` from a name or attribute chain ("" for anything else)."""
    return dotted(node) or ""


def dotted(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` from a name or attribute chain; None for any other expression."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        owner = dotted(node.value)
        return None if owner is None else f"{owner}.{node.attr.value}"
    return None


def bound_anywhere(module: ast.Module) -> frozenset[str]:
    """Every name the module binds or reads in any scope: names the generator must not take."""
    found: set[str] = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            found.add(node.name)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            found.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            found.add(node.rest)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            found.update(node.names)
    return frozenset(found)
