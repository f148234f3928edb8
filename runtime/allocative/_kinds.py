"""How each type is measured: its frame name, own size, gaps and children.

A :class:`Kind` is resolved once per type per measurement and cached by the
visitor, so the hot path is one dict lookup per object. Resolution order:
built-ins by exact type, things no data owns (classes, modules, functions,
Enum members), registered visit functions, ``__allocative__``, subclasses of
built-ins, numpy arrays and mmaps, then the reflective fallback.
"""

from __future__ import annotations

import array
import collections
import copy
import datetime
import decimal
import enum
import fractions
import gc
import mmap
import sys
import types
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, cast

from allocative import _layout, _sizes

if TYPE_CHECKING:
    from allocative._visitor import Visitor

Expand = Callable[["Visitor", Any], None]
Method = Callable[[Any, "Visitor"], None]
"""An ``__allocative__`` method or a registered visit function: ``method(value, visitor)``."""
OwnDict = Callable[[Any], "dict[str, object] | None"]
getsizeof: Final = sys.getsizeof


class Kind:
    """Everything the visitor needs to measure one type's objects.

    ``fixed_size`` says that ``size`` is the same for every object of the type.
    ``method`` is the type's own ``__allocative__`` function when runs of its
    instances may be measured a column at a time (``_columns``); such instances
    have a fixed size and ``storage`` reads where their attribute values are.
    """

    __slots__ = (
        "attrs",
        "blocks",
        "expand",
        "fixed_size",
        "method",
        "name",
        "reflective",
        "size",
        "storage",
        "unused",
        "zero",
    )

    def __init__(
        self,
        name: str,
        size: Callable[[Any], int] = getsizeof,
        *,
        zero: Callable[[Any], bool] | None = None,
        unused: Callable[[Any], int] | None = None,
        attrs: Callable[[Any], int] | None = None,
        expand: Expand | None = None,
        blocks: Callable[[Any], tuple[int, ...]] | None = None,
        reflective: bool = False,
    ) -> None:
        self.name = name
        self.size = size
        self.zero = zero
        self.unused = unused
        self.attrs = attrs
        self.expand = expand
        self.blocks = blocks
        self.reflective = reflective
        self.fixed_size = False
        self.method: object = None
        self.storage: _layout.InstanceStorage | None = None

    def with_expand(self, expand: Expand) -> Kind:
        """A copy of this kind that expands its objects with ``expand``."""
        kind = copy.copy(self)
        kind.expand = expand
        return kind


def _always(value: object) -> bool:
    return True


def _str_zero(value: str) -> bool:
    if len(value) < 2:
        return not value or ord(value) < 256
    return _layout.is_interned(value)


def _int_zero(value: int) -> bool:
    return -5 <= value <= 256


GC_HEADER: Final = getsizeof([]) - [].__sizeof__()
"""What ``getsizeof`` adds to a built-in container's ``__sizeof__``: its GC header.

Built-in kinds call ``__sizeof__`` directly (``getsizeof`` costs four times as
much: it looks the method up on every call), adding this where the type has it.
"""
ONE_DIGIT_INT: Final = getsizeof(1)
MEDIUM_INT_STRUCT: Final = ONE_DIGIT_INT + 4
"""Bytes of a one-digit int made by arithmetic: a whole padded struct."""


def int_size(value: int) -> int:
    """Bytes of an int; one-digit ints made by arithmetic are a whole padded struct."""
    size = int.__sizeof__(value)
    return MEDIUM_INT_STRUCT if size == ONE_DIGIT_INT else size


def _list_size(value: list[object]) -> int:
    return list.__sizeof__(value) + GC_HEADER


_DATETIME_TZINFO: Final = 8


def _datetime_size(value: datetime.datetime | datetime.time) -> int:
    """A naive ``datetime``/``time`` is allocated without its ``tzinfo`` slot."""
    size = getsizeof(value)
    return size - _DATETIME_TZINFO if value.tzinfo is None else size


def _bytes_zero(value: bytes) -> bool:
    return len(value) < 2


