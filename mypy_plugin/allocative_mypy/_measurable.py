"""Whether a field's declared type can be measured: the walk over a mypy type.

A type can be measured when every class it mentions (container items, union
members, tuple items, alias targets, type variable bounds) is built in to the
runtime, implements ``__allocative__``, or is marked ``@allocative`` or
``@opaque`` (its method is the generator's job, checked on that class).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from mypy.nodes import RefExpr, TypeInfo
from mypy.types import (
    AnyType,
    Instance,
    TupleType,
    Type,
    TypeAliasType,
    TypedDictType,
    TypeOfAny,
    TypeVarType,
    UnionType,
    get_proper_type,
)

from allocative_gen import rules
from allocative_mypy import _builtins, _names


class ProblemKind(Enum):
    """What is wrong with a type."""

    UNMEASURABLE = "unmeasurable"
    GENERIC = "generic"
    ANY = "any"


@dataclass(frozen=True)
class Problem:
    """One part of a field's type that cannot be measured, and why."""

    kind: ProblemKind
    type: Type


def problems_of(declared: Type | None) -> list[Problem]:
    """Every part of ``declared`` that cannot be measured (None: an unannotated field)."""
    if declared is None:
        return [Problem(ProblemKind.ANY, AnyType(TypeOfAny.unannotated))]
    if (
        isinstance(declared, Instance)
        and not declared.args
        and _builtins.is_measured_builtin(declared.type.fullname)
    ):
        return []
    found: list[Problem] = []
    _walk(declared, set(), found)
    return found


def is_marked(info: TypeInfo) -> bool:
    """Whether ``info`` is marked ``@allocative`` (seen in this run, or recorded in the cache)."""
    return _has_decorator(info, rules.MARKER) or "fields" in _metadata(info)


def is_opaque(info: TypeInfo) -> bool:
    """Whether ``info`` is decorated ``@opaque`` (its instances count their own size only)."""
    return _has_decorator(info, rules.OPAQUE) or bool(_metadata(info).get("opaque"))


def has_method(info: TypeInfo) -> bool:
    """Whether ``info`` gives its instances an ``__allocative__`` (written, marked or opaque)."""
    return _names.METHOD in info.names or is_marked(info) or is_opaque(info)


def implements(info: TypeInfo) -> bool:
    """Whether the runtime can measure instances of ``info`` exactly."""
    for klass in info.mro:
        if _builtins.is_measured_builtin(klass.fullname) or has_method(klass):
            return True
    return False


def _metadata(info: TypeInfo) -> dict[str, object]:
    return info.metadata.get(_names.METADATA_KEY, {})


def _has_decorator(info: TypeInfo, name: str) -> bool:
    return any(
        isinstance(d, RefExpr) and _names.canonical(d.fullname) == name
        for d in info.defn.decorators
    )


def _walk(typ: Type, seen_aliases: set[str], found: list[Problem]) -> None:
    if isinstance(typ, TypeAliasType):
        key = str(typ)
        if key in seen_aliases:
            return
        seen_aliases.add(key)
    proper = get_proper_type(typ)
    if isinstance(proper, Instance):
        _walk_instance(proper, seen_aliases, found)
    elif isinstance(proper, (TupleType, UnionType)):
        _walk_all(proper.items, seen_aliases, found)
    elif isinstance(proper, TypedDictType):
        _walk_all(list(proper.items.values()), seen_aliases, found)
    elif isinstance(proper, AnyType):
        if proper.type_of_any != TypeOfAny.from_error:
            found.append(Problem(ProblemKind.ANY, proper))
    elif isinstance(proper, TypeVarType) and not _type_var_is_measurable(proper, seen_aliases):
        found.append(Problem(ProblemKind.GENERIC, proper))


def _walk_all(types: list[Type], seen_aliases: set[str], found: list[Problem]) -> None:
    for item in types:
        _walk(item, seen_aliases, found)


def _walk_instance(typ: Instance, seen_aliases: set[str], found: list[Problem]) -> None:
    if implements(typ.type):
        if _builtins.holds_arguments(typ.type.fullname):
            _walk_all(list(typ.args), seen_aliases, found)
    else:
        found.append(Problem(ProblemKind.UNMEASURABLE, typ))


def _type_var_is_measurable(typ: TypeVarType, seen_aliases: set[str]) -> bool:
    """A type variable is measurable when its bound (or each of its value types) is.

    An unbounded type variable is bound to ``object``, which is not measurable.
    """
    found: list[Problem] = []
    _walk_all(typ.values or [typ.upper_bound], seen_aliases, found)
    return not found
