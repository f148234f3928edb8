"""Reads of CPython object internals that ``sys.getsizeof`` does not report.

Per-instance attribute storage (the values array on 3.11/3.12, inline values on
3.13), whether a string is interned, and a deque's cached free blocks live in
memory that Python code cannot see without touching ``obj.__dict__`` (which
allocates). These functions read that memory directly, at fixed offsets
checked by the accuracy tests on 3.11, 3.12 and 3.13. Reads use two views of the
address space created once, so one read costs about as much as an ``id()``.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from typing import Any, Final, cast

from allocative import _typeinfo
from allocative._gate import RAW_READS

VERSION: Final = sys.version_info[:2]
SUPPORTED: Final = RAW_READS
"""Whether this module may read memory: the one gate (``allocative._gate``) allows it."""

WORD: Final = ctypes.sizeof(ctypes.c_void_p)
_WORD: Final = WORD
# Behind the gate these views do not exist: a read that forgot to check it raises
# TypeError on ``None`` instead of reading memory at an untested offset.
BYTES: Final[ctypes.Array[ctypes.c_uint8]] = (
    (ctypes.c_uint8 * (1 << 47)).from_address(0) if RAW_READS else cast(Any, None)
)
"""The address space as bytes: ``BYTES[address]``."""
WORDS: Final[ctypes.Array[ctypes.c_ssize_t]] = (
    (ctypes.c_ssize_t * (1 << 44)).from_address(0) if RAW_READS else cast(Any, None)
)
"""The address space as words: ``WORDS[address >> 3]`` for an aligned address."""

_MANAGED_DICT: Final = 1 << 4
_INLINE_VALUES: Final = 1 << 2
DICT_VALUES_WORD: Final = 5
"""Word of a dict that points at a split dict's values (``ma_values``); 0 when combined."""
_DICT_VALUES_OFFSET: Final = DICT_VALUES_WORD * _WORD
_RANGE_LENGTH_OFFSET: Final = 5 * _WORD
STR_STATE_OFFSET: Final = 4 * _WORD
"""Byte of a string's state bits; its two low bits are non-zero when it is interned."""
STR_INTERNED: Final = 3
_STR_ASCII: Final = 1 << 6
_DEQUE_NUMFREEBLOCKS_OFFSET: Final = 9 * _WORD
DEQUE_BLOCK_SIZE: Final = 66 * _WORD


def _word(address: int) -> int:
    return WORDS[address >> 3]


def round_up(n: int, to: int) -> int:
    """``n`` rounded up to a multiple of ``to``."""
    return (n + to - 1) // to * to


def is_interned(s: str) -> bool:
    """Whether ``s`` is in the interpreter's table of interned strings (unknown: False)."""
    return SUPPORTED and bool(BYTES[id(s) + STR_STATE_OFFSET] & STR_INTERNED)


def str_char_size(s: str) -> int:
    """Bytes per character of a compact non-ASCII string; 0 for an ASCII string."""
    if not SUPPORTED:
        return 0
    state = BYTES[id(s) + STR_STATE_OFFSET]
    return 0 if state & _STR_ASCII else (state >> 2) & 7


def has_managed_dict(tp: type) -> bool:
    """Whether instances of ``tp`` keep attributes in interpreter-managed storage."""
    return bool(_typeinfo.flags(tp) & _MANAGED_DICT)


def has_inline_values(tp: type) -> bool:
    """Whether instances of ``tp`` carry their attribute values inside the object (3.13+)."""
    return VERSION >= (3, 13) and bool(_typeinfo.flags(tp) & _INLINE_VALUES)


def object_at(address: int) -> object:
    """The live object at ``address`` (a new reference; nothing is allocated in it).

    Only for an address that something the caller holds keeps alive and unchanged
    (an immutable object's field, a type's keys): anything else may be freed between
    reading the address and this call. A pointer that code can change is read with
    :func:`object_in` instead.
    """
    return ctypes.cast(address, ctypes.py_object).value


