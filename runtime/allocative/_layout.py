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
from typing import Final

VERSION: Final = sys.version_info[:2]
SUPPORTED: Final = (3, 11) <= VERSION <= (3, 13) and sys.implementation.name == "cpython"

_WORD: Final = ctypes.sizeof(ctypes.c_void_p)
_BYTES = (ctypes.c_uint8 * (1 << 47)).from_address(0)
_WORDS = (ctypes.c_ssize_t * (1 << 44)).from_address(0)

_MANAGED_DICT: Final = 1 << 4
_INLINE_VALUES: Final = 1 << 2
_STR_STATE_OFFSET: Final = 4 * _WORD
_DEQUE_NUMFREEBLOCKS_OFFSET: Final = 9 * _WORD
DEQUE_BLOCK_SIZE: Final = 66 * _WORD


def _word(address: int) -> int:
    return _WORDS[address >> 3]


def _round_up(n: int, to: int) -> int:
    return (n + to - 1) // to * to


def is_interned(s: str) -> bool:
    """Whether ``s`` is in the interpreter's table of interned strings."""
    return bool(_BYTES[id(s) + _STR_STATE_OFFSET] & 3)


def has_managed_dict(tp: type) -> bool:
    """Whether instances of ``tp`` keep attributes in interpreter-managed storage."""
    return bool(tp.__flags__ & _MANAGED_DICT)


def deque_free_blocks(d: object) -> int:
    """Number of freed 64-slot blocks a deque keeps for reuse (``getsizeof`` omits them)."""
    return _word(id(d) + _DEQUE_NUMFREEBLOCKS_OFFSET)


def _cached_keys_address(tp: type) -> int:
    """Address of the type's shared-keys object (``ht_cached_keys``), or 0."""
    qualname_id = id(tp.__qualname__)
    base = id(tp)
    words = int(type.__basicsize__) // _WORD  # type: ignore[call-overload]
    for slot in range(words - 1, 0, -1):
        if _word(base + slot * _WORD) == qualname_id:
            return _word(base + (slot + 1) * _WORD)
    return 0


def shared_keys_usable_size(tp: type) -> int:
    """``dk_nentries + dk_usable`` of the type's shared keys: the newest instances' capacity."""
    keys = _cached_keys_address(tp)
    if not keys:
        return 0
    return _word(keys + 2 * _WORD) + _word(keys + 3 * _WORD)


class InstanceStorage:
    """Where one type's instances keep attribute values, resolved once per measurement."""

    __slots__ = ("_basicsize", "_steady_capacity")

    def __init__(self, tp: type) -> None:
        self._basicsize = tp.__basicsize__
        self._steady_capacity = shared_keys_usable_size(tp)

    def values_bytes(self, obj: object) -> int:
        """Bytes of the attribute values storage that ``getsizeof(obj)`` leaves out."""
        if VERSION >= (3, 13):
            return self._inline_values_bytes(obj)
        values = self._values_address(obj)
        if not values:
            return 0
        prefix = _BYTES[values - 1]
        capacity = self._capacity_from_prefix(prefix)
        return prefix + capacity * _WORD

    def dict_address(self, obj: object) -> int:
        """Address of a materialised ``__dict__`` object, or 0 when there is none."""
        if VERSION == (3, 12):
            tagged = _word(id(obj) - 3 * _WORD)
            return 0 if tagged & 1 else tagged
        return _word(id(obj) - 3 * _WORD)

    def _values_address(self, obj: object) -> int:
        if VERSION == (3, 11):
            return _word(id(obj) - 4 * _WORD)
        tagged = _word(id(obj) - 3 * _WORD)
        return tagged - 1 if tagged & 1 else 0

    def _inline_values_bytes(self, obj: object) -> int:
        capacity = _BYTES[id(obj) + self._basicsize]
        return _round_up(capacity, _WORD) + (capacity + 1) * _WORD

    def _capacity_from_prefix(self, prefix: int) -> int:
        """Capacity of a 3.11/3.12 values array whose prefix is ``prefix`` bytes.

        The prefix is ``round_up(capacity + 2, 8)``, which leaves eight candidates.
        Instances made once the type's shared keys settled have the type's current
        capacity; the first few dozen instances of a class were given more, and for
        those the middle candidate is the expected value.
        """
        steady = self._steady_capacity
        if steady and _round_up(steady + 2, _WORD) == prefix:
            return steady
        return prefix - 6
