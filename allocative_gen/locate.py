"""Find the class statements of a module, in source order, in libcst's tree and Python's ``ast``.

Both walks visit only statements, in the same order, so the n-th class of one is
the n-th class of the other: ``ast`` gives lines and the current method cheaply.
"""

from __future__ import annotations

import ast

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

_SUITE_FIELDS = ("body", "orelse", "handlers", "finalbody", "cases")


def python_classes(text: str) -> list[ast.ClassDef] | None:
    """The module's class statements as Python's ``ast`` sees them, in source order."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    found: list[ast.ClassDef] = []

    def walk(statements: list[ast.AST]) -> None:
        for statement in statements:
            if isinstance(statement, ast.ClassDef):
                found.append(statement)
            for name in _SUITE_FIELDS:
                inner = getattr(statement, name, None)
                if isinstance(inner, list):
                    walk(inner)

    walk(list(tree.body))
    return found


def class_statements(module: cst.Module) -> list[cst.ClassDef]:
    """The module's class statements, nested ones included, in source order."""
    found: list[cst.ClassDef] = []

    def walk(node: cst.CSTNode) -> None:
        if isinstance(node, cst.ClassDef):
            found.append(node)
        if isinstance(node, cst.SimpleStatementLine | cst.SimpleStatementSuite):
            return
        for child in _suites(node):
            walk(child)

    for statement in module.body:
        walk(statement)
    return found


def _suites(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The statements (and clauses holding statements) directly inside a compound statement."""
    children: list[cst.CSTNode] = []
    body = getattr(node, "body", None)
    if isinstance(body, cst.IndentedBlock):
        children.extend(body.body)
    elif isinstance(body, list | tuple):
        children.extend(body)
    for name in ("handlers", "cases"):
        children.extend(getattr(node, name, ()))
    for name in ("orelse", "finalbody"):
        clause = getattr(node, name, None)
        if isinstance(clause, cst.CSTNode):
            children.append(clause)
    return children


def class_lines(module: cst.Module) -> dict[int, int]:
    """Line of each class statement, from libcst (for text Python's ``ast`` cannot parse)."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    return {
        id(node): position.start.line
        for node, position in positions.items()
        if isinstance(node, cst.ClassDef)
    }