def object_in(slot: int) -> object | None:
    """The object the pointer at address ``slot`` holds now, as a new reference (None when
    the pointer is NULL).

    ``slot`` is inside an object the caller holds. The pointer is read and the object's
    count raised in one step of C code, so no other thread, ``__del__`` or method can free
    the object in between; reading the pointer first and converting it later could.
    """
    try:
        return ctypes.py_object.from_address(slot).value
    except ValueError:  # a NULL pointer
        return None


_bytes_at: Final[Any] = ctypes.pythonapi.PyBytes_FromStringAndSize if RAW_READS else None
"""``_bytes_at(address, size)``: ``size`` bytes of memory copied into a bytes object by one C
call that holds the GIL and allocates nothing the garbage collector tracks, so the copy is
taken in one step with the pointer read just before it."""
if RAW_READS:
    _bytes_at.restype = ctypes.py_object
    _bytes_at.argtypes = (ctypes.c_void_p, ctypes.c_ssize_t)


def range_length(r: range) -> object:
    """The length object a ``range`` computed and keeps (``len(r)`` would make a new one)."""
    return object_at(_word(id(r) + _RANGE_LENGTH_OFFSET)) if SUPPORTED else None


def _inline_values_size(capacity: int) -> int:
    return round_up(capacity, _WORD) + (capacity + 1) * _WORD


def split_dict_values_bytes(d: dict[object, object], reported: int) -> int | None:
    """Bytes of a split dict's own values array, or ``None`` for a combined-table dict.

    ``reported`` is what ``getsizeof`` added for the values (``capacity * 8``).
    A materialised instance ``__dict__`` shares the type's keys and points at
    the instance's values: a separate array on 3.11/3.12 (``getsizeof`` omits its
    prefix), the instance's inline values on 3.13 (counted with the instance).
    """
    if not SUPPORTED:
        return None
    address = id(d) + _DICT_VALUES_OFFSET
    # The pointer and what it points at are read with no call in between: a call could
    # let another thread replace the dict's values and free them.
    values = WORDS[address >> 3]
    if not values:
        return None
    if VERSION >= (3, 13):
        embedded, capacity = BYTES[values + 2], BYTES[values]
        return 0 if embedded else _inline_values_size(capacity)
    prefix = BYTES[values - 1]
    return prefix + reported // _WORD * _WORD


def deque_free_blocks(d: object) -> int:
    """Number of freed 64-slot blocks a deque keeps for reuse (``getsizeof`` omits them)."""
    return _word(id(d) + _DEQUE_NUMFREEBLOCKS_OFFSET) if SUPPORTED else 0


CACHED_KEYS_OFFSET: Final = {(3, 11): 872, (3, 12): 880, (3, 13): 880}.get(VERSION, 0)
"""``offsetof(PyHeapTypeObject, ht_cached_keys)`` on 64-bit CPython 3.11 to 3.13, pinned by
the tests against the compiled engine's own ``offsetof`` (``allocative._core.LAYOUT``)."""


def _cached_keys_address(tp: type) -> int:
    """Address of the type's shared-keys object (``ht_cached_keys``), or 0.

    Read at its offset in the type object, which only a class statement (a heap type)
    has; nothing the class says about itself (a computed ``__qualname__``) is trusted.
    """
    if not SUPPORTED or not CACHED_KEYS_OFFSET or not _typeinfo.is_heap_type(tp):
        return 0
    return _word(id(tp) + CACHED_KEYS_OFFSET)


def shared_key_names(tp: type) -> tuple[str, ...]:
    """The attribute names in the type's shared keys, by index (``()`` when it has none).

    Instances with interpreter-managed storage keep the value of name ``i``
    in slot ``i`` of their values; reading the names here costs one pass per
    class, where asking each instance would create its ``__dict__``.
    """
    keys = _cached_keys_address(tp) if SUPPORTED else 0
    if not keys:
        return ()
    count = _word(keys + 3 * _WORD)
    entries = keys + _KEYS_HEADER + (1 << BYTES[keys + _LOG2_INDEX_BYTES_OFFSET])
    names = [object_at(_word(entries + i * _UNICODE_ENTRY)) for i in range(count)]
    return tuple(name for name in names if type(name) is str)


