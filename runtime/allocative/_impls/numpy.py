"""The type rule of numpy arrays: the array's struct, and its data buffer (filed as ``data``:
numpy allocates it outside the Python heap) when it owns one; a view counts its base.
numpy is never imported here: arrays are recognised by their type's name and module."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allocative import _typeinfo
from allocative._rule import TypeRule, getsizeof

if TYPE_CHECKING:
    from allocative._protocols import EngineSide


def is_numpy_array(tp: type) -> bool:
    """Whether ``tp`` is numpy's ``ndarray`` or a subclass."""
    return any(
        _typeinfo.name(b) == "ndarray" and _typeinfo.module(b) == "numpy" for b in _typeinfo.mro(tp)
    )


def numpy_rule(name: str) -> TypeRule:
    """The rule of a numpy array type whose frame is ``name``."""
    return TypeRule(name, size=_numpy_size, expand=_numpy_expand, blocks=_numpy_blocks)


def _owns_data(array: Any) -> bool:
    return bool(array.base is None and array.flags.owndata)


def _numpy_size(array: Any) -> int:
    size = getsizeof(array)
    return size - array.nbytes if _owns_data(array) else size


def _numpy_blocks(array: Any) -> tuple[int, ...]:
    return (_numpy_size(array),)


def _numpy_expand(engine: EngineSide, array: Any) -> None:
    if not _owns_data(array):
        if array.base is not None:
            engine._visit_named("base", array.base)
        return
    engine.visit_simple("data", array.nbytes)
    if array.dtype.hasobject:
        visit = engine.visit_item
        for item in array.flat:
            visit(item)
