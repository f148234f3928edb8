"""Convert a mypy type to the neutral :class:`allocative_gen.rules.TypeRef` the rules read."""

from __future__ import annotations

from typing import Final

from mypy.types import (
    AnyType,
    Instance,
    LiteralType,
    NoneType,
    TupleType,
    Type,
    TypeVarType,
    UnionType,
    get_proper_type,
)

from allocative_gen.rules import ELLIPSIS, TypeRef

_DEPTH: Final = 3
"""How deep arguments are converted: the rules look at a field's type and its arguments only,
and a recursive alias must not be expanded for ever."""

_VARIADIC_TUPLE: Final = "builtins.tuple"


def to_typeref(declared: Type | None, depth: int = _DEPTH) -> TypeRef | None:
    """The rules' description of ``declared`` (None for an unannotated field)."""
    if declared is None:
        return None
    proper = get_proper_type(declared)
    if isinstance(proper, Instance):
        return _instance_ref(proper, depth)
    if isinstance(proper, TupleType):
        fallback = proper.partial_fallback.type.fullname
        if fallback != _VARIADIC_TUPLE:
            return TypeRef(fallback)
        return TypeRef(_VARIADIC_TUPLE, _args(proper.items, depth))
    return TypeRef(_special_name(proper))


def _instance_ref(typ: Instance, depth: int) -> TypeRef:
    args = _args(list(typ.args), depth)
    if typ.type.fullname == _VARIADIC_TUPLE and len(args) == 1:
        args = (*args, TypeRef(ELLIPSIS))
    return TypeRef(typ.type.fullname, args)


def _args(types: list[Type], depth: int) -> tuple[TypeRef, ...]:
    if depth <= 1:
        return tuple(TypeRef("typing.Any") for _ in types)
    refs = (to_typeref(item, depth - 1) for item in types)
    return tuple(ref for ref in refs if ref is not None)


def _special_name(typ: Type) -> str:
    """A name for a type that is not a class: never one the rules specialise."""
    if isinstance(typ, NoneType):
        return "None"
    if isinstance(typ, UnionType):
        return "typing.Union"
    if isinstance(typ, AnyType):
        return "typing.Any"
    if isinstance(typ, LiteralType):
        return "typing.Literal"
    if isinstance(typ, TypeVarType):
        return typ.fullname
    return type(typ).__name__
