"""Collect the fields of a class by the generator's rules, from mypy's view of the class.

A class analysed in this run is read from its body (:mod:`allocative_mypy._body`), so
the result does not depend on which other plugins (dataclasses, attrs) have already run
on it. A marked class also stores its fields in ``TypeInfo.metadata``, which survives
mypy's cache. An unmarked base whose tree mypy no longer holds (freed once its module
was checked, or loaded from the cache) is read again from its file
(:mod:`allocative_mypy._source`), else from its symbol table. A class outside the project
(the standard library, an installed package, a stub) declares no fields, as for the
generator.
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

from mypy.nodes import (
    AssignmentStmt,
    CallExpr,
    Context,
    ExpressionStmt,
    FuncDef,
    IfStmt,
    MypyFile,
    NameExpr,
    Statement,
    StrExpr,
    TryStmt,
    TypeInfo,
    Var,
    WithStmt,
)
from mypy.options import Options
from mypy.types import Type

from allocative._project import is_outside_project
from allocative_gen.members import fields_of, inherits
from allocative_gen.rules import (
    METHOD_NAME,
    SLOTS,
    UNMARKABLE,
    Kind,
    Option,
    TypeRef,
    is_fieldless_base,
)
from allocative_mypy import _names
from allocative_mypy._body import bindings, class_statements, is_bare_attrs_field
from allocative_mypy._facts import Facts, facts_of, ref_from_json
from allocative_mypy._kinds import class_kind
from allocative_mypy._measurable import has_method
from allocative_mypy._source import source_body
from allocative_mypy._typeref import to_typeref
from allocative_mypy._written import UNANNOTATED, Reader, reader_for


class Field(NamedTuple):
    """A field: its name, analysed type and written type (None: unannotated), option, origin,
    the :class:`~allocative_mypy._facts.Facts` of its declaration, and whether every
    instance has it (``certain``: read as ``self.x``).

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
    certain: bool


_new_field: Final = tuple.__new__
"""Makes a :class:`Field` from a tuple of its values, skipping ``NamedTuple``'s Python-level
``__new__`` in the loop that makes one per field."""


class FieldCollector:
    """Reads the fields of classes; ``modules`` is mypy's module table, to resolve written names."""

    def __init__(self, modules: dict[str, MypyFile], options: Options) -> None:
        self._modules = modules
        self._options = options
        self._own: dict[str, list[Field]] = {}
        self._outside: dict[str, bool] = {}

    def own(self, info: TypeInfo, kind: Kind | None = None) -> list[Field]:
        """The fields ``info`` itself declares, in declaration order.

        ``kind`` is ``info``'s kind when the caller knows it already.
        """
        found = self._own.get(info.fullname)
        if found is None:
            found = self._own[info.fullname] = self._inherited(info, self._read_own(info, kind))
        return found

    def _inherited(self, info: TypeInfo, fields: list[Field]) -> list[Field]:
        """``fields`` with the type and option each keeps from the declaration the MRO holds
        next (:func:`allocative_gen.members.inherits`): a slot listed again stays ``skip``."""
        if not fields or len(info.mro) < 3:  # the class and object: nothing to inherit
            return fields
        declared: dict[str, Field] = {}
        for base in info.mro[1:]:
            if not self.is_fieldless(base):
                for field in self.own(base):
                    declared.setdefault(field.name, field)
        if not declared:
            return fields
        found = []
        for field in fields:
            base_field = declared.get(field.name)
            if base_field is not None:
                field = _inherit(field, base_field)
            found.append(field)
        return found

    def _read_own(self, info: TypeInfo, kind: Kind | None) -> list[Field]:
        if self.is_outside(info):
            return []
        kind = class_kind(info) if kind is None else kind
        if info.defn.defs.body:
            reader = _BodyReader(info, reader_for(info.module_name, self._modules))
            return reader.fields(kind)
        metadata = info.metadata.get(_names.METADATA_KEY, {})
        stored = metadata.get("fields")
        if stored is not None:
            uncertain = frozenset(metadata.get("uncertain", ()))
            return [_stored_field(info, entry, uncertain) for entry in stored]
        names = reader_for(info.module_name, self._modules)
        body = source_body(info, self._modules, self._options, names.resolve)
        if body:
            fields = _BodyReader(info, names, body).fields(kind)
            return [field._replace(type=_symbol_type(info, field.name)) for field in fields]
        return _fields_from_symbols(info)

    def inherited(self, info: TypeInfo) -> list[Field]:
        """Fields of ``info``'s bases that ``info`` does not redeclare, most basic first."""
        seen: dict[str, Field] = {}
        for base in reversed(info.mro[1:]):
            if not self.is_fieldless(base):
                for field in self.own(base):
                    seen[field.name] = field
        if not seen:
            return []
        own = {field.name for field in self.own(info)}
        return [field for name, field in seen.items() if name not in own]

    def is_fieldless(self, info: TypeInfo) -> bool:
        """Whether a base adds neither fields nor a method: ``Generic``, built-ins, ``BaseModel``
        ..., an unmarked named tuple (its items are the built-in part), or a class outside
        the project without a method of its own."""
        if is_fieldless_base(info.fullname):
            return True
        if has_method(info):
            return False
        return info.is_named_tuple or self.is_outside(info)

    def is_outside(self, info: TypeInfo) -> bool:
        """Whether ``info``'s module is outside the project (standard library, installed
        package, stub): its fields are not visited."""
        module_name = info.module_name
        found = self._outside.get(module_name)
        if found is None:
            module = self._modules.get(module_name)
            path = module.path if module is not None else None
            found = self._outside[module_name] = is_outside_project(module_name, path)
        return found


