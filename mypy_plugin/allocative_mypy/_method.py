"""Read back what a generated ``__allocative__`` method visits, from its body (never a comment).

The shapes are the ones :mod:`allocative_gen.rules` documents: field visits
``visitor.<visit>("<field>", self.<attr>[, <type names>])``, base calls
``<Base>.__allocative__(self, visitor)``, and ``pass``. Anything else is an
unrecognised statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from mypy.nodes import (
    CallExpr,
    Expression,
    ExpressionStmt,
    FuncDef,
    MemberExpr,
    NameExpr,
    PassStmt,
    RefExpr,
    StrExpr,
    TypeInfo,
)

from allocative_gen import rules
from allocative_gen.rules import Visit

if TYPE_CHECKING:
    from allocative_mypy._fields import Field

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
    self_name = method.arguments[0].variable.name
    visitor_name = method.arguments[1].variable.name
    steps: list[Step] = []
    for stmt in method.body.body:
        if isinstance(stmt, PassStmt):
            continue
        if not isinstance(stmt, ExpressionStmt):
            steps.append(Unrecognised(stmt.line))
            continue
        call = stmt.expr
        if isinstance(call, StrExpr):
            continue
        step = None
        if isinstance(call, CallExpr) and isinstance(call.callee, MemberExpr):
            step = _read_call(call, call.callee, self_name, visitor_name)
        steps.append(Unrecognised(stmt.line) if step is None else step)
    return steps


def is_current(method: FuncDef, expected: Mapping[str, Visit | None]) -> bool:
    """Whether ``method`` visits exactly the ``expected`` fields, each as expected: the fast path.

    The common case, checked without building a step per statement: a
    ``(self, visitor)`` method whose body is only ``visitor.<visit>("<field>",
    self.<field>[, <type names>])`` calls, one per field that is visited
    (``None`` in ``expected``: skipped), with the expected visit. True only
    when :func:`read_steps` and ``_stale.stale_reasons`` would find nothing
    wrong; False sends the caller to them for the reasons (also when the
    method is current in a way this does not recognise, like a base call).
    """
    arguments = method.arguments
    if len(arguments) != 2:
        return False
    self_name, visitor = arguments[0].variable.name, arguments[1].variable.name
    wanted = {name: visit for name, visit in expected.items() if visit is not None}
    for stmt in method.body.body:
        if not isinstance(stmt, ExpressionStmt):
            if isinstance(stmt, PassStmt):
                continue
            return False
        call = stmt.expr
        if not isinstance(call, CallExpr):
            if isinstance(call, StrExpr):
                continue
            return False
        callee, args = call.callee, call.args
        if not isinstance(callee, MemberExpr) or len(args) < 2:
            return False
        target, field, value = callee.expr, args[0], args[1]
        if not isinstance(target, NameExpr) or target.name != visitor:
            return False
        if not isinstance(field, StrExpr) or not isinstance(value, MemberExpr):
            return False
        name, visit_name, this = field.value, callee.name, value.expr
        visit = wanted.pop(name, None)
        if visit is None or visit.method != visit_name or value.name != name:
            return False
        if not isinstance(this, NameExpr) or this.name != self_name:
            return False
        if len(args) > 2 and visit_name != _VISIT_WITH_FUNCTION:
            if not _type_names_are(args, visit.type_args):
                return False
        elif visit.type_args:
            return False
    return not wanted


def visits_in_order(method: FuncDef, fields: Sequence[Field]) -> bool:
    """Whether ``method`` is exactly the generator's visits of ``fields``, in their order.

    The fastest path, for a class whose fields are all its own: statement ``i``
    visits the ``i``-th field that is visited, as its declaration's facts say.
    True only when :func:`is_current` would say so too; False says nothing (the
    caller asks :func:`is_current`, which accepts any order).
    """
    arguments = method.arguments
    if len(arguments) != 2:
        return False
    self_name, visitor = arguments[0].variable.name, arguments[1].variable.name
    remaining = iter(fields)
    for stmt in method.body.body:
        if type(stmt) is not ExpressionStmt:
            if isinstance(stmt, PassStmt):
                continue
            return False
        call = stmt.expr
        if type(call) is not CallExpr:
            if isinstance(call, StrExpr):
                continue
            return False
        visit = None
        for field in remaining:
            visit = field.facts.visit
            if visit is not None:
                break
        if visit is None:
            return False
        callee, args = call.callee, call.args
        if type(callee) is not MemberExpr or len(args) < 2 or callee.name != visit.method:
            return False
        target, name, value = callee.expr, args[0], args[1]
        if type(target) is not NameExpr or target.name != visitor:
            return False
        if type(name) is not StrExpr or name.value != field.name:
            return False
        if type(value) is not MemberExpr or value.name != field.name:
            return False
        this = value.expr
        if type(this) is not NameExpr or this.name != self_name:
            return False
        if len(args) > 2 and visit.method != _VISIT_WITH_FUNCTION:
            if not _type_names_are(args, visit.type_args):
                return False
        elif visit.type_args:
            return False
    return all(field.facts.visit is None for field in remaining)


def _type_names_are(args: list[Expression], names: tuple[str, ...]) -> bool:
    """Whether ``args[2:]`` name the types ``names``, then only ``None`` (left out when written).

    Runs for most fields of every marked class on mypy's cold path: :func:`_type_name` inlined.
    """
    if len(args) - 2 < len(names):
        return False
    for index, arg in enumerate(args[2:]):
        name = arg.name if isinstance(arg, (NameExpr, MemberExpr)) else "?"
        if name != (names[index] if index < len(names) else _NONE):
            return False
    return True


def _read_call(call: CallExpr, callee: MemberExpr, self_name: str, visitor: str) -> Step | None:
    target, method, args = callee.expr, callee.name, call.args
    if method == rules.METHOD_NAME and isinstance(target, RefExpr):
        if isinstance(target.node, TypeInfo):
            return BaseCall(target.node, call.line)
        return None
    is_visitor = isinstance(target, NameExpr) and target.name == visitor
    if not is_visitor or method not in rules.FIELD_VISITS or len(args) < 2:
        return None
    field = args[0]
    if not isinstance(field, StrExpr):
        return None
    if len(args) == 2 or method == _VISIT_WITH_FUNCTION:
        visit = Visit(method)
    else:
        names = [_type_name(a) for a in args[2:]]
        while names and names[-1] == _NONE:
            names.pop()
        visit = Visit(method, tuple(names))
    return FieldCall(field.value, _self_attribute(args[1], self_name), visit, call.line)


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
