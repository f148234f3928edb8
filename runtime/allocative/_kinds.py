"""How each type is measured: its frame name, own size, gaps and children.

A :class:`Kind` is resolved once per type per measurement and cached by the
visitor, so the hot path is one dict lookup per object. Resolution order:
built-ins by exact type, things no data owns (classes, modules, functions,
Enum members), registered visit functions, ``__allocative__``, subclasses of
built-ins, numpy arrays and mmaps, then the reflective fallback.
"""

from __future__ import annotations

import _thread
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

from allocative import _layout, _sizes, _typeinfo
from allocative._names import qualified_type_name

if TYPE_CHECKING:
    from allocative._instances import Instances
    from allocative._visitor import Visitor

Expand = Callable[["Visitor", Any], None]
Method = Callable[[Any, "Visitor"], None]
"""An ``__allocative__`` method or a registered visit function: ``method(value, visitor)``."""
getsizeof: Final = sys.getsizeof


class Kind:
    """Everything the visitor needs to measure one type's objects.

    ``fixed_size`` says that ``size`` is the same for every object of the type.
    ``instances`` is how a class's instances are measured (``_instances``).
    """

    __slots__ = (
        "attrs",
        "blocks",
        "expand",
        "fixed_size",
        "instances",
        "name",
        "reflective",
        "size",
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
        self.instances: Instances | None = None

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
    visit = visitor._visit_named
    for key, item in value.items():
        visit("key", key)
        visit("value", item)


def _expand_defaultdict(visitor: Visitor, value: collections.defaultdict[Any, Any]) -> None:
    if value.default_factory is not None:
        visitor._visit_named("default_factory", value.default_factory)
    expand_dict(visitor, value)


def contents_copy(value: object) -> list[Any] | dict[Any, Any] | None:
    """A copy of a built-in container's contents, made in one step under the GIL.

    Another thread cannot change a container while C code copies it, so the copy
    can be walked at leisure after the original changed under a walk. ``None``
    for anything that is not a built-in container.
    """
    if isinstance(value, dict):
        return dict.copy(value)
    if isinstance(value, (list, tuple, set, frozenset, collections.deque)):
        return list(value)
    return None


def expand_contents(visitor: Visitor, copy: list[Any] | dict[Any, Any]) -> None:
    """Visit a :func:`contents_copy` as its container's expansion would."""
    if isinstance(copy, dict):
        expand_dict(visitor, copy)
    else:
        expand_items(visitor, copy)


def _expand_referents(visitor: Visitor, value: object) -> None:
    visit = visitor.visit_item
    for referent in gc.get_referents(value):
        visit(referent)


def _expand_memoryview(visitor: Visitor, value: memoryview) -> None:
    for referent in gc.get_referents(value):
        visitor._visit_named("buffer", referent)


def _expand_managed_buffer(visitor: Visitor, value: object) -> None:
    for referent in gc.get_referents(value):
        visitor._visit_named("obj", referent)


def _expand_mmap(visitor: Visitor, value: mmap.mmap) -> None:
    if not value.closed:
        visitor.visit_simple("mapped", len(value))


def _expand_fraction(visitor: Visitor, value: fractions.Fraction) -> None:
    visitor._visit_named("numerator", value.numerator)
    visitor._visit_named("denominator", value.denominator)


def _expand_uuid(visitor: Visitor, value: uuid.UUID) -> None:
    visitor._visit_named("int", value.int)


def _expand_datetime(visitor: Visitor, value: datetime.time | datetime.datetime) -> None:
    if value.tzinfo is not None:
        visitor._visit_named("tzinfo", value.tzinfo)


def _expand_timezone(visitor: Visitor, value: datetime.timezone) -> None:
    """A timezone holds its offset and, when given one, its name; it is not a GC object, so
    ``gc.get_referents`` sees neither. ``__getinitargs__`` returns the stored objects."""
    held = value.__getinitargs__()  # type: ignore[attr-defined]
    visitor._visit_named("offset", held[0])
    if len(held) > 1:
        visitor._visit_named("name", held[1])


def _expand_range(visitor: Visitor, value: range) -> None:
    visitor._visit_named("start", value.start)
    visitor._visit_named("stop", value.stop)
    visitor._visit_named("step", value.step)
    visitor._visit_named("length", _layout.range_length(value))


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


NATIVE_LOCK: Final = 32 if sys.platform == "linux" else 0
"""The semaphore a ``_thread`` lock allocates beside its object (a glibc ``sem_t``, from
``PyMem_RawMalloc``), which ``getsizeof`` does not report: 32 bytes on 64-bit Linux with
CPython 3.11 to 3.13, where the tests pin it; elsewhere locks are not a kind of their own."""


def _lock_size(value: object) -> int:
    return getsizeof(value) + NATIVE_LOCK


def _lock_buffers(value: object) -> tuple[int, ...]:
    return (NATIVE_LOCK,)


_BUFFERS: Final[dict[type, Buffers]] = {
    _thread.LockType: _lock_buffers,
    _thread.RLock: _lock_buffers,
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
        (datetime.timedelta, Kind("timedelta", zero=_is_immortal)),
        (datetime.datetime, Kind("datetime", _datetime_size, expand=_expand_datetime)),
        (datetime.time, Kind("time", _datetime_size, expand=_expand_datetime)),
        (datetime.timezone, Kind("timezone", zero=_is_utc, expand=_expand_timezone)),
        (
            collections.defaultdict,
            Kind("defaultdict", unused=_sizes.dict_unused, expand=_expand_defaultdict),
        ),
        (
            collections.OrderedDict,
            Kind("OrderedDict", unused=_sizes.dict_unused, expand=expand_dict),
        ),
        (types.TracebackType, Kind("traceback", expand=_expand_traceback)),
        (
            types.BuiltinMethodType,
            Kind("builtin_method", zero=_unbound_builtin, expand=_expand_bound_builtin),
        ),
        (types.FrameType, Kind("frame")),
        (types.FunctionType, Kind("function", zero=is_code, expand=_expand_function)),
        (types.CellType, Kind("cell", expand=_expand_cell)),
        (types.MethodType, Kind("method", expand=_expand_method)),
    ]
    if NATIVE_LOCK:
        kinds.append((_thread.LockType, Kind("lock", _lock_size)))
        kinds.append((_thread.RLock, Kind("RLock", _lock_size)))
    managed_buffer = _managed_buffer_type()
    if managed_buffer is not None:
        kinds.append((managed_buffer, Kind("managedbuffer", expand=_expand_managed_buffer)))
    for tp, kind in kinds:
        kind.blocks = block_sizes(kind.size, _BUFFERS.get(tp, _no_buffers))
    return dict(kinds)


def is_code(function: types.FunctionType) -> bool:
    """Whether a function is code, which no data owns, rather than data of the tree.

    A function defined at module level or in a class body (at any depth of
    functions) is code, like its module and class: it counts zero. A nested
    function or a lambda reached from the tree is data: made at run time, it holds
    what its closure and defaults hold, and nothing else may. The qualified name
    says which (``outer.<locals>.inner`` is nested; ``outer.<locals>.C.method`` is
    a method of a class made in ``outer``).
    """
    qualname = function.__qualname__
    if qualname.endswith("<lambda>"):
        return False
    _, nested, tail = qualname.rpartition("<locals>.")
    return not nested or "." in tail


_FUNCTION_CODE: Final = frozenset({"__code__", "__globals__", "__builtins__", "__module__"})
"""What a function refers to that belongs to its code or module, not to it: never visited.
Its name, qualified name and doc come from its code object's constants, and are skipped
for the same reason."""


def _expand_function(visitor: Visitor, value: types.FunctionType) -> None:
    """A function that is data: its closure, defaults, attributes and annotations.

    Only what the function itself holds: its code, globals, builtins, names and doc
    are its code's or module's, and so are defaults or annotations that its code's
    constants hold too (``def f(x=1)``, ``from __future__ import annotations``: one
    tuple shared by every function made from that code). A tuple made with the
    function is held by it alone.
    """
    own_dict = _layout.dict_at_offset(value, _FUNCTION_DICT_OFFSET)
    parts = {
        id(value.__closure__): "__closure__",
        id(value.__defaults__): "__defaults__",
        id(value.__kwdefaults__): "__kwdefaults__",
        id(own_dict): "__dict__",
    }
    code = (value.__code__, value.__globals__, getattr(value, "__builtins__", None))
    names = (value.__name__, value.__qualname__, value.__doc__, value.__module__)
    skipped = {id(part) for part in (*code, *names, None)}
    for referent in gc.get_referents(value):
        if id(referent) in skipped:
            continue
        # Held by the function alone, the count is the function's, the referents list's,
        # the loop variable's and getrefcount's own.
        if type(referent) is tuple and sys.getrefcount(referent) > _HELD_BY_FUNCTION_ALONE:
            continue
        visitor._visit_named(parts.get(id(referent), "__annotations__"), referent)


_FUNCTION_DICT_OFFSET: Final = _typeinfo.dictoffset(types.FunctionType)
_HELD_BY_FUNCTION_ALONE: Final = 4
"""``getrefcount`` of a tuple that a function alone holds, in ``_expand_function``."""


def _expand_cell(visitor: Visitor, value: types.CellType) -> None:
    """A closure's cell: what it holds, if anything."""
    for referent in gc.get_referents(value):
        visitor.visit_item(referent)


def _expand_method(visitor: Visitor, value: types.MethodType) -> None:
    """A bound method holds its object, and its function (code, unless made at run time)."""
    visitor._visit_named("__self__", value.__self__)
    visitor._visit_named("__func__", value.__func__)


def _unbound_builtin(value: types.BuiltinMethodType) -> bool:
    """A built-in function (``len``, a module's function) is the interpreter's: zero. A
    method of a C object bound to it (``self.acquire = lock.acquire``) is made for the
    binding and held by whoever stored it: it is counted, with its object."""
    owner = value.__self__
    return owner is None or isinstance(owner, types.ModuleType)


def _expand_bound_builtin(visitor: Visitor, value: types.BuiltinMethodType) -> None:
    visitor._visit_named("__self__", value.__self__)


def _expand_traceback(visitor: Visitor, value: types.TracebackType) -> None:
    if value.tb_next is not None:
        visitor._visit_named("tb_next", value.tb_next)
    visitor._visit_named("tb_frame", value.tb_frame)


_EXCEPTION_STATE: Final = tuple(
    getattr(BaseException, name) for name in ("args", "__traceback__", "__cause__", "__context__")
)
"""BaseException's own descriptors: read through them, a subclass's override cannot interfere."""


def is_heap_type(tp: type) -> bool:
    """Whether ``tp`` was made by a class statement (not a type written in C)."""
    return _typeinfo.is_heap_type(tp)


def _object_members(tp: type) -> tuple[tuple[str, Any], ...]:
    """The member descriptors that C classes of ``tp``'s MRO add (``OSError.filename``...)."""
    found: dict[str, Any] = {}
    for klass in _typeinfo.mro(tp):
        if is_heap_type(klass) or klass in (object, BaseException):
            continue
        for name, member in _typeinfo.namespace(klass).items():
            if type(member) is types.MemberDescriptorType:
                found.setdefault(name, member)
    return tuple(found.items())


def exception_part(tp: type) -> Expand:
    """The built-in part of exceptions of type ``tp``: ``args``, the chained exceptions, the
    traceback, the notes and what C exception classes store (``errno``, ``filename``...)."""
    members = _object_members(tp)

    def expand(visitor: Visitor, value: BaseException) -> None:
        visit = visitor._visit_named
        for descriptor in _EXCEPTION_STATE:
            field = descriptor.__get__(value)
            if field is not None:
                visit(descriptor.__name__, field)
        notes = getattr(value, "__notes__", None)
        if type(notes) is list:
            visit("__notes__", notes)
        if members:
            # A member of a C type may hold a plain C value that reading boxes anew:
            # only objects the exception really refers to are its own.
            held = {id(r) for r in gc.get_referents(value)}
            for name, member in members:
                field = member.__get__(value)
                if id(field) in held:
                    visit(name, field)

    return expand


def builtin_part(tp: type, base: Kind | None) -> Expand | None:
    """What an instance of ``tp`` holds as a built-in: its base's contents, or an
    exception's state; ``None`` for a class with no built-in base."""
    if issubclass(tp, BaseException):
        return exception_part(tp)
    return base.expand if base is not None else None


def _is_utc(value: datetime.timezone) -> bool:
    return value is datetime.UTC


IMMORTAL_REFS: Final = 2**30 - 1
"""On CPython 3.12 and later an immortal object's reference count is at least this
(``_Py_IMMORTAL_REFCNT``); no object reaches it by being referenced."""


def _is_immortal(value: object) -> bool:
    """Whether ``value`` is one of the interpreter's static objects, which no data owns
    (3.13's zero ``timedelta``, say); on 3.11 nothing is."""
    return sys.getrefcount(value) >= IMMORTAL_REFS


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
    return qualified_type_name(tp).replace(";", ":").replace(" ", "_")


def owns_nothing(tp: type) -> bool:
    """Whether no data owns objects of ``tp`` (classes, modules, functions, Enum members)."""
    return issubclass(tp, _ZERO_TYPES) or issubclass(tp, type) or isinstance(tp, enum.EnumMeta)


def builtin_base(tp: type) -> tuple[type, Kind] | None:
    """The first built-in type in ``tp``'s MRO that has a kind, with that kind."""
    for base in _typeinfo.mro(tp):
        kind = BUILTIN_KINDS.get(base)
        if kind is not None:
            return base, kind
    return None


def is_numpy_array(tp: type) -> bool:
    """Whether ``tp`` is numpy's ``ndarray`` or a subclass (numpy is never imported here)."""
    return any(b.__name__ == "ndarray" and b.__module__ == "numpy" for b in tp.__mro__)


def numpy_kind(name: str) -> Kind:
    """The kind of a numpy array: its struct, and its data buffer when it owns one."""
    return Kind(name, size=_numpy_size, expand=_numpy_expand, blocks=_numpy_blocks)


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
            visitor._visit_named("base", array.base)
        return
    visitor.visit_simple("data", array.nbytes)
    if array.dtype.hasobject:
        visit = visitor.visit_item
        for item in array.flat:
            visit(item)


def instance_size(tp: type, base: Kind | None) -> Callable[[Any], int]:
    """Own bytes of an instance of ``tp``, a class or a subclass of a built-in."""
    if base is None:
        return getsizeof
    if tp in BUILTIN_KINDS:
        return base.size
    var_base = next(
        (b for b in _typeinfo.mro(tp) if _typeinfo.itemsize(b) and b in BUILTIN_KINDS), None
    )
    if var_base is not None:
        return _var_sized_size(tp, var_base)
    if issubclass(tp, collections.deque):
        return _sizes.deque_size  # its cached free blocks, as for a plain deque
    if issubclass(tp, str):
        return _str_subclass_size(tp)
    return getsizeof


def _str_subclass_size(tp: type) -> Callable[[Any], int]:
    """A str subclass's instance: ``__sizeof__`` counts a plain str's struct, but the
    instance has the subclass's (a ``__weakref__`` slot more on 3.11)."""
    extra = _typeinfo.basicsize(tp) - str.__basicsize__

    def size(value: Any) -> int:
        return getsizeof(value) + extra

    return size


def has_fixed_size(tp: type, size: Callable[[Any], int]) -> bool:
    """Whether ``size`` is the same for all of ``tp``'s instances: ``getsizeof`` of a
    fixed-size struct (``getsizeof`` adds only per-type headers to ``__sizeof__``)."""
    sizeof: object = tp.__sizeof__
    return size is getsizeof and not _typeinfo.itemsize(tp) and sizeof is object.__sizeof__


def _var_sized_size(tp: type, base: type) -> Callable[[Any], int]:
    """Own bytes of a subclass of ``base``: ``tuple``, ``int`` or ``bytes``.

    ``type.__call__`` allocates a heap type's variable-size instance with one
    item more than it holds (``PyType_GenericAlloc``), rounded up to a word;
    ``getsizeof`` reports only the items it holds.
    """
    sizeof = cast(Callable[[Any], int], base.__sizeof__)  # unbound: takes the instance
    length = cast(Callable[[Any], int], getattr(base, "__len__", None))
    base_size = base.__basicsize__
    basicsize, item = _typeinfo.basicsize(tp), _typeinfo.itemsize(tp)

    def size(value: Any) -> int:
        own = sizeof(value)
        items = (own - base_size) // item if base is int else length(value)
        allocated = _layout.round_up(basicsize + (items + 1) * item, _layout.WORD)
        return getsizeof(value) - own + allocated

    return size


def instance_blocks(
    tp: type, size: Callable[[Any], int], storage: _layout.InstanceStorage | None
) -> Callable[[Any], tuple[int, ...]]:
    """Blocks of a user type's instance: its struct, a built-in base's buffers, its values."""
    buffers = next((_BUFFERS[b] for b in _typeinfo.mro(tp) if b in _BUFFERS), _no_buffers)
    if storage is None:
        return block_sizes(size, buffers)
    if _layout.VERSION >= (3, 13):
        return block_sizes(_plus(size, storage.values_bytes), buffers)
    return block_sizes(size, buffers, storage.values_bytes)


def _plus(size: Callable[[Any], int], values: Callable[[Any], int]) -> Callable[[Any], int]:
    def total(value: Any) -> int:
        return size(value) + values(value)

    return total
