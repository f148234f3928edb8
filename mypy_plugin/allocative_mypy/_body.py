"""Read a class body from mypy's tree into the bindings the generator reads from source.

The statements, methods and assignment forms read here are exactly the generator's
(``allocative_gen.fields``); :func:`allocative_gen.members.fields_of` then decides which
names are fields, in which order, and whether every instance has them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final, NamedTuple

from mypy.nodes import (
    ARG_POS,
    AssignmentStmt,
    Block,
    CallExpr,
    ClassDef,
    Decorator,
    DictExpr,
    Expression,
    ExpressionStmt,
    ForStmt,
    FuncDef,
    IfStmt,
    ListExpr,
    MatchStmt,
    MemberExpr,
    NameExpr,
    OperatorAssignmentStmt,
    OverloadedFuncDef,
    RefExpr,
    ReturnStmt,
    SetExpr,
    StarExpr,
    Statement,
    StrExpr,
    TempNode,
    TryStmt,
    TupleExpr,
    WhileStmt,
    WithStmt,
)
from mypy.types import CallableType, Type

from allocative_gen.members import Binding, Source, class_value_source
from allocative_gen.rules import (
    ATTRS_FIELD_CALLS,
    DEFAULT_KEYWORDS,
    METHOD_NAME,
    NOT_SLOTS,
    SETATTR_CALLS,
    SLOTS,
    STORED_PROPERTIES,
    Kind,
    Option,
    canonical,
    leaves_unset,
    reading_order,
)
from allocative_mypy._written import UNANNOTATED, Reader, Written, written_of

_NO_METHODS: Final = frozenset({Kind.NAMEDTUPLE, Kind.PYDANTIC})
_OBJECT: Final = "builtins.object"
_SETATTR: Final = "__setattr__"


class Typed(NamedTuple):
    """What a binding says of a field's type: mypy's analysed type and the type as written."""

    type: Type | None
    written: Written


Bind = Binding[Typed]


def class_statements(body: Sequence[Statement]) -> list[Statement]:
    """A class body's statements, with those inside its ``if``, ``try`` and ``with`` blocks."""
    found: list[Statement] = []
    for stmt in body:
        found.append(stmt)
        for block in _class_blocks(stmt):
            found.extend(class_statements(block.body))
    return found


def _class_blocks(stmt: Statement) -> list[Block]:
    if isinstance(stmt, IfStmt):
        return [*stmt.body, *([stmt.else_body] if stmt.else_body else [])]
    if isinstance(stmt, TryStmt):
        return _try_blocks(stmt)
    if isinstance(stmt, WithStmt):
        return [stmt.body]
    return []


def _try_blocks(stmt: TryStmt) -> list[Block]:
    blocks = [stmt.body, *stmt.handlers]
    blocks.extend(block for block in (stmt.else_body, stmt.finally_body) if block is not None)
    return blocks


def bindings(statements: Sequence[Statement], kind: Kind, reader: Reader) -> list[Bind]:
    """The bindings of a class body (``statements``: :func:`class_statements`'s)."""
    found = list(_class_level(statements, kind, reader))
    if kind not in _NO_METHODS:
        found.extend(_MethodReader(reader).bindings(statements))
    found.extend(Binding(name, Source.SLOT) for name in slots(statements) or ())
    return found


def _class_level(statements: Sequence[Statement], kind: Kind, reader: Reader) -> Iterator[Bind]:
    for stmt in statements:
        if isinstance(stmt, Decorator) and _is_stored(stmt):
            yield Binding(stmt.name, Source.STORED, _STORED, stmt)
        elif isinstance(stmt, FuncDef | Decorator | OverloadedFuncDef | ClassDef):
            yield Binding(stmt.name, Source.NOT_FIELD)
        elif isinstance(stmt, AssignmentStmt):
            yield from _class_assignment(stmt, kind, reader)


_STORED: Final = Typed(None, written_of(None, Option.STORED))


def _is_stored(stmt: Decorator) -> bool:
    """Whether a decorated method is a cached property (``STORED_PROPERTIES``)."""
    return any(
        isinstance(decorator, RefExpr) and canonical(decorator.fullname) in STORED_PROPERTIES
        for decorator in stmt.original_decorators
    )


