"""Which field types are built in and how each is visited: shared by the generator and the plugin.

This module is pure Python (no libcst, no jinja2, no mypy) so that the mypy
plugin can import it. A field's type is described by :class:`TypeRef`, a
qualified name with arguments (``builtins.list`` of ``builtins.str``); the
generator builds it from source, the plugin from mypy's types.
:func:`visit_for` maps it to the :class:`Visit` the generated method makes.

The generated method's body is a sequence of statements of these shapes, so a
checker can read back which fields a method visits:

- ``visitor.<method>("<field>", self.<attr>[, <type names>])`` where
  ``<method>`` is in :data:`FIELD_VISITS`;
- ``visitor.visit_field_with("<field>", self.<attr>, <function>)``;
- ``<Base>.__allocative__(self, visitor)`` for a base class with its own method;
- ``pass`` when nothing is visited.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Final

METHOD_NAME: Final = "__allocative__"
"""The name of the method the generator writes and the runtime calls."""

MARKER: Final = "allocative.allocative"
"""The qualified name of the class decorator that marks a class."""

SKIP: Final = "allocative.skip"
OPAQUE: Final = "allocative.opaque"
VISIT_WITH: Final = "allocative.visit_with"
"""Qualified names of the field options used inside ``typing.Annotated[...]``."""

ELLIPSIS: Final = "..."
"""The name of the ``...`` argument in ``tuple[T, ...]``."""

SCALARS: Final[dict[str, str]] = {
    "builtins.str": "str",
    "builtins.int": "int",
    "builtins.float": "float",
    "builtins.bytes": "bytes",
    "builtins.bool": "bool",
    "builtins.complex": "complex",
}
"""Scalar built-in types, by qualified name, and the name passed to a container visit."""

SCALAR_VISITS: Final[dict[str, str]] = {
    "builtins.str": "visit_str",
    "builtins.int": "visit_int",
    "builtins.float": "visit_float",
    "builtins.bytes": "visit_bytes",
}
"""Scalar types with a typed fast path of their own."""

SEQUENCES: Final[dict[str, str]] = {
    "builtins.list": "visit_list",
    "typing.List": "visit_list",
    "builtins.tuple": "visit_tuple",
    "typing.Tuple": "visit_tuple",
    "builtins.set": "visit_set",
    "typing.Set": "visit_set",
    "builtins.frozenset": "visit_set",
    "typing.FrozenSet": "visit_set",
}
"""Containers of one item type, and the typed visit of each."""

MAPPINGS: Final[dict[str, str]] = {"builtins.dict": "visit_dict", "typing.Dict": "visit_dict"}
"""Containers of keys and values, and the typed visit of each."""

DYNAMIC_VISIT: Final = "visit_field"
"""The visit that dispatches on the run-time type: right for any value."""

FIELD_VISITS: Final = frozenset(
    {DYNAMIC_VISIT, "visit_opaque", "visit_field_with"}
    | set(SCALAR_VISITS.values())
    | set(SEQUENCES.values())
    | set(MAPPINGS.values())
)
"""Every visitor method a generated method calls for a field."""


@dataclass(frozen=True)
class TypeRef:
    """A field's declared type: a qualified name (``builtins.list``) and its arguments."""

    name: str
    args: tuple[TypeRef, ...] = ()


class Option(Enum):
    """A field option given in ``typing.Annotated[...]``."""

    SKIP = SKIP
    OPAQUE = OPAQUE
    VISIT_WITH = VISIT_WITH


@dataclass(frozen=True)
class Visit:
    """One visitor call for a field: the method and the type names passed after the value."""

    method: str
    type_args: tuple[str, ...] = ()


def scalar_name(tp: TypeRef) -> str | None:
    """The built-in scalar name of ``tp`` to pass to a container visit, or None."""
    if tp.args:
        return None
    return SCALARS.get(tp.name)


def _item_of_sequence(tp: TypeRef) -> str | None:
    """The scalar item name of a sequence type, when all its items share one."""
    args = tp.args
    if len(args) == 2 and args[1].name == ELLIPSIS:
        args = args[:1]
    names = {scalar_name(arg) for arg in args}
    if len(names) != 1:
        return None
    return names.pop()


def visit_for(tp: TypeRef | None) -> Visit:
    """The visit of a field of declared type ``tp`` (None: unannotated)."""
    if tp is None:
        return Visit(DYNAMIC_VISIT)
    if not tp.args and tp.name in SCALAR_VISITS:
        return Visit(SCALAR_VISITS[tp.name])
    sequence = SEQUENCES.get(tp.name)
    if sequence is not None:
        return Visit(sequence, (_item_of_sequence(tp) or "None",))
    mapping = MAPPINGS.get(tp.name)
    if mapping is not None:
        key = value = None
        if len(tp.args) == 2:
            key, value = scalar_name(tp.args[0]), scalar_name(tp.args[1])
        return Visit(mapping, (key or "None", value or "None"))
    return Visit(DYNAMIC_VISIT)


def visit_for_option(option: Option | None, tp: TypeRef | None) -> Visit | None:
    """The visit of a field with field option ``option``; None when the field is not visited."""
    if option is Option.SKIP:
        return None
    if option is Option.OPAQUE:
        return Visit("visit_opaque")
    if option is Option.VISIT_WITH:
        return Visit("visit_field_with")
    return visit_for(tp)


def is_measured_builtin(tp: TypeRef) -> bool:
    """Whether values of ``tp`` are measured by the runtime without an ``__allocative__``."""
    return tp.name.startswith("builtins.") or tp.name in _RUNTIME_BUILTINS


_RUNTIME_BUILTINS: Final = frozenset(
    {
        "types.NoneType",
        "collections.deque",
        "collections.defaultdict",
        "collections.OrderedDict",
        "collections.Counter",
        "decimal.Decimal",
        "fractions.Fraction",
        "datetime.datetime",
        "datetime.date",
        "datetime.time",
        "datetime.timedelta",
        "uuid.UUID",
        "array.array",
        "mmap.mmap",
        "enum.Enum",
        "numpy.ndarray",
    }
)
"""Types outside ``builtins`` that the runtime measures without help."""
