"""Whether a field's declared type can be measured: the walk over a mypy type.

A type can be measured when every class it mentions (container items, union
members, tuple items, alias targets, type arguments) is built in to the
runtime, implements ``__allocative__``, or is marked ``@allocative`` or
``@opaque`` (its method is the generator's job, checked on that class).

A type variable is checked where its class is used, not where it is declared, as a
Rust impl bounds ``T: Allocative`` on the impl: ``items: list[T]`` in a marked
``Page(Generic[T])`` is fine, and ``page: Page[Supplier]`` with ``Supplier`` unmarked
is the error, on that line.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import NamedTuple

from mypy.nodes import RefExpr, TypeInfo
from mypy.types import (
    AnyType,
    Instance,
    TupleType,
    Type,
    TypeAliasType,
    TypedDictType,
    TypeOfAny,
    UnionType,
    get_proper_type,
)

from allocative_gen import rules
from allocative_gen.rules import canonical, holds_arguments, is_measured_class
from allocative_mypy import _names
from allocative_mypy._kinds import class_kind


class ProblemKind(Enum):
    """What is wrong with a type."""

    UNMEASURABLE = "unmeasurable"
    GENERIC = "generic"
    ANY = "any"


class Problem(NamedTuple):
    """One part of a field's type that cannot be measured, and why; for a type argument
    of a generic class that is not built in, the generic (``Page[Supplier]``)."""

    kind: ProblemKind
    type: Type
    generic: Instance | None = None


def problems_of(declared: Type | None) -> list[Problem]:
    """Every part of ``declared`` that cannot be measured (None: an unannotated field)."""
    if declared is None:
        return [Problem(ProblemKind.ANY, AnyType(TypeOfAny.unannotated))]
    found: list[Problem] = []
    _walk(declared, set(), found)
    return found


def is_measured_instance(declared: Type | None) -> bool:
    """Whether ``declared`` is a built-in class without arguments: the common case, told fast."""
    return (
        isinstance(declared, Instance)
        and not declared.args
        and is_measured_class(declared.type.fullname)
    )


def is_marked(info: TypeInfo) -> bool:
    """Whether ``info`` is marked ``@allocative`` (seen in this run, or recorded in the cache)."""
    return _has_decorator(info, rules.MARKER) or "fields" in _metadata(info)


def is_opaque(info: TypeInfo) -> bool:
    """Whether ``info`` is decorated ``@opaque`` (its instances count their own size only)."""
    return _has_decorator(info, rules.OPAQUE) or bool(_metadata(info).get("opaque"))


def has_method(info: TypeInfo) -> bool:
    """Whether ``info`` gives its instances an ``__allocative__``: written, ``@opaque``, or
    marked (unless its kind cannot have one: a marked Protocol gets no method)."""
    if rules.METHOD_NAME in info.names or is_opaque(info):
        return True
    return is_marked(info) and class_kind(info) not in rules.UNMARKABLE


def implements(info: TypeInfo) -> bool:
    """Whether the runtime can measure instances of ``info`` exactly."""
    for klass in info.mro:  # noqa: SIM110 (a loop is cheaper than any() over a generator)
        if is_measured_class(klass.fullname) or has_method(klass):
            return True
    return False


def _metadata(info: TypeInfo) -> dict[str, object]:
    return info.metadata.get(_names.METADATA_KEY, {})


def _has_decorator(info: TypeInfo, name: str) -> bool:
    for decorator in info.defn.decorators:
        if isinstance(decorator, RefExpr) and canonical(decorator.fullname) == name:
            return True
    return False


def _walk(typ: Type, seen_aliases: set[str], found: list[Problem]) -> None:
    if isinstance(typ, Instance):  # the common case first: no alias, already proper
        _walk_instance(typ, seen_aliases, found)
        return
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
    elif isinstance(proper, AnyType) and proper.type_of_any != TypeOfAny.from_error:
        found.append(Problem(ProblemKind.ANY, proper))
    # A TypeVarType is a parameter of the class being checked: checked where it is used.


def _walk_all(types: Sequence[Type], seen_aliases: set[str], found: list[Problem]) -> None:
    for item in types:
        _walk(item, seen_aliases, found)


def _walk_instance(typ: Instance, seen_aliases: set[str], found: list[Problem]) -> None:
    info = typ.type
    name = info.fullname
    if is_measured_class(name) or implements(info):
        if typ.args and holds_arguments(name):
            if is_measured_class(name):
                _walk_all(typ.args, seen_aliases, found)
                return
            inside: list[Problem] = []
            _walk_all(typ.args, seen_aliases, inside)
            found.extend(
                Problem(ProblemKind.GENERIC, problem.type, problem.generic or typ)
                if problem.kind is ProblemKind.UNMEASURABLE
                else problem
                for problem in inside
            )
    else:
        found.append(Problem(ProblemKind.UNMEASURABLE, typ))
