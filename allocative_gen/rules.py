"""The rules shared by the generator and the plugin: names, class kinds, fields and visits.

This module is pure Python (no libcst, no jinja2, no mypy) so that the mypy
plugin can import it. Every table the generator and the plugin both need
lives here once: the spelling of names (:func:`canonical`), the kinds of
class and the decorators and bases that make them, the annotations that are
not fields, which classes the runtime measures without help, and the visits.

Names are compared in one spelling, :func:`canonical`'s. A field's type is
described by :class:`TypeRef`, a qualified name with arguments
(``builtins.list`` of ``builtins.str``); the generator builds it from source,
the plugin from mypy's types.
:func:`visit_for` maps it to the :class:`Visit` the generated method makes.

The generated method's body is a sequence of statements of these shapes, so a
checker can read back which fields a method visits:

- ``visitor.<method>("<field>", <read>[, <type names>])`` where
  ``<method>`` is in :data:`FIELD_VISITS` and ``<read>`` is :func:`read_of`'s
  (``self.<attr>``, ``getattr(self, "<attr>")`` or ``getattr(self, "<attr>", None)``);
- ``visitor.visit_field_with("<field>", <read>, <function>)``;
- ``visitor.skip("<field>")`` for a field with the ``skip`` option;
- ``visitor.visit_stored("<attr>", self)`` for a cached property (:data:`STORED_PROPERTIES`),
  whose value the instance keeps in its ``__dict__`` once computed;
- ``<Base>.__allocative__(self, visitor)`` for a base class with its own method;
- ``pass`` when nothing is visited.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from enum import Enum
from typing import Final, NamedTuple, TypeVar

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

_FOLDED: Final = (("typing_extensions.", "typing."), ("allocative._marker.", "allocative."))
_FOLDED_PREFIXES: Final = tuple(prefix for prefix, _ in _FOLDED)


def canonical(name: str) -> str:
    """One spelling per name: ``typing_extensions`` and the runtime's private module folded."""
    if not name.startswith(_FOLDED_PREFIXES):
        return name
    for prefix, replacement in _FOLDED:
        if name.startswith(prefix):
            return replacement + name[len(prefix) :]
    return name


ANNOTATED: Final = "typing.Annotated"
"""The annotation whose first argument is the field's type and whose others are options."""
NOT_FIELDS: Final = frozenset({"typing.ClassVar", "dataclasses.InitVar", "dataclasses.KW_ONLY"})
"""Annotations that declare something other than an instance field."""
FINAL: Final = "typing.Final"
UNWRAPPED: Final = frozenset({FINAL, "typing.Required", "typing.NotRequired"})
"""Annotations whose first argument is the field's type."""


class Kind(Enum):
    """A kind of class, which decides what its fields are."""

    DATACLASS = "dataclass"
    ATTRS = "attrs"
    ATTRS_AUTO = "attrs with auto_attribs"
    ATTRS_DETECT = "attrs, auto_attribs detected"
    NAMEDTUPLE = "NamedTuple"
    PYDANTIC = "pydantic model"
    PLAIN = "plain class"
    PROTOCOL = "Protocol"
    TYPED_DICT = "TypedDict"
    ENUM = "Enum"


UNMARKABLE: Final = {
    Kind.PROTOCOL: (
        "is a Protocol: a method would become part of the protocol and change which classes "
        "match it (isinstance() of a runtime_checkable one); remove @allocative and mark the "
        "classes that implement it"
    ),
    Kind.TYPED_DICT: (
        "is a TypedDict: its values are plain dicts, measured as dicts, and it cannot have "
        "methods; remove @allocative"
    ),
    Kind.ENUM: (
        "is an Enum: its members belong to the class and count zero, so a method would never "
        "run; remove @allocative"
    ),
}
"""The kinds of class where ``@allocative`` is meaningless, and why (after the class's name)."""


