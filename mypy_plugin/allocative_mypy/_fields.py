"""Collect the fields of a class by the generator's rules, from mypy's view of the class.

A class analysed in this run is read from its body, so the result does not
depend on which other plugins (dataclasses, attrs) have already run on it. A
marked class also stores its fields in ``TypeInfo.metadata``, which survives
mypy's cache; an unmarked base loaded from the cache falls back to its
symbol table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final, NamedTuple

from mypy.nodes import (
    AssignmentStmt,
    CallExpr,
    Context,
    FuncDef,
    ListExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    RefExpr,
    Statement,
    StrExpr,
    TupleExpr,
    TypeInfo,
    Var,
)
from mypy.types import CallableType, Type

from allocative_gen.rules import (
    ATTRS_FIELD_CALLS,
    NOT_SLOTS,
    SLOTS,
    Kind,
    Option,
    TypeRef,
    canonical,
    is_fieldless_base,
)
from allocative_mypy import _names
from allocative_mypy._facts import Facts, facts_of, ref_from_json
from allocative_mypy._kinds import class_kind
from allocative_mypy._typeref import to_typeref
from allocative_mypy._written import UNANNOTATED, Reader, Written, reader_for

_UNTYPED: Final = UNANNOTATED.facts


class Field(NamedTuple):
    """A field: its name, analysed type and written type (None: unannotated), option, origin,
    and the :class:`~allocative_mypy._facts.Facts` of its declaration.

    A ``NamedTuple`` rather than a frozen dataclass: one is made per field on
    mypy's cold path, where a frozen dataclass's ``__init__`` is measurably slower.
    """

    name: str
    type: Type | None
    ref: TypeRef | None
    option: Option | None
    node: Context | None
    owner: TypeInfo
    facts: Facts


_new_field: Final = tuple.__new__
"""Makes a :class:`Field` from a tuple of its values, skipping ``NamedTuple``'s Python-level
``__new__`` in the loop that makes one per field."""


class FieldCollector:
    """Reads the fields of classes; ``modules`` is mypy's module table, to resolve written names."""

    def __init__(self, modules: dict[str, MypyFile]) -> None:
        self._modules = modules
        self._own: dict[str, list[Field]] = {}

    def own(self, info: TypeInfo, kind: Kind | None = None) -> list[Field]:
        """The fields ``info`` itself declares, in declaration order.

        ``kind`` is ``info``'s kind when the caller knows it already.
        """
        found = self._own.get(info.fullname)
        if found is None:
            found = self._own[info.fullname] = self._read_own(info, kind)
        return found

    def _read_own(self, info: TypeInfo, kind: Kind | None) -> list[Field]:
        if info.defn.defs.body:
            reader = _BodyReader(info, reader_for(info.module_name, self._modules))
            return reader.fields(class_kind(info) if kind is None else kind)
        stored = info.metadata.get(_names.METADATA_KEY, {}).get("fields")
        if stored is not None:
            return [_stored_field(info, entry) for entry in stored]
        return _fields_from_symbols(info)

    def inherited(self, info: TypeInfo) -> list[Field]:
        """Fields of ``info``'s bases that ``info`` does not redeclare, most basic first."""
        seen: dict[str, Field] = {}
        for base in reversed(info.mro[1:]):
            if not is_fieldless(base):
                for field in self.own(base):
                    seen[field.name] = field
        if not seen:
            return []
        own = {field.name for field in self.own(info)}
        return [field for name, field in seen.items() if name not in own]


def is_fieldless(info: TypeInfo) -> bool:
    """Whether a base contributes no fields (``Generic``, ``BaseModel``, built-ins, ...)."""
    return is_fieldless_base(info.fullname)


def to_metadata(fields: list[Field]) -> list[list[Any]]:
    """The compact JSON form of ``fields`` kept in ``TypeInfo.metadata`` (types stay in the
    symbols): ``[name, type]``, or ``[name, type, option]`` (:func:`_facts.ref_json`'s form)."""
    return [[f.name, *f.facts.stored] for f in fields]


def _stored_field(info: TypeInfo, entry: list[Any]) -> Field:
    name, stored = entry[0], entry[1]
    option = Option(entry[2]) if len(entry) > 2 else None
    ref = ref_from_json(stored)
    return Field(name, _symbol_type(info, name), ref, option, None, info, facts_of(ref, option))


def _symbol_type(info: TypeInfo, name: str) -> Type | None:
    symbol = info.names.get(name)
    if symbol is None or not isinstance(symbol.node, Var):
        return None
    return symbol.node.type


def _fields_from_symbols(info: TypeInfo) -> list[Field]:
    """Fields of a class loaded from mypy's cache: what its plugins or symbol table record."""
    for plugin in ("dataclass", "attrs"):
        recorded = info.metadata.get(plugin, {}).get("attributes")
        if recorded is not None:
            names = [a["name"] for a in recorded if not a.get("is_init_var", False)]
            return [_symbol_field(info, name) for name in names]
    found = []
    for name, symbol in info.names.items():
        node = symbol.node
        if not isinstance(node, Var) or symbol.implicit or node.is_classvar or node.is_property:
            continue
        if not (name.startswith("__") and name.endswith("__")):
            found.append(_symbol_field(info, name))
    return found


def _symbol_field(info: TypeInfo, name: str) -> Field:
    declared = _symbol_type(info, name)
    ref = to_typeref(declared)
    return Field(name, declared, ref, None, None, info, facts_of(ref, None))