def _tuple_zero(value: tuple[object, ...]) -> bool:
    return not value


def expand_items(visitor: Visitor, value: Any) -> None:
    """Visit each element of a list, tuple, set, frozenset or deque."""
    visit = visitor.visit_item
    for item in value:
        visit(item)


def expand_dict(visitor: Visitor, value: dict[Any, Any]) -> None:
    """Visit each key and value of a dict under ``key`` and ``value`` frames."""
    visit = visitor.visit_field
    for key, item in value.items():
        visit("key", key)
        visit("value", item)


def _expand_defaultdict(visitor: Visitor, value: collections.defaultdict[Any, Any]) -> None:
    if value.default_factory is not None:
        visitor.visit_field("default_factory", value.default_factory)
    expand_dict(visitor, value)


def _expand_referents(visitor: Visitor, value: object) -> None:
    visit = visitor.visit_item
    for referent in gc.get_referents(value):
        visit(referent)


def _expand_memoryview(visitor: Visitor, value: memoryview) -> None:
    for referent in gc.get_referents(value):
        visitor.visit_field("buffer", referent)


def _expand_managed_buffer(visitor: Visitor, value: object) -> None:
    for referent in gc.get_referents(value):
        visitor.visit_field("obj", referent)


def _expand_mmap(visitor: Visitor, value: mmap.mmap) -> None:
    if not value.closed:
        visitor.visit_simple("mapped", len(value))


def _expand_fraction(visitor: Visitor, value: fractions.Fraction) -> None:
    visitor.visit_field("numerator", value.numerator)
    visitor.visit_field("denominator", value.denominator)


def _expand_uuid(visitor: Visitor, value: uuid.UUID) -> None:
    visitor.visit_field("int", value.int)


def _expand_datetime(visitor: Visitor, value: datetime.time | datetime.datetime) -> None:
    if value.tzinfo is not None:
        visitor.visit_field("tzinfo", value.tzinfo)


def _expand_range(visitor: Visitor, value: range) -> None:
    visitor.visit_field("start", value.start)
    visitor.visit_field("stop", value.stop)
    visitor.visit_field("step", value.step)
    visitor.visit_field("length", _layout.range_length(value))


Buffers = Callable[[Any], tuple[int, ...]]
"""The sizes of the blocks an object allocated apart from its own struct."""


def _list_buffers(value: list[object]) -> tuple[int, ...]:
    items = list.__sizeof__(value) - type(value).__basicsize__
    return (items,) if items else ()


def _dict_buffers(value: dict[object, object]) -> tuple[int, ...]:
    table = _sizes.dict_table_bytes(value)
    return (table,) if table else ()


def _set_buffers(value: set[object] | frozenset[object]) -> tuple[int, ...]:
    table = _sizes.set_table_bytes(value)
    return (table,) if table else ()


def _bytearray_buffers(value: bytearray) -> tuple[int, ...]:
    alloc = value.__alloc__()
    return (alloc,) if alloc else ()


def _array_buffers(value: array.array[Any]) -> tuple[int, ...]:
    items = _sizes.array_bytes(value)
    return (items,) if items else ()


def _deque_buffers(value: collections.deque[object]) -> tuple[int, ...]:
    return (_layout.DEQUE_BLOCK_SIZE,) * _sizes.deque_blocks(value)


def _str_buffers(value: str) -> tuple[int, ...]:
    cache = _sizes.str_utf8_bytes(value)
    return (cache,) if cache else ()


def _decimal_buffers(value: decimal.Decimal) -> tuple[int, ...]:
    digits = decimal.Decimal.__sizeof__(value) - type(value).__basicsize__
    return (digits,) if digits else ()


def _no_buffers(value: object) -> tuple[int, ...]:
    return ()


