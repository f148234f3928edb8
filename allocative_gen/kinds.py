"""Which kind of class a class statement makes, and what its decorators say.

The kinds and the decorators that make them are :mod:`allocative_gen.rules`'s.
"""

from __future__ import annotations

import libcst as cst

from allocative_gen.names import Names
from allocative_gen.rules import (
    ATTRS_CLASSIC,
    ATTRS_NEXT_GEN,
    DATACLASS_DECORATORS,
    MARKER,
    METHOD_NAME,
    OPAQUE,
    Kind,
    canonical,
)


def decorator_names(node: cst.ClassDef | cst.FunctionDef, names: Names) -> list[str]:
    """The qualified names of a definition's decorators (``@f(...)`` gives ``f``'s)."""
    found = []
    for decorator in node.decorators:
        expression = decorator.decorator
        if isinstance(expression, cst.Call):
            expression = expression.func
        found.append(canonical(names.qualified(expression) or ""))
    return found


def is_marked(node: cst.ClassDef, names: Names) -> bool:
    """Whether the class is decorated with ``allocative.allocative``, however imported."""
    return MARKER in decorator_names(node, names)


def has_own_method(node: cst.ClassDef, names: Names) -> bool:
    """Whether the class itself gives instances an ``__allocative__`` (marked, opaque, written)."""
    decorators = decorator_names(node, names)
    if MARKER in decorators or OPAQUE in decorators:
        return True
    return any(
        isinstance(statement, cst.FunctionDef) and statement.name.value == METHOD_NAME
        for statement in body_statements(node)
    )


def is_opaque(node: cst.ClassDef, names: Names) -> bool:
    """Whether the class is also decorated ``@allocative.opaque``: no field is visited."""
    return OPAQUE in decorator_names(node, names)


def decorator_kind(node: cst.ClassDef, names: Names) -> Kind | None:
    """The kind a class decorator gives the class, if any."""
    for decorator in node.decorators:
        expression = decorator.decorator
        call = expression if isinstance(expression, cst.Call) else None
        name = canonical(names.qualified(call.func if call else expression) or "")
        if name in DATACLASS_DECORATORS:
            return Kind.DATACLASS
        if name in ATTRS_NEXT_GEN:
            return _attrs_kind(call, default=None)
        if name in ATTRS_CLASSIC:
            return _attrs_kind(call, default=False)
    return None


def _attrs_kind(call: cst.Call | None, default: bool | None) -> Kind:
    """The attrs kind that ``auto_attribs`` (given in ``call`` or by ``default``) selects."""
    auto = default
    for arg in call.args if call else ():
        if arg.keyword is not None and arg.keyword.value == "auto_attribs":
            auto = isinstance(arg.value, cst.Name) and arg.value.value == "True"
    if auto is None:
        return Kind.ATTRS_DETECT
    return Kind.ATTRS_AUTO if auto else Kind.ATTRS


def body_statements(node: cst.ClassDef) -> list[cst.BaseStatement | cst.BaseSmallStatement]:
    """The statements of a class body, small statements of one-line bodies included."""
    body = node.body
    if isinstance(body, cst.SimpleStatementSuite):
        return list(body.body)
    found: list[cst.BaseStatement | cst.BaseSmallStatement] = []
    for statement in body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            found.extend(statement.body)
        else:
            found.append(statement)
    return found
