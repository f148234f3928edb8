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

from collections.abc import Callable, Sequence
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


def problems_of(
    declared: Type | None,
    outside: Callable[[TypeInfo], bool],
    registered: frozenset[str] = frozenset(),
) -> list[Problem]:
    """Every part of ``declared`` that cannot be measured (None: an unannotated field).

    ``outside`` tells the classes outside the project, which are measured by their
    attributes; ``registered`` names the classes the project measures with ``register``
    (``[tool.allocative] registered``).
    """
    if declared is None:
        return [Problem(ProblemKind.ANY, AnyType(TypeOfAny.unannotated))]
    walk = _Walk(outside, registered)
    walk.type(declared)
    return walk.found


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


class _Walk:
    """One walk over a declared type: the aliases already expanded, the problems found, and
    which classes are outside the project (the standard library, installed packages)."""

    def __init__(self, outside: Callable[[TypeInfo], bool], registered: frozenset[str]) -> None:
        self.aliases: set[str] = set()
        self.found: list[Problem] = []
        self.outside = outside
        self.registered = registered

    def type(self, typ: Type) -> None:
        if isinstance(typ, Instance):  # the common case first: no alias, already proper
            self.instance(typ)
            return
        if isinstance(typ, TypeAliasType):
            key = str(typ)
            if key in self.aliases:
                return
            self.aliases.add(key)
        proper = get_proper_type(typ)
        if isinstance(proper, Instance):
            self.instance(proper)
        elif isinstance(proper, (TupleType, UnionType)):
            self.all(proper.items)
        elif isinstance(proper, TypedDictType):
            self.all(list(proper.items.values()))
        elif isinstance(proper, AnyType) and proper.type_of_any != TypeOfAny.from_error:
            self.found.append(Problem(ProblemKind.ANY, proper))
        # A TypeVarType is a parameter of the class being checked: checked where it is used.

    def all(self, types: Sequence[Type]) -> None:
        for item in types:
            self.type(item)

    def instance(self, typ: Instance) -> None:
        info = typ.type
        name = info.fullname
        if is_measured_class(name) or implements(info):
            if typ.args and holds_arguments(name):
                if is_measured_class(name):
                    self.all(typ.args)
                    return
                found, self.found = self.found, []
                self.all(typ.args)
                found.extend(
                    Problem(ProblemKind.GENERIC, problem.type, problem.generic or typ)
                    if problem.kind is ProblemKind.UNMEASURABLE
                    else problem
                    for problem in self.found
                )
                self.found = found
        elif not (info.is_protocol or name in self.registered or self.outside(info)):
            self.found.append(Problem(ProblemKind.UNMEASURABLE, typ))
        # A class of the standard library or an installed package cannot be marked: the
        # runtime measures it by its attributes, named, without a warning. Nor can a
        # Protocol: the value is of some class that has it, measured by its own type.