def _class_assignment(stmt: AssignmentStmt, kind: Kind, reader: Reader) -> Iterator[Bind]:
    """The bindings of an assignment in the class body, by the class's kind."""
    lvalues = stmt.lvalues
    target = lvalues[0]
    if stmt.new_syntax and isinstance(target, NameExpr):
        if target.name != SLOTS:
            yield _annotated(target.name, stmt, kind, reader)
        return
    attrs_field = kind is Kind.ATTRS and _is_attrs_field(stmt)
    for lvalue in lvalues:
        if not isinstance(lvalue, NameExpr):
            yield from (Binding(name, Source.CLASS_VALUE) for name in _names_in(lvalue))
        elif lvalue.name == SLOTS:
            continue
        elif attrs_field:
            source = Source.DECLARED if _leaves_unset(stmt) else Source.FIELD
            yield Binding(lvalue.name, source, Typed(None, UNANNOTATED), stmt)
        else:
            typed: Typed | None = None
            if len(lvalues) == 1 and stmt.unanalyzed_type is not None:
                typed = Typed(stmt.type, reader.annotation(stmt.unanalyzed_type))
            yield Binding(lvalue.name, Source.CLASS_VALUE, typed, stmt)


def _annotated(name: str, stmt: AssignmentStmt, kind: Kind, reader: Reader) -> Bind:
    written = reader.annotation(stmt.unanalyzed_type)
    has_value = not (isinstance(stmt.rvalue, TempNode) and stmt.rvalue.no_rhs)
    if not written.is_field:
        return Binding(name, Source.NOT_FIELD)
    typed = Typed(stmt.type, written)
    if kind is Kind.PLAIN:
        if not has_value:
            return Binding(name, Source.DECLARED, typed, stmt)
        source = class_value_source(stmt.is_final_def, written.option)
        return Binding(name, source, typed, stmt)
    if (kind is Kind.ATTRS and not _is_attrs_field(stmt)) or (
        kind is Kind.PYDANTIC and name.startswith("_")
    ):
        return Binding(name, Source.CLASS_VALUE if has_value else Source.NOT_FIELD)
    source = Source.DECLARED if _leaves_unset(stmt) else Source.FIELD
    return Binding(name, source, typed, stmt)


def _names_in(node: Expression) -> Iterator[str]:
    if isinstance(node, NameExpr):
        yield node.name
    elif isinstance(node, TupleExpr | ListExpr):
        for item in node.items:
            yield from _names_in(item)
    elif isinstance(node, StarExpr):
        yield from _names_in(node.expr)


def _callee(stmt: AssignmentStmt) -> tuple[str, CallExpr] | None:
    call = stmt.rvalue
    if not isinstance(call, CallExpr) or not isinstance(call.callee, RefExpr):
        return None
    return canonical(call.callee.fullname), call


def _is_attrs_field(stmt: AssignmentStmt) -> bool:
    """Whether the statement assigns ``attr.ib()`` (or another attrs field call)."""
    found = _callee(stmt)
    return found is not None and found[0] in ATTRS_FIELD_CALLS


def is_bare_attrs_field(stmt: Statement) -> bool:
    """Whether ``stmt`` is an unannotated ``x = attr.ib()``: then auto_attribs is off."""
    return isinstance(stmt, AssignmentStmt) and not stmt.new_syntax and _is_attrs_field(stmt)


def _leaves_unset(stmt: AssignmentStmt) -> bool:
    found = _callee(stmt)
    if found is None:
        return False
    callee, call = found
    init_false = has_default = False
    for name, value in zip(call.arg_names, call.args, strict=True):
        if name is None or name in DEFAULT_KEYWORDS:
            has_default = True
        elif name == "init":
            init_false = isinstance(value, NameExpr) and value.name == "False"
    return leaves_unset(callee, init_false, has_default)


def slots(statements: Sequence[Statement]) -> list[str] | None:
    """The names of the class's literal ``__slots__``, or None when it has none."""
    for stmt in statements:
        if isinstance(stmt, AssignmentStmt) and any(
            isinstance(lvalue, NameExpr) and lvalue.name == SLOTS for lvalue in stmt.lvalues
        ):
            return [name for name in _slot_names(stmt.rvalue) if name not in NOT_SLOTS]
    return None