def block_sizes(
    size: Callable[[Any], int],
    buffers: Buffers,
    values: Callable[[Any], int] | None = None,
) -> Callable[[Any], tuple[int, ...]]:
    """``blocks(value)``: the object's own struct first, then each separate allocation.

    ``values`` is a separately allocated attribute values array (3.11/3.12 instances).
    """

    def blocks(value: Any) -> tuple[int, ...]:
        separate = buffers(value)
        total = size(value)
        if values is not None:
            array_bytes = values(value)
            if array_bytes:
                separate = (*separate, array_bytes)
                total += array_bytes
        return (total - sum(separate), *separate)

    return blocks


_BUFFERS: Final[dict[type, Buffers]] = {
    list: _list_buffers,
    dict: _dict_buffers,
    set: _set_buffers,
    frozenset: _set_buffers,
    bytearray: _bytearray_buffers,
    array.array: _array_buffers,
    collections.deque: _deque_buffers,
    str: _str_buffers,
    decimal.Decimal: _decimal_buffers,
}


def _builtin_kinds() -> dict[type, Kind]:
    items = expand_items
    kinds = [
        (str, Kind("str", str.__sizeof__, zero=_str_zero)),
        (int, Kind("int", int_size, zero=_int_zero)),
        (float, Kind("float", float.__sizeof__)),
        (complex, Kind("complex", complex.__sizeof__)),
        (bytes, Kind("bytes", bytes.__sizeof__, zero=_bytes_zero)),
        (bytearray, Kind("bytearray", unused=_sizes.bytearray_unused)),
        (list, Kind("list", _list_size, unused=_sizes.list_unused, expand=items)),
        (tuple, Kind("tuple", zero=_tuple_zero, expand=items)),
        (set, Kind("set", unused=_sizes.set_unused, expand=items)),
        (frozenset, Kind("frozenset", unused=_sizes.set_unused, expand=items)),
        (dict, Kind("dict", _sizes.dict_size, unused=_sizes.dict_unused, expand=expand_dict)),
        (
            collections.deque,
            Kind("deque", size=_sizes.deque_size, unused=_sizes.deque_unused, expand=items),
        ),
        (array.array, Kind("array", unused=_sizes.array_unused)),
        (range, Kind("range", expand=_expand_range)),
        (memoryview, Kind("memoryview", expand=_expand_memoryview)),
        (mmap.mmap, Kind("mmap", expand=_expand_mmap)),
        (decimal.Decimal, Kind("Decimal")),
        (fractions.Fraction, Kind("Fraction", expand=_expand_fraction)),
        (uuid.UUID, Kind("UUID", expand=_expand_uuid)),
        (datetime.date, Kind("date")),
        (datetime.timedelta, Kind("timedelta")),
        (datetime.datetime, Kind("datetime", _datetime_size, expand=_expand_datetime)),
        (datetime.time, Kind("time", _datetime_size, expand=_expand_datetime)),
        (datetime.timezone, Kind("timezone", zero=_is_utc, expand=_expand_referents)),
    ]
    managed_buffer = _managed_buffer_type()
    if managed_buffer is not None:
        kinds.append((managed_buffer, Kind("managedbuffer", expand=_expand_managed_buffer)))
    for tp, kind in kinds:
        kind.blocks = block_sizes(kind.size, _BUFFERS.get(tp, _no_buffers))
    return dict(kinds)


def _is_utc(value: datetime.timezone) -> bool:
    return value is datetime.UTC


def _managed_buffer_type() -> type | None:
    referents = gc.get_referents(memoryview(b"x"))
    return type(referents[0]) if referents else None


ZERO: Final = Kind("", zero=_always)
"""Objects that no data owns: they are never counted."""

_ZERO_TYPES: Final = (
    type(None),
    bool,
    type(Ellipsis),
    type(NotImplemented),
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodDescriptorType,
    types.WrapperDescriptorType,
    types.MethodWrapperType,
    types.GetSetDescriptorType,
    types.MemberDescriptorType,
    types.CodeType,
    staticmethod,
    classmethod,
    property,
)

BUILTIN_KINDS: Final = _builtin_kinds()


def frame_name(tp: type) -> str:
    """The frame that shows objects of ``tp``: its qualified name, made folded-safe."""
    name = getattr(tp, "__qualname__", None) or tp.__name__
    return name.replace("<locals>.", "").replace(";", ":").replace(" ", "_")


