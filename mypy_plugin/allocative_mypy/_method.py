"""Read back what a generated ``__allocative__`` method visits, from its body (never a comment).

The shapes are the ones :mod:`allocative_gen.rules` documents: field visits
``visitor.<visit>("<field>", self.<attr>[, <type names>])``, base calls
``<Base>.__allocative__(self, visitor)``, and ``pass``. Anything else is an
unrecognised statement.
"""

from __future__ import annotations

from typing import NamedTuple

from mypy.nodes import (
    CallExpr,
    Expression,
    ExpressionStmt,
    FuncDef,
    MemberExpr,
    NameExpr,
    PassStmt,
    RefExpr,
    Statement,
    StrExpr,
    TypeInfo,
)

from allocative_gen import rules
from allocative_gen.rules import Visit

_VISIT_WITH_FUNCTION = "visit_field_with"
_NONE = "None"


class FieldCall(NamedTuple):
    """``visitor.<visit>("<field>", self.<attr>, ...)``: one field visit."""

    field: str
    attr: str | None
    visit: Visit
    line: int


class BaseCall(NamedTuple):
    """``<Base>.__allocative__(self, visitor)``: the base visits the fields it owns."""

    base: TypeInfo
    line: int


class Unrecognised(NamedTuple):
    """A statement that is not one the generator writes."""

    line: int


Step = FieldCall | BaseCall | Unrecognised


def read_steps(method: FuncDef) -> list[Step] | None:
    """The steps of a method's body, or None when its signature is not ``(self, visitor)``."""
    if len(method.arguments) != 2:
        return None
    names = (method.arguments[0].variable.name, method.arguments[1].variable.name)
    steps = (_read_statement(stmt, *names) for stmt in method.body.body)
    return [step for step in steps if step is not None]


def _read_statement(stmt: Statement, self_name: str, visitor_name: str) -> Step | None:
    if isinstance(stmt, PassStmt):
        return None
    if not isinstance(stmt, ExpressionStmt):
        return Unrecognised(stmt.line)
    if isinstance(stmt.expr, StrExpr):
        return None
    call = stmt.expr
    if isinstance(call, CallExpr) and isinstance(call.callee, MemberExpr):
        step = _read_call(call, call.callee, self_name, visitor_name)
        if step is not None:
            return step
    return Unrecognised(stmt.line)


def _read_call(call: CallExpr, callee: MemberExpr, self_name: str, visitor: str) -> Step | None:
    target = callee.expr
    if callee.name == rules.METHOD_NAME and isinstance(target, RefExpr):
        if isinstance(target.node, TypeInfo):
            return BaseCall(target.node, call.line)
        return None
    is_visitor = isinstance(target, NameExpr) and target.name == visitor
    if not is_visitor or callee.name not in rules.FIELD_VISITS or len(call.args) < 2:
        return None
    field = call.args[0]
    if not isinstance(field, StrExpr):
        return None
    names = [] if callee.name == _VISIT_WITH_FUNCTION else [_type_name(a) for a in call.args[2:]]
    while names and names[-1] == _NONE:
        names.pop()
    visit = Visit(callee.name, tuple(names))
    return FieldCall(field.value, _self_attribute(call.args[1], self_name), visit, call.line)


def normalised(visit: Visit) -> Visit:
    """``visit`` without trailing ``None`` type names, which the generator leaves out."""
    if not visit.type_args or visit.type_args[-1] != _NONE:
        return visit
    names = list(visit.type_args)
    while names and names[-1] == _NONE:
        names.pop()
    return Visit(visit.method, tuple(names))


def _self_attribute(expr: Expression, self_name: str) -> str | None:
    """``attr`` of ``self.attr``, or of ``getattr(self, "attr")`` (a base's mangled name)."""
    if isinstance(expr, CallExpr) and _is_getattr_of(expr, self_name):
        name = expr.args[1]
        return name.value if isinstance(name, StrExpr) else None
    if not isinstance(expr, MemberExpr) or not isinstance(expr.expr, NameExpr):
        return None
    return expr.name if expr.expr.name == self_name else None


def _is_getattr_of(call: CallExpr, self_name: str) -> bool:
    callee, args = call.callee, call.args
    if not isinstance(callee, NameExpr) or callee.name != "getattr" or len(args) != 2:
        return False
    return isinstance(args[0], NameExpr) and args[0].name == self_name


def _type_name(expr: Expression) -> str:
    """``str``, ``None``: the type name written as a visit's extra argument."""
    if isinstance(expr, (NameExpr, MemberExpr)):
        return expr.name
    return "?"
