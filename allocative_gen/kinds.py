"""Which kind of class a class statement makes, and what its decorators say.

The kinds and the decorators that make them are :mod:`allocative_gen.rules`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import libcst as cst

from allocative_gen.names import Names
from allocative_gen.rules import (
    ATTRS_CLASSIC,
    ATTRS_NEXT_GEN,
    DATACLASS_DECORATORS,
    MARKER,
    METHOD_NAME,
    OPAQUE,
    UNMARKABLE,
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


def has_own_method(node: cst.ClassDef, names: Names, kind: Kind) -> bool:
    """Whether the class itself gives instances an ``__allocative__``: written, ``@opaque``,
    or marked (unless its kind cannot have one: a marked Protocol gets no method)."""
    decorators = decorator_names(node, names)
    if OPAQUE in decorators or (MARKER in decorators and kind not in UNMARKABLE):
        return True
    return any(
        isinstance(statement, cst.FunctionDef) and statement.name.value == METHOD_NAME
        for statement, _ in class_body(node)
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


Statement = cst.BaseStatement | cst.BaseSmallStatement


class BodyStatement(NamedTuple):
    """A statement of a class body, and the trailing comment of its line when it is alone on
    it (where a ``# type:`` comment of the statement sits)."""

    statement: Statement
    comment: cst.Comment | None


def class_body(node: cst.ClassDef) -> list[BodyStatement]:
    """The statements of a class body, small statements of one-line bodies included, and
    those inside ``if``, ``try`` and ``with`` blocks of the body (methods defined there)."""
    found: list[BodyStatement] = []
    _flatten(node.body, found)
    return found


def _flatten(suite: cst.BaseSuite, found: list[BodyStatement]) -> None:
    for statement, comment in suite_statements(suite):
        found.append(BodyStatement(statement, comment))
        if isinstance(statement, cst.If | cst.Try | cst.TryStar | cst.With):
            for block in compound_suites(statement):
                _flatten(block, found)


def suite_statements(suite: cst.BaseSuite) -> list[tuple[Statement, cst.Comment | None]]:
    """The statements of a block, small statements unpacked, each with its line's trailing
    comment when it is alone on its line."""
    if isinstance(suite, cst.SimpleStatementSuite):
        return _small(suite.body, suite.trailing_whitespace.comment)
    found: list[tuple[Statement, cst.Comment | None]] = []
    for statement in suite.body:
        if isinstance(statement, cst.SimpleStatementLine):
            found.extend(_small(statement.body, statement.trailing_whitespace.comment))
        else:
            found.append((statement, None))
    return found


def _small(
    body: Sequence[cst.BaseSmallStatement], comment: cst.Comment | None
) -> list[tuple[Statement, cst.Comment | None]]:
    alone = comment if len(body) == 1 else None
    return [(small, alone) for small in body]


def compound_suites(node: cst.CSTNode) -> list[cst.BaseSuite]:
    """The blocks of a compound statement, its ``elif``, ``else``, ``except``, ``finally``
    and ``case`` clauses included, in source order."""
    found: list[cst.BaseSuite] = []
    body = getattr(node, "body", None)
    if isinstance(body, cst.BaseSuite):
        found.append(body)
    for name in ("handlers", "cases"):
        for clause in getattr(node, name, ()):
            found.extend(compound_suites(clause))
    for name in ("orelse", "finalbody"):
        clause = getattr(node, name, None)
        if isinstance(clause, cst.CSTNode):
            found.extend(compound_suites(clause))
    return found
