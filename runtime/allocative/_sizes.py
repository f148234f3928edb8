"""Own sizes and spare capacity of built-in objects, in bytes the allocator was asked for.

``sys.getsizeof`` is exact for most built-ins (it adds the GC header and any
separately allocated buffer); the functions here add what it leaves out and
split out the part that is spare capacity. Figures are pinned by the accuracy
tests against ``tracemalloc`` on Python 3.11, 3.12 and 3.13.
"""

from __future__ import annotations

import sys
from array import array
from collections import deque
from typing import Final

from allocative import _layout, _typeinfo

getsizeof: Final = sys.getsizeof

_WORD: Final = 8
_SET_SMALL_TABLE: Final = 8
_SET_ENTRY: Final = 16
_DICT_BASE: Final = getsizeof({})
GC_HEADER: Final = _DICT_BASE - dict.__sizeof__({})
"""What ``getsizeof`` adds to a built-in container's ``__sizeof__``: its GC header.

Built-in rules call ``__sizeof__`` directly (``getsizeof`` costs four times as much:
it looks the method up on every call), adding this where the type has it.
"""
_DICT_KEYS_HEADER: Final = 32
_DEQUE_BLOCK_SLOTS: Final = 64
_STR_COMPACT_HEADER: Final = getsizeof("\xe9\xe9") - 3


def struct_bytes(value: object, exact: type) -> int:
    """The fixed part of ``value``, of built-in type ``exact`` or a subclass of it, as its own
    type gives it (read from the type, never from what a metaclass says)."""
    tp = type(value)
    return exact.__basicsize__ if tp is exact else _typeinfo.basicsize(tp)


def str_utf8_bytes(value: str) -> int:
    """Bytes of the cached UTF-8 copy a non-ASCII string keeps once a C API asked for it."""
    char_size = _layout.str_char_size(value)
    if not char_size:
        return 0
    return getsizeof(value) - _STR_COMPACT_HEADER - (len(value) + 1) * char_size


def dict_size(value: dict[object, object]) -> int:
    """Bytes of a dict and its table; a split instance ``__dict__`` counts its values array."""
    size = getsizeof(value)
    values = _layout.split_dict_values_bytes(value, size - _DICT_BASE)
    return size if values is None else _DICT_BASE + values


def dict_table_bytes(value: dict[object, object]) -> int:
    """Bytes of the separately allocated table: keys and entries, or a split dict's values."""
    if type(value) is dict:
        return dict_size(value) - _DICT_BASE
    return dict.__sizeof__(value) - struct_bytes(value, dict)


def array_bytes(value: array[int] | array[float] | array[str]) -> int:
    """Bytes of the item buffer of an ``array.array``."""
    return array.__sizeof__(value) - struct_bytes(value, array)


def _deque_blocks_in_use(value: deque[object]) -> int:
    return (deque.__sizeof__(value) - struct_bytes(value, deque)) // _layout.DEQUE_BLOCK_SIZE


def deque_blocks(value: deque[object]) -> int:
    """Number of 64-slot blocks a deque holds, in use or cached for reuse."""
    return _deque_blocks_in_use(value) + _layout.deque_free_blocks(value)


def list_unused(value: list[object]) -> int:
    """Bytes of item slots allocated beyond ``len``."""
    return list.__sizeof__(value) - struct_bytes(value, list) - _WORD * len(value)


def _dict_index_bytes(table_size: int) -> int:
    if table_size <= 0x80:
        return 1
    if table_size <= 0x8000:
        return 2
    if table_size <= 0x80000000:
        return 4
    return 8


def _dict_table_layout(keys_bytes: int) -> tuple[int, int] | None:
    """``(usable entries, entry size)`` of a combined dict table of ``keys_bytes`` bytes."""
    for log2 in range(3, 48):
        size = 1 << log2
        usable = (2 * size) // 3
        base = _DICT_KEYS_HEADER + size * _dict_index_bytes(size)
        for entry in (16, 24):
            if base + usable * entry == keys_bytes:
                return usable, entry
        if base + usable * 16 > keys_bytes:
            return None
    return None