def dict_at_offset(obj: object, offset: int) -> dict[str, object] | None:
    """The ``__dict__`` an instance keeps at ``tp_dictoffset`` ``offset`` (> 0), if made."""
    if not SUPPORTED:
        return None
    found = object_in(id(obj) + offset)
    return found if type(found) is dict else None


def var_dict_offset(obj: object, tp: type, items: int) -> int:
    """Where a variable-size instance with ``items`` items keeps its ``__dict__`` pointer.

    For a negative ``tp_dictoffset`` (subclasses of tuple, int and bytes on 3.11)
    the pointer follows the items, as ``_PyObject_GetDictPtr`` computes.
    """
    size = round_up(_typeinfo.basicsize(tp) + abs(items) * _typeinfo.itemsize(tp), _WORD)
    return _typeinfo.dictoffset(tp) + size


def shared_keys_usable(tp: type) -> tuple[int, int]:
    """``(dk_nentries + dk_usable, dk_usable)`` of the type's shared keys, or zeros.

    The first is the capacity the newest instances' values got; each new
    instance lowers ``dk_usable`` by one while it is above one, which is why the
    first few dozen instances of a class have bigger values arrays.
    """
    keys = _cached_keys_address(tp)
    if not keys:
        return 0, 0
    usable = _word(keys + 2 * _WORD)
    return usable + _word(keys + 3 * _WORD), usable


_DICT_POINTER_WORD: Final = -3
"""Word before a managed-storage instance that points at its ``__dict__`` (0: none).

On 3.12 the same word holds the values pointer, tagged by an odd value, while
there is no ``__dict__``; a real pointer is never odd, so one read serves all.
"""
_VALUES_WORD_311: Final = -4
_KEYS_HEADER: Final = 4 * _WORD
"""Bytes of a dict keys object before its index table."""
_LOG2_INDEX_BYTES_OFFSET: Final = _WORD + 1
_UNICODE_ENTRY: Final = 2 * _WORD
"""Bytes of one entry of a shared (all-str) keys table: key, value."""
_INLINE_VALUES_HEADER: Final = _WORD
"""3.13: capacity, size, embedded and valid bytes before inline values."""
_INLINE_VALID_OFFSET: Final = 3
_PREFIXES: Final = 256
"""Values a values array's one-byte prefix size can take."""


def _no_values(obj: object) -> int:
    return 0