def _slot_names(value: Expression) -> list[str]:
    """A string, a tuple, list or set of strings, a dict's keys, ``dict(...)``'s keywords."""
    if isinstance(value, StrExpr):
        return [value.value]
    if isinstance(value, TupleExpr | ListExpr | SetExpr):
        return [name for item in value.items for name in _slot_names(item)]
    if isinstance(value, DictExpr):
        return [name for key, _ in value.items if key is not None for name in _slot_names(key)]
    if (
        isinstance(value, CallExpr)
        and isinstance(value.callee, RefExpr)
        and value.callee.fullname == "builtins.dict"
    ):
        return [name for name in value.arg_names if name is not None]
    return []


class _MethodReader:
    """Reads what the methods of a class assign on their first parameter, as the generator
    does: every method but static and class methods and ``__allocative__``, ``__init__``
    first when the class defines exactly one, nested functions and classes left out."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    def bindings(self, statements: Sequence[Statement]) -> Iterator[Bind]:
        methods = [
            func for stmt in statements for func in _functions(stmt) if func.name != METHOD_NAME
        ]
        for method, is_init in reading_order(methods, lambda method: method.name):
            yield from self._method(method, is_init=is_init)

    def _method(self, method: FuncDef, is_init: bool) -> Iterator[Bind]:
        arguments = method.arguments
        if method.is_static or method.is_class or not arguments:
            return
        if not arguments[0].kind.is_positional():
            return
        walk = _Walk(arguments[0].variable.name, _parameters(method), is_init, self._reader)
        yield from walk.block(method.body.body, top=True)


def _parameters(method: FuncDef) -> dict[str, tuple[Type | None, Type]]:
    """Each annotated parameter (also by a type comment): its analysed and written type."""
    analysed = method.type if isinstance(method.type, CallableType) else None
    found = {}
    for index, argument in enumerate(method.arguments):
        written = argument.type_annotation
        if written is not None and not argument.kind.is_star():
            declared = analysed.arg_types[index] if analysed is not None else None
            found[argument.variable.name] = (declared, written)
    return found


def _functions(stmt: Statement) -> list[FuncDef]:
    """The function definitions a class-body statement makes (each overload included)."""
    if isinstance(stmt, FuncDef):
        return [stmt]
    if isinstance(stmt, Decorator):
        return [stmt.func]
    if isinstance(stmt, OverloadedFuncDef):
        items = [*stmt.items, *([stmt.impl] if stmt.impl is not None else [])]
        return [item.func if isinstance(item, Decorator) else item for item in items]
    return []


class _Walk:
    """Reading one method: its instance parameter, its parameters' written types, whether
    it is the class's ``__init__`` and whether it may have returned yet."""

    def __init__(
        self,
        this: str,
        parameters: dict[str, tuple[Type | None, Type]],
        is_init: bool,
        reader: Reader,
    ) -> None:
        self.this, self.parameters, self.is_init = this, parameters, is_init
        self.reader = reader
        self.returned = False

    def block(self, body: Sequence[Statement], top: bool) -> Iterator[Bind]:
        for stmt in body:
            certain = top and self.is_init and not self.returned
            source = Source.INIT if certain else Source.METHOD
            if isinstance(stmt, AssignmentStmt):
                yield from self._assignment(stmt, source)
            elif isinstance(stmt, OperatorAssignmentStmt):
                yield from self.targets(stmt.lvalue, source, unpacked=False)
            elif isinstance(stmt, ExpressionStmt):
                name = self._setattr_name(stmt.expr)
                if name is not None:  # unknown to type checkers: read with getattr
                    yield Binding(name, Source.METHOD, None, stmt)
            elif isinstance(stmt, ReturnStmt):
                if top:
                    self.returned = True
            elif not isinstance(stmt, FuncDef | Decorator | OverloadedFuncDef | ClassDef):
                yield from self._compound(stmt)
                if top and _returns(stmt):
                    self.returned = True

    def _compound(self, stmt: Statement) -> Iterator[Bind]:
        if isinstance(stmt, ForStmt):
            yield from self.targets(stmt.index, Source.METHOD)
        elif isinstance(stmt, WithStmt):
            for target in stmt.target:
                if target is not None:
                    yield from self.targets(target, Source.METHOD)
        for block in compound_blocks(stmt):
            yield from self.block(block.body, top=False)

    def _assignment(self, stmt: AssignmentStmt, source: Source) -> Iterator[Bind]:
        if stmt.new_syntax:
            annotated = Typed(stmt.type, self.reader.annotation(stmt.unanalyzed_type))
            if isinstance(stmt.rvalue, TempNode) and stmt.rvalue.no_rhs:
                source = Source.METHOD
            yield from self.targets(stmt.lvalues[0], source, annotated, stmt, unpacked=False)
            return
        single = len(stmt.lvalues) == 1
        for lvalue in stmt.lvalues:
            typed: Typed | None = None
            if single and stmt.unanalyzed_type is not None:
                typed = Typed(stmt.type, self.reader.annotation(stmt.unanalyzed_type))
            elif isinstance(stmt.rvalue, NameExpr) and stmt.rvalue.name in self.parameters:
                declared, written = self.parameters[stmt.rvalue.name]
                typed = Typed(declared, self.reader.annotation(written))
            yield from self.targets(lvalue, source, typed, stmt)

    def targets(
        self,
        node: Expression,
        source: Source,
        typed: Typed | None = None,
        where: object = None,
        unpacked: bool = True,
    ) -> Iterator[Bind]:
        """The bindings of an assignment target: ``self.x``, or inside an unpacking (where
        no annotation applies)."""
        if isinstance(node, MemberExpr):
            value = node.expr
            if isinstance(value, NameExpr) and value.name == self.this:
                yield Binding(node.name, source, typed, where or node)
        elif unpacked and isinstance(node, TupleExpr | ListExpr):
            for item in node.items:
                yield from self.targets(item, source, where=where)
        elif unpacked and isinstance(node, StarExpr):
            yield from self.targets(node.expr, source, where=where)

    def _setattr_name(self, expr: Expression) -> str | None:
        """``x`` of ``setattr(self, "x", value)`` or ``object.__setattr__(self, "x", value)``."""
        if not isinstance(expr, CallExpr) or _called(expr.callee) not in SETATTR_CALLS:
            return None
        if len(expr.args) != 3 or any(kind != ARG_POS for kind in expr.arg_kinds):
            return None
        target, name = expr.args[0], expr.args[1]
        if not isinstance(target, NameExpr) or target.name != self.this:
            return None
        return name.value if isinstance(name, StrExpr) else None


