"""A class body read again from its file, when mypy no longer holds it.

mypy frees a module's tree once the module is checked (unless it keeps ASTs), and a
module loaded from its cache has no tree at all; the class's ``TypeInfo`` and the
module's symbol table stay. A marked class keeps its fields in its metadata, but an
unmarked base in another module has only its source: its statement is parsed again,
without semantic analysis, and read by the same rules (names are resolved through the
module's symbol table, types taken from the class's symbols).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Final

from mypy.errors import Errors
from mypy.fastparse import parse
from mypy.nodes import (
    AssignmentStmt,
    Block,
    CallExpr,
    ClassDef,
    Decorator,
    Expression,
    ExpressionStmt,
    FuncDef,
    IfStmt,
    MemberExpr,
    MypyFile,
    NameExpr,
    OverloadedFuncDef,
    RefExpr,
    Statement,
    TryStmt,
    TypeInfo,
    WithStmt,
)
from mypy.options import Options
from mypy.types import UnboundType

from allocative_gen.rules import FINAL, IMPLICIT_CLASS_METHODS
from allocative_mypy._body import compound_blocks

_STATIC: Final = "builtins.staticmethod"
_CLASS: Final = "builtins.classmethod"

_PARSED: dict[str, tuple[bytes, MypyFile | None]] = {}
"""Each file parsed again, by path, with the bytes it was parsed from, for the build
whose module table's ``id`` is :data:`_BUILD` only (one process may run many builds:
``mypy.api.run``; no reference to a build is kept)."""
_BUILD: list[int] = []
_MAX_PARSED: Final = 256


Resolve = Callable[[str], "str | None"]
"""The canonical full name a (dotted) name written in the class's module refers to."""


def source_body(
    info: TypeInfo, modules: dict[str, MypyFile], options: Options, resolve: Resolve
) -> list[Statement]:
    """The statements of ``info``'s class body parsed again from its file (empty when the
    file cannot be read or parsed, or the class is not found there), with what the rules
    read of semantic analysis filled in: called names' full names, static and class
    methods, ``Final`` declarations."""
    if [id(modules)] != _BUILD:
        _PARSED.clear()
        _BUILD[:] = [id(modules)]
    module = modules.get(info.module_name)
    path = module.path if module is not None else None
    if not path or path.endswith(".pyi"):
        return []
    tree = _parsed(path, info.module_name, options)
    if tree is None:
        return []
    for defn in _classes(tree.defs):
        if defn.name == info.name and defn.line == info.defn.line:
            _Names(resolve).statements(defn.defs.body)
            return defn.defs.body
    return []


class _Names:
    """Fills in what mypy's semantic analysis would of a class body parsed again: the full
    names of called names, static and class methods, ``Final`` declarations."""

    def __init__(self, resolve: Resolve) -> None:
        self._resolve = resolve

    def statements(self, body: Sequence[Statement]) -> None:
        for stmt in body:
            self._statement(stmt)

    def _statement(self, stmt: Statement) -> None:
        if isinstance(stmt, AssignmentStmt):
            written = stmt.unanalyzed_type
            if isinstance(written, UnboundType) and self._resolve(written.name) == FINAL:
                stmt.is_final_def = True
            self._call(stmt.rvalue)
        elif isinstance(stmt, ExpressionStmt):
            self._call(stmt.expr)
        elif isinstance(stmt, Decorator):
            for decorator in stmt.original_decorators:
                self._fill(decorator)
            names = {self._resolve(_dotted(d) or "") for d in stmt.original_decorators}
            stmt.func.is_static = stmt.func.is_static or _STATIC in names
            stmt.func.is_class = stmt.func.is_class or _CLASS in names
            self._statement(stmt.func)
        elif isinstance(stmt, FuncDef):
            if stmt.name == "__new__":
                stmt.is_static = True
            elif stmt.name in IMPLICIT_CLASS_METHODS:
                stmt.is_class = True
            self.statements(stmt.body.body)
        elif isinstance(stmt, OverloadedFuncDef):
            for item in stmt.items:
                self._statement(item)
        else:
            for block in compound_blocks(stmt):
                self.statements(block.body)

    def _call(self, expr: Expression) -> None:
        if isinstance(expr, CallExpr):
            self._fill(expr.callee)

    def _fill(self, expr: Expression) -> None:
        if isinstance(expr, MemberExpr):
            self._fill(expr.expr)
        if isinstance(expr, RefExpr) and not expr.fullname:
            written = _dotted(expr)
            found = self._resolve(written) if written else None
            if found:
                expr.fullname = found


def _dotted(expr: Expression) -> str | None:
    if isinstance(expr, NameExpr):
        return expr.name
    if isinstance(expr, MemberExpr):
        owner = _dotted(expr.expr)
        return None if owner is None else f"{owner}.{expr.name}"
    return None


def _parsed(path: str, module: str, options: Options) -> MypyFile | None:
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    found = _PARSED.get(path)
    if found is not None and found[0] == data:
        return found[1]
    fresh = Options()
    fresh.python_version = options.python_version
    try:
        tree: MypyFile | None = parse(data, path, module, Errors(fresh), fresh)
    except Exception:  # a file that does not parse any more is a class not found
        tree = None
    if len(_PARSED) >= _MAX_PARSED:
        _PARSED.clear()
    _PARSED[path] = (data, tree)
    return tree


def _classes(statements: Sequence[Statement]) -> Iterator[ClassDef]:
    """Every class statement among ``statements``, nested ones included."""
    for stmt in statements:
        if isinstance(stmt, ClassDef):
            yield stmt
        for block in _blocks(stmt):
            yield from _classes(block.body)


def _blocks(stmt: Statement) -> list[Block]:
    if isinstance(stmt, ClassDef):
        return [stmt.defs]
    if isinstance(stmt, FuncDef):
        return [stmt.body]
    if isinstance(stmt, Decorator):
        return [stmt.func.body]
    if isinstance(stmt, OverloadedFuncDef):
        return [item.body for item in stmt.items if isinstance(item, FuncDef)]
    if isinstance(stmt, IfStmt):
        return [*stmt.body, *([stmt.else_body] if stmt.else_body else [])]
    if isinstance(stmt, TryStmt):
        blocks = [stmt.body, *stmt.handlers]
        return blocks + [b for b in (stmt.else_body, stmt.finally_body) if b is not None]
    if isinstance(stmt, WithStmt):
        return [stmt.body]
    return []