class _BodyReader:
    """Reads the fields a class body declares, by the rules of the class's kind."""

    def __init__(self, info: TypeInfo, reader: Reader) -> None:
        self._info = info
        self._reader = reader
        self._body = info.defn.defs.body

    def fields(self, kind: Kind) -> list[Field]:
        if kind is Kind.ATTRS_DETECT:
            kind = Kind.ATTRS if any(self._bare_attrs_fields()) else Kind.ATTRS_AUTO
        annotated = self._annotated(kind)
        if kind is not Kind.PLAIN:
            return annotated
        slots = self._slots()
        assigned = self._assigned_in_init()
        if slots is not None:
            by_name = {field.name: field for field in assigned + annotated}
            return [by_name.get(name, self._untyped(name)) for name in slots]
        known = {field.name for field in annotated}
        return annotated + [field for field in assigned if field.name not in known]

    def _annotated(self, kind: Kind) -> list[Field]:
        """Class-level fields: annotated names, and for attrs the ``attr.ib()`` assignments.

        The loop runs once per field of every marked class on mypy's cold path: kept flat.
        """
        found = []
        info, annotation = self._info, self._reader.annotation
        attrs, pydantic = kind is Kind.ATTRS, kind is Kind.PYDANTIC
        for stmt in self._body:
            if not isinstance(stmt, AssignmentStmt) or len(stmt.lvalues) != 1:
                continue
            target = stmt.lvalues[0]
            if not isinstance(target, NameExpr):
                continue
            name = target.name
            attrs_field = attrs and _is_attrs_field_call(stmt)
            if stmt.unanalyzed_type is None:
                if attrs_field:
                    found.append(Field(name, None, None, None, stmt, info, _UNTYPED))
                continue
            ref, option, is_field, facts = annotation(stmt.unanalyzed_type)
            if not is_field or name == SLOTS:
                continue
            if attrs and not attrs_field:
                continue
            if pydantic and name.startswith("_"):
                continue
            found.append(_new_field(Field, (name, stmt.type, ref, option, stmt, info, facts)))
        return found

    def _bare_attrs_fields(self) -> Iterator[AssignmentStmt]:
        for stmt, _ in _named_assignments(self._body):
            if stmt.unanalyzed_type is None and _is_attrs_field_call(stmt):
                yield stmt

    def _slots(self) -> list[str] | None:
        for stmt, name in _named_assignments(self._body):
            if name == SLOTS:
                return _string_items(stmt.rvalue)
        return None

    def _assigned_in_init(self) -> list[Field]:
        """Attributes ``__init__`` assigns on its first parameter, typed where it says."""
        init = next(
            (s for s in self._body if isinstance(s, FuncDef) and s.name == _names.INIT), None
        )
        if init is None or not init.arguments:
            return []
        this = init.arguments[0].variable.name
        parameters = _parameter_types(init)
        found: dict[str, Field] = {}
        for stmt in init.body.body:
            if not isinstance(stmt, AssignmentStmt):
                continue
            for name in _self_targets(stmt, this):
                if name not in found:
                    found[name] = self._init_field(name, stmt, parameters)
        return list(found.values())

    def _init_field(
        self, name: str, stmt: AssignmentStmt, parameters: dict[str, tuple[Type, Type]]
    ) -> Field:
        if stmt.unanalyzed_type is not None:
            return self._field(name, stmt.type, self._reader.annotation(stmt.unanalyzed_type), stmt)
        if isinstance(stmt.rvalue, NameExpr) and stmt.rvalue.name in parameters:
            analysed, written = parameters[stmt.rvalue.name]
            return self._field(name, analysed, self._reader.annotation(written), stmt)
        return self._field(name, None, UNANNOTATED, stmt)

    def _untyped(self, name: str) -> Field:
        return Field(name, None, None, None, self._info.defn, self._info, _UNTYPED)

    def _field(self, name: str, declared: Type | None, written: Written, stmt: Context) -> Field:
        return Field(name, declared, written.ref, written.option, stmt, self._info, written.facts)


def _named_assignments(body: list[Statement]) -> Iterator[tuple[AssignmentStmt, str]]:
    for stmt in body:
        if isinstance(stmt, AssignmentStmt) and len(stmt.lvalues) == 1:
            target = stmt.lvalues[0]
            if isinstance(target, NameExpr):
                yield stmt, target.name


def _is_attrs_field_call(stmt: AssignmentStmt) -> bool:
    call = stmt.rvalue
    if not isinstance(call, CallExpr) or not isinstance(call.callee, RefExpr):
        return False
    return canonical(call.callee.fullname) in ATTRS_FIELD_CALLS


def _string_items(value: object) -> list[str]:
    if isinstance(value, StrExpr):
        items = [value.value]
    elif isinstance(value, (TupleExpr, ListExpr)):
        items = [item.value for item in value.items if isinstance(item, StrExpr)]
    else:
        items = []
    return [item for item in items if item not in NOT_SLOTS]


def _self_targets(stmt: AssignmentStmt, this: str) -> list[str]:
    return [
        target.name
        for target in stmt.lvalues
        if isinstance(target, MemberExpr)
        and isinstance(target.expr, NameExpr)
        and target.expr.name == this
    ]


def _parameter_types(init: FuncDef) -> dict[str, tuple[Type, Type]]:
    """Each annotated parameter of ``init``: (analysed type, type as written)."""
    analysed, written = init.type, init.unanalyzed_type
    if not isinstance(analysed, CallableType) or not isinstance(written, CallableType):
        return {}
    found = {}
    for index, argument in enumerate(init.arguments):
        if argument.type_annotation is not None:
            found[argument.variable.name] = (analysed.arg_types[index], written.arg_types[index])
    return found