def _inherit(own: Field, base: Field) -> Field:
    takes_type, takes_option = inherits(own.ref is not None, own.option, base.option)
    if not (takes_type or takes_option):
        return own
    ref, declared = (base.ref, base.type) if takes_type else (own.ref, own.type)
    option = base.option if takes_option else own.option
    return own._replace(type=declared, ref=ref, option=option, facts=facts_of(ref, option))


def to_metadata(fields: list[Field]) -> dict[str, Any]:
    """The compact JSON form of ``fields`` kept in ``TypeInfo.metadata`` (types stay in the
    symbols): ``fields`` holds ``[name, type]`` or ``[name, type, option]``
    (:func:`_facts.ref_json`'s form), ``uncertain`` the fields not every instance has."""
    found: dict[str, Any] = {"fields": [[f.name, *f.facts.stored] for f in fields]}
    uncertain = [f.name for f in fields if not f.certain]
    if uncertain:
        found["uncertain"] = uncertain
    return found


def _stored_field(info: TypeInfo, entry: list[Any], uncertain: frozenset[str]) -> Field:
    name, stored = entry[0], entry[1]
    option = Option(entry[2]) if len(entry) > 2 else None
    ref = ref_from_json(stored)
    facts = facts_of(ref, option)
    return Field(
        name, _symbol_type(info, name), ref, option, None, info, facts, name not in uncertain
    )


def _symbol_type(info: TypeInfo, name: str) -> Type | None:
    symbol = info.names.get(name)
    if symbol is None or not isinstance(symbol.node, Var):
        return None
    return symbol.node.type


def _fields_from_symbols(info: TypeInfo) -> list[Field]:
    """Fields of a class loaded from mypy's cache: what its plugins or symbol table record
    (instance attributes; not class attributes, properties, ``ClassVar``s or constants)."""
    for plugin in ("dataclass", "attrs"):
        recorded = info.metadata.get(plugin, {}).get("attributes")
        if recorded is not None:
            names = [a["name"] for a in recorded if not a.get("is_init_var", False)]
            return [_symbol_field(info, name, certain=True) for name in names]
    found = []
    for name, symbol in info.names.items():
        node = symbol.node
        if not isinstance(node, Var) or symbol.implicit or node.is_classvar or node.is_property:
            continue
        if node.is_initialized_in_class or node.is_final:
            continue
        if not (name.startswith("__") and name.endswith("__")):
            found.append(_symbol_field(info, name, certain=False))
    return found


def _symbol_field(info: TypeInfo, name: str, certain: bool) -> Field:
    declared = _symbol_type(info, name)
    ref = to_typeref(declared)
    return Field(name, declared, ref, None, None, info, facts_of(ref, None), certain)


class _BodyReader:
    """Reads the fields a class body declares, by the rules of the class's kind."""

    def __init__(self, info: TypeInfo, reader: Reader, body: list[Statement] | None = None) -> None:
        self._info = info
        self._reader = reader
        self._body = info.defn.defs.body if body is None else body

    def fields(self, kind: Kind) -> list[Field]:
        info = self._info
        statements = self._body
        if kind in UNMARKABLE:  # a Protocol base's members are read as a plain class's
            kind = Kind.PLAIN
        if kind is not Kind.PLAIN and not any(isinstance(s, _COMPOUND) for s in statements):
            fast = self._kind_fields(kind)
            if fast is not None:
                return fast
        statements = class_statements(statements)
        if kind is Kind.ATTRS_DETECT:
            kind = Kind.ATTRS if any(map(is_bare_attrs_field, statements)) else Kind.ATTRS_AUTO
        found = []
        for member in fields_of(bindings(statements, kind, self._reader)):
            typed = member.typed
            written = UNANNOTATED if typed is None else typed.written
            where = member.where if isinstance(member.where, Context) else info.defn
            declared = None if typed is None else typed.type
            found.append(
                Field(
                    member.name,
                    declared,
                    written.ref,
                    written.option,
                    where,
                    info,
                    written.facts,
                    member.certain,
                )
            )
        return found

    def _kind_fields(self, kind: Kind) -> list[Field] | None:
        """The fields of a dataclass, attrs class, NamedTuple or pydantic model whose body is
        only annotated fields (and its ``__allocative__``): the common case, read without
        the general rule (None when the body has anything else)."""
        found = []
        info, annotation = self._info, self._reader.annotation
        pydantic = kind is Kind.PYDANTIC
        for stmt in self._body:
            if not isinstance(stmt, AssignmentStmt):
                if isinstance(stmt, ExpressionStmt) and isinstance(stmt.expr, StrExpr):
                    continue
                if isinstance(stmt, FuncDef) and stmt.name == METHOD_NAME:
                    continue  # the generated method: read as no method is
                return None
            target = stmt.lvalues[0]
            if (
                not stmt.new_syntax
                or len(stmt.lvalues) != 1
                or not isinstance(target, NameExpr)
                or kind in _ATTRS_KINDS
                or isinstance(stmt.rvalue, CallExpr)
            ):
                return None
            name = target.name
            ref, option, is_field, facts = annotation(stmt.unanalyzed_type)
            if not is_field or (pydantic and name.startswith("_")):
                continue
            if name == SLOTS:
                return None
            found.append(_new_field(Field, (name, stmt.type, ref, option, stmt, info, facts, True)))
        return found


_COMPOUND: Final = (IfStmt, TryStmt, WithStmt)
_ATTRS_KINDS: Final = frozenset({Kind.ATTRS, Kind.ATTRS_AUTO, Kind.ATTRS_DETECT})
