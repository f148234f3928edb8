"""Which names a class body binds are instance fields, in which order, and whether every
instance has them.

Pure Python, shared by the generator and the mypy plugin like :mod:`allocative_gen.rules`.
Each tool reads a class body its own way (Python's ``ast``, mypy's tree) into the same
:class:`Binding` records, in reading order: the class-level statements, then the
assignments of ``__init__``, then those of the other methods in class order, then the
names in ``__slots__``. :func:`fields_of` turns them into :class:`Member` records; the
rule lives only here.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Final, Generic, NamedTuple, TypeVar

from allocative_gen.rules import NEVER_FIELDS, Option

T = TypeVar("T")


class Source(Enum):
    """What a binding of a name says about it."""

    FIELD = "a field the class's kind declares (a dataclass, attrs, NamedTuple field)"
    DECLARED = "declared without a value (``x: int`` in a plain class, ``field(init=False)``)"
    INIT = "assigned unconditionally at the top of ``__init__``, before any return"
    METHOD = "assigned anywhere else in a method, or by setattr (unknown to type checkers)"
    SLOT = "named in ``__slots__``"
    CLASS_VALUE = "given a value in the class body: a class attribute, and the fallback of reads"
    NOT_FIELD = "a method, a property, a ClassVar or a Final constant"
    STORED = "a cached property: its value is in the instance's ``__dict__`` once computed"


_MAKES_FIELD = frozenset(
    {Source.FIELD, Source.DECLARED, Source.INIT, Source.METHOD, Source.SLOT, Source.STORED}
)
_OVERRIDES_NOT_FIELD = frozenset({Source.FIELD, Source.STORED})
_CERTAIN = frozenset({Source.FIELD, Source.INIT, Source.CLASS_VALUE})


class Binding(NamedTuple, Generic[T]):
    """One place a class binds ``name``: what it says (:class:`Source`), its annotation
    (``typed``; None when this binding gives the field no type) and where it is (``where``:
    a node a checker reports on)."""

    name: str
    source: Source
    typed: T | None = None
    where: object = None


class Member(NamedTuple, Generic[T]):
    """An instance field: its name, its annotation (the first binding that gives one),
    whether every instance has it (``certain``: read as ``self.x``, else without raising)
    and where it is first bound (or annotated, when that gives its type)."""

    name: str
    typed: T | None
    certain: bool
    where: object = None


def fields_of(bindings: Iterable[Binding[T]]) -> list[Member[T]]:
    """The fields ``bindings`` (in reading order) make, in the order of their first binding.

    A name is a field when something other than a class-level value binds it (its kind, a
    declaration, a method's assignment, ``__slots__``, a cached property); never when the
    class body makes it a method, property, ``ClassVar`` or ``Final`` constant (unless its
    kind declares it a field, or it is a cached property), nor ``__dict__``,
    ``__weakref__``, ``__class__``. A field is certain when its
    kind declares it, ``__init__`` assigns it unconditionally, or the class body gives it a
    value to fall back on.
    """
    order: dict[str, object] = {}
    sources: dict[str, set[Source]] = {}
    typed: dict[str, Binding[T]] = {}
    for binding in bindings:
        name = binding.name
        if name in NEVER_FIELDS:
            continue
        sources.setdefault(name, set()).add(binding.source)
        if binding.source in _MAKES_FIELD:
            order.setdefault(name, binding.where)
        if binding.typed is not None and binding.source is not Source.NOT_FIELD:
            typed.setdefault(name, binding)
    found: list[Member[T]] = []
    for name, where in order.items():
        seen = sources[name]
        if Source.NOT_FIELD in seen and _OVERRIDES_NOT_FIELD.isdisjoint(seen):
            continue
        certain = not _CERTAIN.isdisjoint(seen)
        annotated = typed.get(name)
        if annotated is None:
            found.append(Member(name, None, certain, where))
        else:
            found.append(Member(name, annotated.typed, certain, annotated.where or where))
    return found


INHERITED_OPTIONS: Final = frozenset({Option.SKIP, Option.OPAQUE})
"""Field options a redeclaration keeps: they say who owns the value, not how to read it
(``visit_with`` names a function of its own module, so it is not carried to another)."""


def inherits(annotated: bool, option: Option | None, inherited: Option | None) -> tuple[bool, bool]:
    """Whether a class's declaration of a field takes the type, and the option, of the
    declaration its MRO holds next (``inherited``: that declaration's option).

    A redeclaration without an annotation (a name in ``__slots__``, an unannotated
    assignment in a method) keeps the inherited type; one without an option keeps an
    inherited ``skip`` or ``opaque``: a back-reference declared ``skip`` on a base stays
    skipped wherever a subclass lists it again, so measuring a node never walks up to
    its parent.
    """
    return not annotated, option is None and inherited in INHERITED_OPTIONS


def class_value_source(final: bool, option: Option | None) -> Source:
    """What ``name: T = value`` in a plain class's body says of ``name``: a ``Final``
    constant is no field; a name declared with a field option is one (``parent:
    Annotated[Node | None, skip] = None``: every instance reads the default until it
    sets its own, and the option says whose the value is); else a class attribute."""
    if final:
        return Source.NOT_FIELD
    return Source.FIELD if option is not None else Source.CLASS_VALUE
