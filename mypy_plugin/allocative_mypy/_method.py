"""Read back what a generated ``__allocative__`` method visits, from its body (never a comment).

The shapes are the ones :mod:`allocative_gen.rules` documents: field visits
``visitor.<visit>("<field>", <read>[, <type names>])`` where ``<read>`` is
``self.<field>``, ``getattr(self, "<attr>")`` or ``getattr(self, "<attr>", None)``,
``visitor.skip("<field>")``, base calls ``<Base>.__allocative__(self, visitor)``, and
``pass``. Anything else is an unrecognised statement.
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
    TypeAlias,
    TypeInfo,
)
from mypy.types import Instance, get_proper_type

from allocative_gen import rules
from allocative_gen.rules import SKIP_VISIT, STORED_VISIT, Read, Visit, read_of

if TYPE_CHECKING:
    from allocative_mypy._fields import Field

_VISIT_WITH_FUNCTION = "visit_field_with"
_NONE = "None"
_SKIPPED = Read("", False)
"""The read of a ``skip`` field: there is none."""


class Expected(NamedTuple):
    """How the generator visits a field: the visit, and how it reads the field."""

    visit: Visit
    read: Read


class FieldCall(NamedTuple):
    """``visitor.<visit>("<field>", <read>, ...)``: one field visit (``read`` None: not a
    read the generator writes; ``_SKIPPED`` for ``visitor.skip("<field>")``)."""

    field: str
    read: Read | None
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


def read_steps(
    method: FuncDef, expected: Mapping[str, Expected | None] | None = None
) -> list[Step] | None:
    """The steps of a method's body, or None when its signature is not ``(self, visitor)``.

    A cached property is visited by the key its value is stored under (a private name
    mangled): with ``expected``, such a visit is read as one of the field it stores.
    """
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
    stored = _stored_keys(expected or {})
    if stored:
        steps = [_stored_field(step, stored) for step in steps]
    return steps


def _stored_keys(expected: Mapping[str, Expected | None]) -> dict[str, str]:
    """The field of each stored key that is not the field's own name."""
    return {
        found.read.attr: name
        for name, found in expected.items()
        if found is not None and found.visit.method == STORED_VISIT and found.read.attr != name
    }


def _stored_field(step: Step, stored: dict[str, str]) -> Step:
    if isinstance(step, FieldCall) and step.visit.method == STORED_VISIT:
        return step._replace(field=stored.get(step.field, step.field))
    return step


def is_current(method: FuncDef, expected: Mapping[str, Expected | None]) -> bool:
    """Whether ``method`` visits exactly the ``expected`` fields, each as expected: the fast path.

    The common case, checked without building a step per statement: a
    ``(self, visitor)`` method whose body is only field visits and ``skip`` calls,
    one per expected field (``None`` in ``expected``: neither), each as expected.
    True only when :func:`read_steps` and ``_stale.stale_reasons`` would find nothing
    wrong; False sends the caller to them for the reasons (also when the
    method is current in a way this does not recognise, like a base call).
    """
    steps = read_steps(method, expected)
    if steps is None:
        return False
    wanted = {name: found for name, found in expected.items() if found is not None}
    for step in steps:
        if not isinstance(step, FieldCall):
            return False
        found = wanted.pop(step.field, None)
        if found is None or not matches(step, found):
            return False
    return not wanted


def matches(call: FieldCall, expected: Expected) -> bool:
    """Whether a field visit is the expected one: the visit, and the read unless skipped."""
    if call.visit != expected.visit:
        return False
    return expected.visit.method == SKIP_VISIT or call.read == expected.read