class InstanceStorage:
    """Where one type's instances keep attribute values, resolved once per measurement.

    ``values_bytes(obj)`` is the bytes of the attribute values storage that
    ``getsizeof(obj)`` leaves out; it is the implementation for this version.
    """

    __slots__ = (
        "_array_bytes",
        "_basicsize",
        "_inline",
        "_settled",
        "_steady_capacity",
        "_steady_prefix",
        "values_bytes",
    )

    def __init__(self, tp: type) -> None:
        self._basicsize = _typeinfo.basicsize(tp)
        self._inline = has_inline_values(tp)
        self._steady_capacity, usable = shared_keys_usable(tp)
        steady = self._steady_capacity
        self._steady_prefix = round_up(steady + 2, _WORD) if steady else -1
        self._settled = usable <= 1
        # Bytes of a 3.11/3.12 values array by its prefix byte: one lookup per instance.
        self._array_bytes = tuple(
            prefix + self._capacity_from_prefix(prefix) * _WORD for prefix in range(_PREFIXES)
        )
        self.values_bytes: Callable[[object], int]
        if VERSION >= (3, 13):
            self.values_bytes = self._inline_values_bytes if has_inline_values(tp) else _no_values
        elif VERSION == (3, 12):
            self.values_bytes = self._tagged_values_bytes
        else:
            self.values_bytes = self._values_array_bytes

    @property
    def model(self) -> tuple[int, tuple[int, ...], int, bool]:
        """How values bytes are computed, for the compiled engine: 1 for a 3.11/3.12 values
        array (bytes by prefix byte), 2 for 3.13 inline values, 0 for none; the bytes by
        prefix, the settled capacity and whether the class settled."""
        kind = (2 if self._inline else 0) if VERSION >= (3, 13) else 1
        return kind, self._array_bytes, self._steady_capacity, self._settled

    def own_dict(self, obj: object) -> dict[str, object] | None:
        """The instance's materialised ``__dict__`` object, found without creating one."""
        slot = id(obj) + _DICT_POINTER_WORD * _WORD
        word = WORDS[slot >> 3]
        if not word or word & 1:  # none, or (3.12) the values' tagged pointer
            return None
        found = object_in(slot)  # a dict pointer stays one: only the dict may change
        return found if type(found) is dict else None

    def value_words(self, obj: object, count: int) -> tuple[int, ...]:
        """The addresses in the first ``count`` slots of the instance's attribute values
        (slot ``i`` holds name ``i``; 0: unset), copied in one step, or ``()`` when the
        values are not the instance's own (a ``__dict__`` object holds them).

        Addresses, not objects: they name what the caller holds otherwise (the
        instance's referents), and are never followed.
        """
        ident = id(obj)
        if VERSION >= (3, 13):
            if not self._inline:
                return ()
            raw = _bytes_at(ident + self._basicsize, _INLINE_VALUES_HEADER + count * _WORD)
            if not raw[_INLINE_VALID_OFFSET]:
                return ()
            return tuple(memoryview(raw)[_INLINE_VALUES_HEADER:].cast("Q"))
        # The pointer is read and the slots copied with no call in between (see above).
        if VERSION == (3, 12):
            tagged = WORDS[(ident >> 3) + _DICT_POINTER_WORD]
            if not tagged & 1:
                return ()
            raw = _bytes_at(tagged + 1, count * _WORD)  # the tag is "address - 1"
        else:
            values = WORDS[(ident >> 3) + _VALUES_WORD_311]
            if not values:
                return ()
            raw = _bytes_at(values, count * _WORD)
        return tuple(memoryview(raw).cast("Q"))

    def _values_array_bytes(self, obj: object) -> int:
        """3.11: the values array the word before the ``__dict__`` pointer points at."""
        values = WORDS[(id(obj) >> 3) + _VALUES_WORD_311]
        return self._array_bytes[BYTES[values - 1]] if values else 0

    def _tagged_values_bytes(self, obj: object) -> int:
        """3.12: the values array of the tagged pointer, when there is no ``__dict__``."""
        tagged = WORDS[(id(obj) >> 3) + _DICT_POINTER_WORD]
        # The array starts at tagged + 1; its prefix byte is just before it.
        return self._array_bytes[BYTES[tagged]] if tagged & 1 else 0

    def _inline_values_bytes(self, obj: object) -> int:
        """Inline values of a 3.13 instance, sized as when it was allocated.

        The capacity byte is written after the type's ``dk_usable`` was lowered,
        but the object was allocated before: while a class is young each
        instance's values are one slot bigger than the byte says.
        """
        capacity = BYTES[id(obj) + self._basicsize]
        if capacity > self._steady_capacity or not self._settled:
            capacity += 1
        return _inline_values_size(capacity)

    def _capacity_from_prefix(self, prefix: int) -> int:
        """Capacity of a 3.11/3.12 values array whose prefix is ``prefix`` bytes.

        The prefix is ``round_up(capacity + 2, 8)``, which leaves eight candidates.
        Instances made once the type's shared keys settled have the type's current
        capacity; the first few dozen instances of a class were given more, and for
        those the middle candidate is the expected value.
        """
        return self._steady_capacity if prefix == self._steady_prefix else prefix - 6