def _owns_nothing(tp: type) -> bool:
    return issubclass(tp, _ZERO_TYPES) or issubclass(tp, type) or isinstance(tp, enum.EnumMeta)


def _builtin_base(tp: type) -> Kind | None:
    for base in tp.__mro__[1:]:
        kind = BUILTIN_KINDS.get(base)
        if kind is not None:
            return kind
    return None


def _is_numpy_array(tp: type) -> bool:
    return any(b.__name__ == "ndarray" and b.__module__ == "numpy" for b in tp.__mro__)


def _class_attribute(tp: type, name: str) -> object:
    for klass in tp.__mro__:
        namespace = vars(klass)
        if name in namespace:
            return namespace[name]
    return None


def declared_fields(tp: type) -> tuple[str, ...]:
    """Field names a class declares (dataclass, attrs, NamedTuple, pydantic, ``__slots__``)."""
    names: dict[str, None] = {}
    for source in ("__dataclass_fields__", "model_fields"):
        fields = getattr(tp, source, None)
        if isinstance(fields, dict):
            names.update(dict.fromkeys(fields))
    for attribute in getattr(tp, "__attrs_attrs__", ()):
        names[attribute.name] = None
    if issubclass(tp, tuple):
        names.update(dict.fromkeys(getattr(tp, "_fields", ())))
    for klass in tp.__mro__:
        slots = vars(klass).get("__slots__", ())
        names.update(dict.fromkeys([slots] if isinstance(slots, str) else slots))
    names.pop("__dict__", None)
    names.pop("__weakref__", None)
    return tuple(n for n in names if not isinstance(_class_attribute(tp, n), property))


def _no_dict(value: object) -> None:
    return None


def _instance_dict(storage: _layout.InstanceStorage | None) -> OwnDict:
    """``own_dict(value)``: an instance's own ``__dict__`` object, found without creating one."""
    return _no_dict if storage is None else storage.own_dict


def _storage_of(tp: type) -> _layout.InstanceStorage | None:
    if _layout.SUPPORTED and _layout.has_managed_dict(tp):
        return _layout.InstanceStorage(tp)
    return None


def _method_expand(fn: Method, instance_dict: OwnDict, base: Expand | None) -> Expand:
    def expand(visitor: Visitor, value: Any) -> None:
        own_dict = instance_dict(value)
        if own_dict is not None:
            visitor.visit_opaque("__dict__", own_dict)
        if base is not None:
            base(visitor, value)
        fn(value, visitor)

    return expand


def _reflective_expand(tp: type, instance_dict: OwnDict, base: Expand | None) -> Expand:
    names = declared_fields(tp)

    def expand(visitor: Visitor, value: Any) -> None:
        own_dict = instance_dict(value)
        if own_dict is not None:
            visitor.visit_field("__dict__", own_dict)
        for name in names:
            try:
                field = getattr(value, name)
            except AttributeError:
                continue
            visitor.visit_field(name, field)
        if base is not None:
            base(visitor, value)
        for referent in gc.get_referents(value):
            if referent is not tp:
                visitor.visit_item(referent)

    return expand


def _numpy_owns_data(array: Any) -> bool:
    return bool(array.base is None and array.flags.owndata)


def _numpy_size(array: Any) -> int:
    size = getsizeof(array)
    return size - array.nbytes if _numpy_owns_data(array) else size


def _numpy_blocks(array: Any) -> tuple[int, ...]:
    return (_numpy_size(array),)


def _numpy_expand(visitor: Visitor, array: Any) -> None:
    if not _numpy_owns_data(array):
        if array.base is not None:
            visitor.visit_field("base", array.base)
        return
    visitor.visit_simple("data", array.nbytes)
    if array.dtype.hasobject:
        visit = visitor.visit_item
        for item in array.flat:
            visit(item)


