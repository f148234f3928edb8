"""Make sure a module imports ``Visitor`` for type checking only, adding the import if missing.

The import never takes a name the module uses: where ``Visitor`` is bound to something
else, ``allocative.Visitor`` is imported as ``AllocativeVisitor`` (or with a number).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Final

import libcst as cst

from allocative_gen.names import Names, bound_anywhere

VISITOR_TARGETS: Final = ("allocative.Visitor", "allocative._visitor.Visitor")
_NAME: Final = "Visitor"
_ALIAS: Final = "AllocativeVisitor"


def visitor_name(names: Names, python: ast.Module | None) -> str:
    """The name generated methods of the module give ``allocative.Visitor``: the one the
    module imports it as, else ``Visitor`` unless the module binds that name itself (in
    any scope; at module level when Python cannot parse the file), else an alias."""
    for target in VISITOR_TARGETS:
        local = names.local_name_of(target)
        if local is not None:
            return local
    taken = set(names.imports) | names.defined
    if python is not None:
        taken |= bound_anywhere(python)
    if _NAME not in taken:
        return _NAME
    number = 1
    while (candidate := _ALIAS if number == 1 else f"{_ALIAS}{number}") in taken:
        number += 1
    return candidate


def ensure_visitor_import(module: cst.Module, names: Names, local: str = _NAME) -> cst.Module:
    """``module`` importing ``allocative.Visitor`` as ``local`` under ``if TYPE_CHECKING:``."""
    if any(names.imports.get(local) == target for target in VISITOR_TARGETS):
        return module
    config, newline, indent = (
        module.config_for_parsing,
        module.default_newline,
        module.default_indent,
    )
    imported = _NAME if local == _NAME else f"{_NAME} as {local}"
    visitor_import = cst.parse_statement(f"from allocative import {imported}{newline}", config)
    body: list[cst.BaseStatement] = list(module.body)
    guard = _type_checking_guard(names)
    for position, statement in enumerate(body):
        if (
            isinstance(statement, cst.If)
            and _is_guard(statement, guard)
            and isinstance(statement.body, cst.IndentedBlock)
        ):
            block = statement.body
            new_block = block.with_changes(body=[*block.body, visitor_import])
            body[position] = statement.with_changes(body=new_block)
            return module.with_changes(body=body)
    added: list[cst.BaseStatement] = []
    if guard is None:
        guard = "TYPE_CHECKING"
        merged = _merge_into_typing_import(body)
        if merged is None:
            added.append(cst.parse_statement(f"from typing import TYPE_CHECKING{newline}", config))
        else:
            body = merged
    code = f"if {guard}:{newline}{indent}from allocative import {imported}{newline}"
    block_statement = cst.parse_statement(code, config)
    blank = cst.EmptyLine(indent=False)
    added.append(block_statement.with_changes(leading_lines=[blank]))
    position = max(_after_imports(body), _after_assignment(body, guard))
    return module.with_changes(body=[*body[:position], *added, *body[position:]])


def _merge_into_typing_import(
    body: list[cst.BaseStatement],
) -> list[cst.BaseStatement] | None:
    """``body`` with ``TYPE_CHECKING`` added first to a top-level ``from typing import ...``."""
    for position, statement in enumerate(body):
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        if (
            isinstance(small, cst.ImportFrom)
            and not small.relative
            and isinstance(small.module, cst.Name)
            and small.module.value == "typing"
            and not isinstance(small.names, cst.ImportStar)
        ):
            first = small.names[0]
            if len(small.names) == 1 and isinstance(first.comma, cst.Comma):
                return None  # one name with a trailing comma: no layout to copy
            alias = cst.ImportAlias(name=cst.Name("TYPE_CHECKING"), comma=first.comma)
            names = [alias, *small.names]
            merged = statement.with_changes(body=[small.with_changes(names=names)])
            return [*body[:position], merged, *body[position + 1 :]]
    return None


def _type_checking_guard(names: Names) -> str | None:
    """How this module spells ``typing.TYPE_CHECKING``: imported, or a module-level
    ``TYPE_CHECKING = False`` (which type checkers read as true)."""
    if "TYPE_CHECKING" in names.defined:
        return "TYPE_CHECKING"
    for local, target in names.imports.items():
        if target in ("typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING"):
            return local
    for local, target in names.imports.items():
        if target == "typing":
            return f"{local}.TYPE_CHECKING"
    return None


def _is_guard(statement: cst.CSTNode, guard: str | None) -> bool:
    if guard is None or not isinstance(statement, cst.If):
        return False
    return cst.Module(body=[]).code_for_node(statement.test) == guard


def _after_assignment(body: Sequence[cst.BaseStatement], name: str) -> int:
    """The index after the last top-level statement assigning ``name`` (0 when none)."""
    position = 0
    for index, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, cst.Assign | cst.AnnAssign)
            and any(
                isinstance(target.target, cst.Name) and target.target.value == name
                for target in (small.targets if isinstance(small, cst.Assign) else [small])
            )
            for small in statement.body
        ):
            position = index + 1
    return position


def _after_imports(body: Sequence[cst.BaseStatement]) -> int:
    """The index after the last top-level import (or after the docstring when there is none)."""
    position = 0
    for index, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, cst.Import | cst.ImportFrom) for small in statement.body
        ):
            position = index + 1
    if position == 0 and body and _is_docstring(body[0]):
        position = 1
    return position


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )
