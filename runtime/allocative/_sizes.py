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

from allocative import _layout

getsizeof: Final = sys.getsizeof

_WORD: Final = 8
_EMPTY_LIST: Final = getsizeof([])
_SET_SMALL_TABLE: Final = 8
_SET_BASE: Final = getsizeof(set())
_SET_ENTRY: Final = 16
_DICT_BASE: Final = getsizeof({})
_DICT_KEYS_HEADER: Final = 32
_EMPTY_BYTEARRAY: Final = getsizeof(bytearray())
_DEQUE_BLOCK_SLOTS: Final = 64
_EMPTY_DEQUE: Final = getsizeof(deque())
_ARRAY_BASE: Final = {tc: getsizeof(array(tc)) for tc in "bBuhHiIlLqQfd"}


def list_unused(value: list[object]) -> int:
    """Bytes of item slots allocated beyond ``len``."""
    return getsizeof(value) - _EMPTY_LIST - _WORD * len(value)


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
    keys_bytes = getsizeof(value) - _DICT_BASE
    if keys_bytes <= 0:
        return 0
    layout = _dict_layouts.get(keys_bytes)
    if layout is None and keys_bytes not in _dict_layouts:
        layout = _dict_layouts[keys_bytes] = _dict_table_layout(keys_bytes)
    if layout is None:
        return 0
    usable, entry = layout
    return max(usable - len(value), 0) * entry


def set_unused(value: set[object] | frozenset[object]) -> int:
    """Bytes of hash-table room before the set grows, plus the idle built-in table."""
    extra = getsizeof(value) - _SET_BASE
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
    base = _ARRAY_BASE.get(value.typecode, getsizeof(array(value.typecode)))
    return getsizeof(value) - base - value.itemsize * len(value)


def deque_size(value: deque[object]) -> int:
    """The deque with its blocks, including freed blocks it keeps for reuse."""
    return getsizeof(value) + _layout.deque_free_blocks(value) * _layout.DEQUE_BLOCK_SIZE


def deque_unused(value: deque[object]) -> int:
    """Bytes of empty slots in the deque's blocks and of its cached free blocks."""
    blocks = (getsizeof(value) - _EMPTY_DEQUE) // _layout.DEQUE_BLOCK_SIZE + 1
    spare_slots = blocks * _DEQUE_BLOCK_SLOTS - len(value)
    cached = _layout.deque_free_blocks(value) * _layout.DEQUE_BLOCK_SIZE
    return spare_slots * _WORD + cached