def resolve(tp: type, custom: dict[type, Expand]) -> Kind:
    """The :class:`Kind` for objects of type ``tp``, given the registered visit functions."""
    kind = BUILTIN_KINDS.get(tp)
    if kind is not None:
        return kind
    if _owns_nothing(tp):
        return ZERO
    name = frame_name(tp)
    if _is_numpy_array(tp):
        return Kind(name, size=_numpy_size, expand=_numpy_expand, blocks=_numpy_blocks)
    storage = _storage_of(tp)
    attrs = storage.values_bytes if storage is not None else None
    instance_dict = _instance_dict(storage)
    base = _builtin_base(tp)
    base_expand = base.expand if base is not None else None
    base_unused = base.unused if base is not None else None
    size = _subclass_size(tp, base)
    blocks = _instance_blocks(tp, size, storage)
    fn = next((custom[b] for b in tp.__mro__ if b in custom), None)
    own_method = fn is None
    if fn is None:
        fn = getattr(tp, "__allocative__", None)
    if fn is not None:
        expand = _method_expand(fn, instance_dict, base_expand)
        kind = Kind(name, size, unused=base_unused, attrs=attrs, expand=expand, blocks=blocks)
        kind.fixed_size = _has_fixed_size(tp, size)
        if own_method and base is None and kind.fixed_size:
            kind.method = fn
            kind.storage = storage
        return kind
    expand = _reflective_expand(tp, instance_dict, base_expand)
    return Kind(
        name, size, unused=base_unused, attrs=attrs, expand=expand, blocks=blocks, reflective=True
    )


def _subclass_size(tp: type, base: Kind | None) -> Callable[[Any], int]:
    """Own bytes of an instance of ``tp``, a user class or a subclass of a built-in."""
    if base is None:
        return getsizeof
    var_base = next((b for b in tp.__mro__ if b.__itemsize__ and b in BUILTIN_KINDS), None)
    if var_base is not None:
        return _var_sized_size(tp, var_base)
    if issubclass(tp, collections.deque):
        return _sizes.deque_size  # its cached free blocks, as for a plain deque
    return getsizeof


def _has_fixed_size(tp: type, size: Callable[[Any], int]) -> bool:
    """Whether ``size`` is the same for all of ``tp``'s instances: ``getsizeof`` of a
    fixed-size struct (``getsizeof`` adds only per-type headers to ``__sizeof__``)."""
    sizeof: object = tp.__sizeof__
    return size is getsizeof and not tp.__itemsize__ and sizeof is object.__sizeof__


def _var_sized_size(tp: type, base: type) -> Callable[[Any], int]:
    """Own bytes of a subclass of ``base``: ``tuple``, ``int`` or ``bytes``.

    ``type.__call__`` allocates a heap type's variable-size instance with one
    item more than it holds (``PyType_GenericAlloc``), rounded up to a word;
    ``getsizeof`` reports only the items it holds.
    """
    sizeof = cast(Callable[[Any], int], base.__sizeof__)  # unbound: takes the instance
    base_size = base.__basicsize__
    basicsize, item = tp.__basicsize__, tp.__itemsize__

    def size(value: Any) -> int:
        own = sizeof(value)
        items = (own - base_size) // item if base is int else len(value)
        allocated = _layout.round_up(basicsize + (items + 1) * item, _layout.WORD)
        return getsizeof(value) - own + allocated

    return size


def _instance_blocks(
    tp: type, size: Callable[[Any], int], storage: _layout.InstanceStorage | None
) -> Callable[[Any], tuple[int, ...]]:
    """Blocks of a user type's instance: its struct, a built-in base's buffers, its values."""
    buffers = next((_BUFFERS[b] for b in tp.__mro__ if b in _BUFFERS), _no_buffers)
    if storage is None:
        return block_sizes(size, buffers)
    if _layout.VERSION >= (3, 13):
        return block_sizes(_plus(size, storage.values_bytes), buffers)
    return block_sizes(size, buffers, storage.values_bytes)


def _plus(size: Callable[[Any], int], values: Callable[[Any], int]) -> Callable[[Any], int]:
    def total(value: Any) -> int:
        return size(value) + values(value)

    return total
