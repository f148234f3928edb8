"""Type rules of the built-in containers: lists, tuples, sets, dicts, deques, and the dicts
of ``collections``. Each counts its spare capacity apart, and visits its elements."""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING, Any, Final

from allocative import _layout, _sizes
from allocative._rule import Buffers, TypeRule

if TYPE_CHECKING:
    from allocative._protocols import EngineSide


def expand_items(engine: EngineSide, value: Any) -> None:
    """Visit each element of a list, tuple, set, frozenset or deque."""
    visit = engine.visit_item
    for item in value:
        visit(item)


def expand_dict(engine: EngineSide, value: dict[Any, Any]) -> None:
    """Visit each key and value of a dict under ``key`` and ``value`` frames."""
    visit = engine._visit_named
    for key, item in value.items():
        visit("key", key)
        visit("value", item)


def _expand_defaultdict(engine: EngineSide, value: collections.defaultdict[Any, Any]) -> None:
    if value.default_factory is not None:
        engine._visit_named("default_factory", value.default_factory)
    expand_dict(engine, value)


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


def expand_contents(engine: EngineSide, copy: list[Any] | dict[Any, Any]) -> None:
    """Visit a :func:`contents_copy` as its container's expansion would."""
    if isinstance(copy, dict):
        expand_dict(engine, copy)
    else:
        expand_items(engine, copy)


def _list_size(value: list[object]) -> int:
    return list.__sizeof__(value) + _sizes.GC_HEADER


def _tuple_owned_by_nobody(value: tuple[object, ...]) -> bool:
    return not value


def _list_buffers(value: list[object]) -> tuple[int, ...]:
    items = list.__sizeof__(value) - _sizes.struct_bytes(value, list)
    return (items,) if items else ()


def _dict_buffers(value: dict[object, object]) -> tuple[int, ...]:
    table = _sizes.dict_table_bytes(value)
    return (table,) if table else ()


def _set_buffers(value: set[object] | frozenset[object]) -> tuple[int, ...]:
    table = _sizes.set_table_bytes(value)
    return (table,) if table else ()


def _deque_buffers(value: collections.deque[object]) -> tuple[int, ...]:
    return (_layout.DEQUE_BLOCK_SIZE,) * _sizes.deque_blocks(value)


_items = expand_items

RULES: Final[dict[type, TypeRule]] = {
    list: TypeRule("list", _list_size, unused=_sizes.list_unused, expand=_items),
    tuple: TypeRule("tuple", owned_by_nobody=_tuple_owned_by_nobody, expand=_items),
    set: TypeRule("set", unused=_sizes.set_unused, expand=_items),
    frozenset: TypeRule("frozenset", unused=_sizes.set_unused, expand=_items),
    dict: TypeRule("dict", _sizes.dict_size, unused=_sizes.dict_unused, expand=expand_dict),
    collections.deque: TypeRule(
        "deque", _sizes.deque_size, unused=_sizes.deque_unused, expand=_items
    ),
    collections.defaultdict: TypeRule(
        "defaultdict", unused=_sizes.dict_unused, expand=_expand_defaultdict
    ),
    collections.OrderedDict: TypeRule("OrderedDict", unused=_sizes.dict_unused, expand=expand_dict),
}
BUFFERS: Final[dict[type, Buffers]] = {
    list: _list_buffers,
    dict: _dict_buffers,
    set: _set_buffers,
    frozenset: _set_buffers,
    collections.deque: _deque_buffers,
}
