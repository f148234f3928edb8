"""Type rules of objects that hold raw memory: ``bytearray``, ``array.array``, memoryviews
and the buffers they view, and ``mmap`` (whose mapping malloc never saw, filed as
``mapped``)."""

from __future__ import annotations

import array
import gc
import mmap
from typing import TYPE_CHECKING, Any, Final

from allocative import _sizes
from allocative._rule import Buffers, TypeRule

if TYPE_CHECKING:
    from allocative._protocols import EngineSide


def _expand_memoryview(engine: EngineSide, value: memoryview) -> None:
    for referent in gc.get_referents(value):
        engine._visit_named("buffer", referent)


def _expand_managed_buffer(engine: EngineSide, value: object) -> None:
    for referent in gc.get_referents(value):
        engine._visit_named("obj", referent)


def _expand_mmap(engine: EngineSide, value: mmap.mmap) -> None:
    if not value.closed:
        engine.visit_simple("mapped", len(value))


def _bytearray_buffers(value: bytearray) -> tuple[int, ...]:
    alloc = value.__alloc__()
    return (alloc,) if alloc else ()


def _array_buffers(value: array.array[Any]) -> tuple[int, ...]:
    items = _sizes.array_bytes(value)
    return (items,) if items else ()


def _managed_buffer_type() -> type | None:
    """The type of the object a memoryview of a buffer holds (not exposed by name)."""
    referents = gc.get_referents(memoryview(b"x"))
    return type(referents[0]) if referents else None


RULES: Final[dict[type, TypeRule]] = {
    bytearray: TypeRule("bytearray", unused=_sizes.bytearray_unused),
    array.array: TypeRule("array", unused=_sizes.array_unused),
    memoryview: TypeRule("memoryview", expand=_expand_memoryview),
    mmap.mmap: TypeRule("mmap", expand=_expand_mmap),
}
_MANAGED_BUFFER: Final = _managed_buffer_type()
if _MANAGED_BUFFER is not None:
    RULES[_MANAGED_BUFFER] = TypeRule("managedbuffer", expand=_expand_managed_buffer)
BUFFERS: Final[dict[type, Buffers]] = {
    bytearray: _bytearray_buffers,
    array.array: _array_buffers,
}
