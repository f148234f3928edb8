"""What a class's instance is made of beyond its attributes: its own bytes (for a subclass
of a built-in, its built-in struct and items), its blocks, and its built-in part (a
subclass of a built-in holds what the built-in holds; an exception, its state)."""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any, cast

from allocative import _layout, _sizes, _typeinfo
from allocative._impls import BUFFERS, BUILTIN_RULES
from allocative._impls.exceptions import exception_part
from allocative._rule import Blocks, Expand, TypeRule, block_sizes, getsizeof, no_buffers


def builtin_base(tp: type) -> tuple[type, TypeRule] | None:
    """The first built-in type in ``tp``'s MRO that has a rule, with that rule."""
    for base in _typeinfo.mro(tp):
        rule = BUILTIN_RULES.get(base)
        if rule is not None:
            return base, rule
    return None


def builtin_part(tp: type, base: TypeRule | None) -> Expand | None:
    """What an instance of ``tp`` holds as a built-in: its base's contents, or an
    exception's state; ``None`` for a class with no built-in base."""
    if issubclass(tp, BaseException):
        return exception_part(tp)
    return base.expand if base is not None else None


def instance_size(tp: type, base: TypeRule | None) -> Callable[[Any], int]:
    """Own bytes of an instance of ``tp``, a class or a subclass of a built-in."""
    if base is None:
        return getsizeof
    if tp in BUILTIN_RULES:
        return base.size
    var_base = next(
        (b for b in _typeinfo.mro(tp) if _typeinfo.itemsize(b) and b in BUILTIN_RULES), None
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
) -> Blocks:
    """Blocks of a class's instance: its struct, a built-in base's buffers, its values."""
    buffers = next((BUFFERS[b] for b in _typeinfo.mro(tp) if b in BUFFERS), no_buffers)
    if storage is None:
        return block_sizes(size, buffers)
    if _layout.VERSION >= (3, 13):
        return block_sizes(_plus(size, storage.values_bytes), buffers)
    return block_sizes(size, buffers, storage.values_bytes)


def _plus(size: Callable[[Any], int], values: Callable[[Any], int]) -> Callable[[Any], int]:
    def total(value: Any) -> int:
        return size(value) + values(value)

    return total
