"""Type rules of numbers, strings and bytes: their own bytes, and which of them are the
interpreter's (small ints, interned and one-character strings)."""

from __future__ import annotations

from typing import Final

from allocative import _layout, _sizes
from allocative._rule import Buffers, TypeRule, getsizeof

ONE_DIGIT_INT: Final = getsizeof(1)
MEDIUM_INT_STRUCT: Final = ONE_DIGIT_INT + 4
"""Bytes of a one-digit int made by arithmetic: a whole padded struct."""
LATIN1: Final = 256
"""One-character strings below this code point are the interpreter's own: never counted."""


def int_size(value: int) -> int:
    """Bytes of an int; one-digit ints made by arithmetic are a whole padded struct."""
    size = int.__sizeof__(value)
    return MEDIUM_INT_STRUCT if size == ONE_DIGIT_INT else size


def str_owned_by_nobody(value: str) -> bool:
    """An empty or one-character Latin-1 string, or an interned one: the interpreter's."""
    if len(value) < 2:
        return not value or ord(value) < LATIN1
    return _layout.is_interned(value)


def int_owned_by_nobody(value: int) -> bool:
    """One of the interpreter's small ints."""
    return -5 <= value <= 256


def bytes_owned_by_nobody(value: bytes) -> bool:
    """An empty or one-byte bytes: the interpreter's."""
    return len(value) < 2


def _str_buffers(value: str) -> tuple[int, ...]:
    cache = _sizes.str_utf8_bytes(value)
    return (cache,) if cache else ()


RULES: Final[dict[type, TypeRule]] = {
    str: TypeRule("str", str.__sizeof__, owned_by_nobody=str_owned_by_nobody),
    int: TypeRule("int", int_size, owned_by_nobody=int_owned_by_nobody),
    float: TypeRule("float", float.__sizeof__),
    complex: TypeRule("complex", complex.__sizeof__),
    bytes: TypeRule("bytes", bytes.__sizeof__, owned_by_nobody=bytes_owned_by_nobody),
}
BUFFERS: Final[dict[type, Buffers]] = {str: _str_buffers}