def _called(callee: Expression) -> str:
    """The canonical name of a called function (``object.__setattr__`` as a method)."""
    if isinstance(callee, MemberExpr) and callee.name == _SETATTR:
        owner = callee.expr
        if isinstance(owner, RefExpr) and owner.fullname == _OBJECT:
            return f"{_OBJECT}.{_SETATTR}"
    return canonical(callee.fullname) if isinstance(callee, RefExpr) else ""


def compound_blocks(stmt: Statement) -> list[Block]:
    """The blocks of a compound statement, its ``else``, ``except`` and ``finally`` clauses
    and ``case`` bodies included, in source order."""
    if isinstance(stmt, IfStmt):
        return [*stmt.body, *([stmt.else_body] if stmt.else_body else [])]
    if isinstance(stmt, ForStmt | WhileStmt):
        return [stmt.body, *([stmt.else_body] if stmt.else_body else [])]
    if isinstance(stmt, TryStmt):
        return _try_blocks(stmt)
    if isinstance(stmt, WithStmt):
        return [stmt.body]
    if isinstance(stmt, MatchStmt):
        return list(stmt.bodies)
    if isinstance(stmt, Block):
        return [stmt]
    return []


def _returns(stmt: Statement) -> bool:
    """Whether a compound statement holds a ``return`` (not one of a nested function)."""
    for block in compound_blocks(stmt):
        for inner in block.body:
            if isinstance(inner, ReturnStmt):
                return True
            if _returns(inner):
                return True
    return False
