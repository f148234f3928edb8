"""What the compiled engine (``allocative._core``) takes from the pure engine.

Kinds are resolved by one piece of Python code for both engines
(``_resolve``); :func:`describe` tells the compiled engine which of them it
measures natively. The rest are the helpers it calls where the pure engine's
rule is the whole rule: a copy of a changed container, allocator rounding, the
warnings' final text.
"""

from __future__ import annotations

from gc import get_referents as referents
from typing import Any, Final

from allocative._flamegraph import FlameGraph
from allocative._kinds import BUILTIN_KINDS, ZERO, Kind, contents_copy, expand_contents
from allocative._names import callable_name, raised_text
from allocative._refcounts import TEMPORARY
from allocative._resolve import resolve
from allocative._visitor import (
    ALLOCATOR_OVERHEAD,
    CHANGED,
    DICT_STORAGE,
    UNUSED_CAPACITY,
    VISIT_FAILED,
    finish_warnings,
    is_mutation,
    overhead_of,
)

__all__ = [
    "ALLOCATOR_OVERHEAD",
    "CHANGED",
    "DICT_STORAGE",
    "TEMPORARY",
    "UNUSED_CAPACITY",
    "VISIT_FAILED",
    "FlameGraph",
    "callable_name",
    "contents_copy",
    "describe",
    "expand_contents",
    "finish_warnings",
    "is_mutation",
    "overhead_of",
    "raised_text",
    "referents",
    "resolve",
]

_NATIVE: Final = {
    id(BUILTIN_KINDS[tp]): tp.__name__
    for tp in (str, int, float, complex, bytes, list, tuple, set, frozenset, dict)
}
"""The built-in kinds the compiled engine sizes and walks itself, by the kind's identity."""


def describe(kind: Kind) -> tuple[Any, ...]:
    """How the compiled engine measures ``kind``'s objects: ``("zero",)``, the name of a
    native kind, ``("instance", ...)`` with what its fast paths need, or ``("python",)``."""
    if kind is ZERO:
        return ("zero",)
    native = _NATIVE.get(id(kind))
    if native is not None:
        return (native,)
    instances = kind.instances
    if instances is None:
        return ("python",)
    attributes = instances.attributes
    storage = attributes.storage
    if storage is not None:
        model, array_bytes, steady, settled = storage.model
    else:
        model, array_bytes, steady, settled = (-1 if kind.attrs else 0), (), 0, True
    return (
        "instance",
        instances,
        instances.method,
        instances.complete,
        instances.attributes_only and attributes.dict_offset >= 0,
        storage is not None,
        max(attributes.dict_offset, 0),
        attributes.slots,
        attributes.key_names,
        model,
        array_bytes,
        steady,
        settled,
    )