_dict_layouts: dict[int, tuple[int, int] | None] = {}


def dict_unused(value: dict[object, object]) -> int:
    """Bytes of entry slots that hold no live item: never used, or left by deleted keys."""
    keys_bytes = dict_table_bytes(value)
    if keys_bytes <= 0:
        return 0
    layout = _dict_layouts.get(keys_bytes)
    if layout is None and keys_bytes not in _dict_layouts:
        layout = _dict_layouts[keys_bytes] = _dict_table_layout(keys_bytes)
    if layout is None:
        return 0
    usable, entry = layout
    return max(usable - len(value), 0) * entry


def dict_size_and_unused(value: dict[object, object]) -> tuple[int, int]:
    """``(dict_size(value), dict_unused(value))``, in one step for a combined table seen before."""
    size = dict.__sizeof__(value) + GC_HEADER
    if not _layout.SUPPORTED or _layout.WORDS[(id(value) >> 3) + _layout.DICT_VALUES_WORD]:
        return dict_size(value), dict_unused(value)  # unknown layout, or a split table
    layout = _dict_layouts.get(size - _DICT_BASE)
    if layout is None:
        return size, dict_unused(value)
    usable, entry = layout
    return size, max(usable - len(value), 0) * entry


def set_table_bytes(value: set[object] | frozenset[object]) -> int:
    """Bytes of a set's hash table once it outgrew the 8 slots built into the object."""
    if isinstance(value, set):
        return set.__sizeof__(value) - struct_bytes(value, set)
    return frozenset.__sizeof__(value) - struct_bytes(value, frozenset)


def set_unused(value: set[object] | frozenset[object]) -> int:
    """Bytes of hash-table room before the set grows, plus the idle built-in table."""
    extra = set_table_bytes(value)
    if extra <= 0:
        slots, idle = _SET_SMALL_TABLE, 0
    else:
        slots, idle = extra // _SET_ENTRY, _SET_SMALL_TABLE * _SET_ENTRY
    room = (slots - 1) * 3 // 5 - len(value)
    return idle + max(room, 0) * _SET_ENTRY


def bytearray_unused(value: bytearray) -> int:
    """Bytes allocated beyond the content and its trailing NUL."""
    alloc = value.__alloc__()
    return alloc - len(value) - 1 if alloc else 0


def array_unused(value: array[int] | array[float] | array[str]) -> int:
    """Bytes of item slots allocated beyond ``len``."""
    return array_bytes(value) - value.itemsize * len(value)


def deque_size(value: deque[object]) -> int:
    """The deque with its blocks, including freed blocks it keeps for reuse."""
    return getsizeof(value) + _layout.deque_free_blocks(value) * _layout.DEQUE_BLOCK_SIZE


def deque_unused(value: deque[object]) -> int:
    """Bytes of empty slots in the deque's blocks and of its cached free blocks."""
    spare_slots = _deque_blocks_in_use(value) * _DEQUE_BLOCK_SLOTS - len(value)
    cached = _layout.deque_free_blocks(value) * _layout.DEQUE_BLOCK_SIZE
    return spare_slots * _WORD + cached


PYMALLOC_MAX: Final = 512
"""Requests up to this size come from pymalloc, in multiples of 16 bytes."""
MMAP_THRESHOLD: Final = 128 * 1024
"""glibc's default ``M_MMAP_THRESHOLD``: requests from this size get their own mapping."""
PAGE: Final = 4096


def allocator_rounding(block: int) -> int:
    """Bytes the allocator adds to a request of ``block`` bytes (pymalloc or glibc malloc).

    glibc gives a request a chunk of ``block + 8`` rounded up to 16 bytes; a big
    request is mapped on its own, that chunk plus 8 rounded up to whole pages.
    """
    if block <= 0:
        return 0
    if block <= PYMALLOC_MAX:
        return -block % 16
    if block >= MMAP_THRESHOLD:
        chunk = -(-(block + 8) // 16) * 16 + 8
        return -(-chunk // PAGE) * PAGE - block
    return -(block + 8) % 16 + 8