DATACLASS_DECORATORS: Final = frozenset({"dataclasses.dataclass", "pydantic.dataclasses.dataclass"})
"""Class decorators that make a dataclass."""
ATTRS_CLASSIC: Final = frozenset({"attr.s", "attr.attrs", "attr.attributes", "attrs.attrs"})
"""Class decorators that make an attrs class, ``auto_attribs`` off unless given."""
ATTRS_NEXT_GEN: Final = frozenset(
    {f"{module}.{name}" for module in ("attr", "attrs") for name in ("define", "frozen", "mutable")}
    | {"attr.dataclass"}
)
"""Class decorators that make an attrs class, ``auto_attribs`` detected unless given."""
ATTRS_FIELD_CALLS: Final = frozenset(
    {"attr.ib", "attr.attrib", "attr.attr", "attr.field", "attrs.field"}
)
"""Calls that declare an attrs field (``x = attr.ib()``)."""
NAMEDTUPLE: Final = "typing.NamedTuple"
NAMEDTUPLE_FACTORIES: Final = frozenset({"collections.namedtuple", NAMEDTUPLE})
"""Calls that make a named tuple class; as a base (``class P(namedtuple("P", "x y"))``) its
items are the built-in part, which the runtime measures."""
PROTOCOL: Final = "typing.Protocol"
"""A class that lists this among its bases is a protocol (not one that merely implements it)."""
TYPED_DICTS: Final = frozenset({"typing.TypedDict", "mypy_extensions.TypedDict"})
ENUMS: Final = frozenset(
    {f"enum.{name}" for name in ("Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "ReprEnum")}
)
ENUM_METACLASSES: Final = frozenset({"enum.EnumMeta", "enum.EnumType"})
PYDANTIC_MODELS: Final = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel"})
"""pydantic's model base class, as exported and where it is defined (mypy's spelling)."""
PYDANTIC_INTERNALS: Final = (
    "__pydantic_fields_set__",
    "__pydantic_extra__",
    "__pydantic_private__",
)
"""Per-instance attributes every pydantic model owns besides its fields (visited dynamically)."""
FIELDLESS_BASES: Final = frozenset(
    {
        "typing.Generic",
        "typing.Protocol",
        NAMEDTUPLE,
        *PYDANTIC_MODELS,
        "abc.ABC",
        "enum.Enum",
        "attr.AttrsInstance",
        "attrs.AttrsInstance",
    }
)
"""Bases that declare no instance fields of their own (nor does any class of ``builtins``)."""


def is_fieldless_base(name: str) -> bool:
    """Whether the base class ``name`` adds no fields to a class (``Generic``, ``object``)."""
    return name in FIELDLESS_BASES or name.startswith("builtins.")


SLOTS: Final = "__slots__"
NOT_SLOTS: Final = frozenset({"__dict__", "__weakref__"})
"""Names in ``__slots__`` that are not fields."""
NEVER_FIELDS: Final = NOT_SLOTS | {"__class__", SLOTS}
"""Names assigned on an instance that are never fields: its storage and its class."""
M = TypeVar("M")
INIT: Final = "__init__"
"""The method whose unconditional assignments every instance has been through."""
IMPLICIT_CLASS_METHODS: Final = frozenset({"__new__", "__init_subclass__", "__class_getitem__"})
"""Methods whose first parameter is the class even without a decorator."""
NO_SELF_DECORATORS: Final = frozenset({"builtins.staticmethod", "builtins.classmethod"})
"""Decorators after which a method's first parameter is not the instance."""
SETATTR_CALLS: Final = frozenset({"builtins.setattr", "builtins.object.__setattr__"})
"""Calls that set an attribute named by a string: ``setattr(self, "x", value)``."""
FIELD_CALLS: Final = frozenset({"dataclasses.field"}) | ATTRS_FIELD_CALLS
"""Calls that declare a dataclass or attrs field with options."""
DEFAULT_KEYWORDS: Final = frozenset({"default", "default_factory", "factory"})


def reading_order(methods: list[M], name: Callable[[M], str]) -> Iterator[tuple[M, bool]]:
    """The methods whose assignments give a class's fields, in the order both tools read
    them, each with whether it is *the* ``__init__``: ``__init__`` first when the class
    defines exactly one (its unconditional assignments are certain), then the others in
    class order."""
    inits = [method for method in methods if name(method) == INIT]
    init = inits[0] if len(inits) == 1 else None
    if init is not None:
        yield init, True
    for method in methods:
        if method is not init:
            yield method, False


def leaves_unset(callee: str, init_false: bool, has_default: bool) -> bool:
    """Whether a field declared ``x = <callee>(...)`` may be missing on an instance: a
    dataclass or attrs field with ``init=False`` and no default (``has_default``: a
    default keyword or a positional argument)."""
    return callee in FIELD_CALLS and init_false and not has_default


def is_private(name: str) -> bool:
    """Whether Python mangles the attribute name ``name`` (``__x``, not ``__x__``)."""
    return name.startswith("__") and not name.endswith("__")


def mangled(name: str, class_name: str) -> str:
    """The attribute a private name ``__x`` of class ``class_name`` is stored under."""
    if not is_private(name) or not class_name.strip("_"):
        return name
    return f"_{class_name.lstrip('_')}{name}"


class Read(NamedTuple):
    """How a generated method reads a field: the attribute, and whether it may be missing.

    Rendered ``self.<attr>`` (``attr`` is the field's name), ``getattr(self, "<attr>")`` (a
    base's private name, stored mangled) or ``getattr(self, "<attr>", None)`` (``default``:
    not every instance has it, and the read must not raise).
    """

    attr: str
    default: bool


def read_expression(name: str, read: Read) -> str:
    """The expression a generated method reads field ``name`` with, as ``read`` says."""
    attr = json.dumps(read.attr)
    if read.default:
        return f"getattr(self, {attr}, None)"
    if read.attr != name:
        return f"getattr(self, {attr})"
    return f"self.{name}"


def read_of(name: str, owner: str, own: bool, certain: bool) -> Read:
    """How a method of a class reads field ``name`` declared by class ``owner`` (``own``: the
    class itself); ``certain``: every instance has the attribute."""
    if is_private(name) and (not own or not certain):
        return Read(mangled(name, owner), not certain)
    return Read(name, not certain)


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
SKIP_VISIT: Final = "skip"
"""The visitor method that declares a ``skip`` field deliberately not visited."""
STORED_VISIT: Final = "visit_stored"
"""The visitor method that visits what an instance keeps under a name in its ``__dict__``,
if anything, without running a descriptor: a cached property's computed value."""
STORED_PROPERTIES: Final = frozenset(
    {
        "functools.cached_property",
        "cached_property.cached_property",
        "cached_property.threaded_cached_property",
        "django.utils.functional.cached_property",
        "werkzeug.utils.cached_property",
        "boltons.cacheutils.cached_property",
    }
)
"""Decorators that make a method a descriptor keeping its computed value in the instance's
``__dict__`` under the method's own name (mangled when private): the value is there once
computed, and measuring must not compute it."""


def stored_name(name: str, class_name: str) -> str:
    """The key the instance's ``__dict__`` keeps a cached property ``name`` of class
    ``class_name`` under (a private name is mangled in the class body)."""
    return mangled(name, class_name)


FIELD_VISITS: Final = frozenset(
    {DYNAMIC_VISIT, "visit_opaque", "visit_field_with"}
    | set(SCALAR_VISITS.values())
    | set(SEQUENCES.values())
    | set(MAPPINGS.values())
)
"""Every visitor method a generated method calls for a field."""


class TypeRef(NamedTuple):
    """A field's declared type: a qualified name (``builtins.list``) and its arguments.

    A ``NamedTuple`` (immutable, compared and hashed by value) rather than a frozen
    dataclass: the mypy plugin makes and compares several per field on its cold path,
    where a tuple's C-level construction, hashing and equality are measurably cheaper.
    """

    name: str
    args: tuple[TypeRef, ...] = ()


class Option(Enum):
    """A field option given in ``typing.Annotated[...]``, or ``STORED``: the member is a
    cached property (:data:`STORED_PROPERTIES`)."""

    SKIP = SKIP
    OPAQUE = OPAQUE
    VISIT_WITH = VISIT_WITH
    STORED = "functools.cached_property"


OPTIONS: Final = {SKIP: Option.SKIP, OPAQUE: Option.OPAQUE}
"""The field options written as a bare name in ``Annotated[...]``; ``visit_with`` is called."""


class Visit(NamedTuple):
    """One visitor call for a field: the method and the type names passed after the value.

    A ``NamedTuple`` for the same reason as :class:`TypeRef`.
    """

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


def visit_for_option(option: Option | None, tp: TypeRef | None) -> Visit:
    """The visit of a field with field option ``option`` (``skip``: declared, not visited)."""
    if option is Option.SKIP:
        return Visit(SKIP_VISIT)
    if option is Option.OPAQUE:
        return Visit("visit_opaque")
    if option is Option.VISIT_WITH:
        return Visit("visit_field_with")
    if option is Option.STORED:
        return Visit(STORED_VISIT)
    return visit_for(tp)


_TUPLES: Final = frozenset({"builtins.tuple", "typing.Tuple"})
_PLAIN_UNIONS: Final = frozenset({"types.UnionType", "typing.Union", "typing.Optional"})
_NONE_NAMES: Final = frozenset({"builtins.None", "types.NoneType"})


def is_plain(tp: TypeRef | None) -> bool:
    """Whether a field declared ``tp`` (as written and resolved) is measured without a look
    at its classes: a built-in scalar, a built-in container given scalar items
    (``list[float]``, ``dict[str, int]``, ``tuple[int, ...]``), or a union of scalars and
    ``None``. A bare ``list`` is not: its items are ``Any``.
    """
    if tp is None:
        return False
    name, args = tp
    if not args:
        return name in SCALARS
    if name in SEQUENCES or name in MAPPINGS:
        if len(args) == 2 and args[1].name == ELLIPSIS and name in _TUPLES:
            args = args[:1]
        return all(not arg.args and arg.name in SCALARS for arg in args)
    if name in _PLAIN_UNIONS:
        return all(
            not arg.args and (arg.name in SCALARS or arg.name in _NONE_NAMES) for arg in args
        )
    return False


def is_measured_builtin(tp: TypeRef) -> bool:
    """Whether values of ``tp`` are measured by the runtime without an ``__allocative__``."""
    return is_measured_class(tp.name)


def is_measured_class(name: str) -> bool:
    """Whether instances of the class ``name`` are measured by the runtime without help."""
    if name in NOT_MEASURED:
        return False
    return name.startswith("builtins.") or name in _RUNTIME_BUILTINS or name in ABSTRACT_COLLECTIONS


def holds_arguments(name: str) -> bool:
    """Whether values of the class ``name`` hold values of its type arguments.

    True for containers and for any class that is not built in (a marked
    generic class visits its ``T`` fields); False for ``ndarray``, ``array``...
    """
    return name in CONTAINERS or not is_measured_class(name)


NOT_MEASURED: Final = frozenset({"builtins.object"})
"""``object`` says nothing about the value: the runtime can only measure it reflectively."""

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
        "datetime.timezone",
        "datetime.tzinfo",
        "uuid.UUID",
        "array.array",
        "mmap.mmap",
        "enum.Enum",
        "numpy.ndarray",
    }
)
"""Types outside ``builtins`` that the runtime measures without help."""

ABSTRACT_COLLECTIONS: Final = frozenset(
    {
        "typing.Iterable",
        "typing.Iterator",
        "typing.Reversible",
        "typing.Collection",
        "typing.Container",
        "typing.Sized",
        "typing.Sequence",
        "typing.MutableSequence",
        "typing.Mapping",
        "typing.MutableMapping",
        "typing.AbstractSet",
        "typing.MutableSet",
        "typing.MappingView",
        "typing.KeysView",
        "typing.ValuesView",
        "typing.ItemsView",
    }
)
"""Abstract collections: the runtime dispatches on a value's run-time type and checks its items."""

CONTAINERS: Final = (
    frozenset(SEQUENCES)
    | frozenset(MAPPINGS)
    | ABSTRACT_COLLECTIONS
    | {
        "collections.deque",
        "collections.defaultdict",
        "collections.OrderedDict",
        "collections.Counter",
        "collections.ChainMap",
    }
)
"""Built-in generic classes whose values hold values of their type arguments
(``list[Bad]`` is a problem, ``numpy.ndarray[Any, dtype[float64]]`` is not)."""