def visits_in_order(method: FuncDef, fields: Sequence[Field]) -> bool:
    """Whether ``method`` is exactly the generator's visits of ``fields``, in their order.

    The fastest path, for a class whose fields are all its own: statement ``i``
    visits the ``i``-th field as its declaration's facts say, reading it as
    ``self.<field>`` (every instance has it) or ``getattr(self, "<attr>", None)``.
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
        field = next(remaining, None)
        if field is None:
            return False
        visit = field.facts.visit
        callee, args = call.callee, call.args
        if type(callee) is not MemberExpr or callee.name != visit.method or not args:
            return False
        target, name = callee.expr, args[0]
        if type(target) is not NameExpr or target.name != visitor:
            return False
        if type(name) is not StrExpr or name.value != field.name:
            return False
        if visit.method == SKIP_VISIT:
            if len(args) != 1:
                return False
            continue
        if visit.method == STORED_VISIT:
            return False  # named by its stored key: is_current compares those
        if len(args) < 2:
            return False
        value = args[1]
        if field.certain:
            if type(value) is not MemberExpr or value.name != field.name:
                return False
            this = value.expr
            if type(this) is not NameExpr or this.name != self_name:
                return False
        elif _read(value, self_name, field.name) != read_of(
            field.name, field.owner.name, True, False
        ):
            return False
        if len(args) > 2 and visit.method != _VISIT_WITH_FUNCTION:
            if not _type_names_are(args, visit.type_args):
                return False
        elif visit.type_args:
            return False
    return next(remaining, None) is None


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
        base = _class_of(target.node)
        return None if base is None else BaseCall(base, call.line)
    is_visitor = isinstance(target, NameExpr) and target.name == visitor
    if not is_visitor or not args or not isinstance(args[0], StrExpr):
        return None
    field = args[0]
    if method == SKIP_VISIT and len(args) == 1:
        return FieldCall(field.value, _SKIPPED, Visit(SKIP_VISIT), call.line)
    if method == STORED_VISIT:
        owner = args[1] if len(args) == 2 else None
        if not isinstance(owner, NameExpr) or owner.name != self_name:
            return None
        return FieldCall(field.value, Read(field.value, False), Visit(STORED_VISIT), call.line)
    if method not in rules.FIELD_VISITS or len(args) < 2:
        return None
    if len(args) == 2 or method == _VISIT_WITH_FUNCTION:
        visit = Visit(method)
    else:
        names = [_type_name(a) for a in args[2:]]
        while names and names[-1] == _NONE:
            names.pop()
        visit = Visit(method, tuple(names))
    return FieldCall(field.value, _read(args[1], self_name, field.value), visit, call.line)


def normalised(visit: Visit) -> Visit:
    """``visit`` without trailing ``None`` type names, which the generator leaves out."""
    if not visit.type_args or visit.type_args[-1] != _NONE:
        return visit
    names = list(visit.type_args)
    while names and names[-1] == _NONE:
        names.pop()
    return Visit(visit.method, tuple(names))


def _read(expr: Expression, self_name: str, field: str) -> Read | None:
    """The :class:`~allocative_gen.rules.Read` of field ``field``'s value expression, when it
    is one the generator writes: ``self.<field>``, ``getattr(self, "<other attr>")`` or
    ``getattr(self, "<attr>", None)``."""
    if isinstance(expr, MemberExpr):
        this = expr.expr
        if isinstance(this, NameExpr) and this.name == self_name and expr.name == field:
            return Read(field, False)
        return None
    if not isinstance(expr, CallExpr) or not _is_getattr_of(expr, self_name):
        return None
    attr = expr.args[1]
    if not isinstance(attr, StrExpr):
        return None
    if len(expr.args) == 2:
        return Read(attr.value, False) if attr.value != field else None
    default = expr.args[2]
    if isinstance(default, NameExpr) and default.name == _NONE:
        return Read(attr.value, True)
    return None


def _is_getattr_of(call: CallExpr, self_name: str) -> bool:
    callee, args = call.callee, call.args
    if not isinstance(callee, NameExpr) or callee.name != "getattr" or len(args) not in (2, 3):
        return False
    return isinstance(args[0], NameExpr) and args[0].name == self_name


def _class_of(node: object) -> TypeInfo | None:
    """The class a name refers to: a class, or an alias of one (``Alias = Base``)."""
    if isinstance(node, TypeInfo):
        return node
    if isinstance(node, TypeAlias):
        target = get_proper_type(node.target)
        if isinstance(target, Instance):
            return target.type
    return None


def _type_name(expr: Expression) -> str:
    """``str``, ``None``: the type name written as a visit's extra argument."""
    if isinstance(expr, (NameExpr, MemberExpr)):
        return expr.name
    return "?"
