"""Find the class statements of a module, in source order, in Python's ``ast``.

This walk and :func:`allocative_gen.scopes.module_classes` visit only statements, in the
same order, so the n-th class of one is the n-th class of the other: ``ast`` gives lines
and the current method cheaply.
"""

from __future__ import annotations

import ast

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

_SUITE_FIELDS = ("body", "handlers", "orelse", "finalbody", "cases")
"""The fields of a statement that hold statements, in source order (``try``'s ``except``
clauses come before its ``else``)."""


def python_module(text: str) -> ast.Module | None:
    """The module as Python's ``ast`` parses it, or None (syntax newer than this Python)."""
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def python_classes(tree: ast.Module) -> list[ast.ClassDef]:
    """The module's class statements as Python's ``ast`` sees them, in source order."""
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


def class_lines(module: cst.Module) -> dict[int, int]:
    """Line of each class statement, from libcst (for text Python's ``ast`` cannot parse)."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    return {
        id(node): position.start.line
        for node, position in positions.items()
        if isinstance(node, cst.ClassDef)
    }
