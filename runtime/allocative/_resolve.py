"""Which :class:`~allocative._kinds.Kind` measures objects of a type, resolved once per type.

Order: a visit function registered for the type or one of its bases (it applies
to every type, built-ins and their subclasses included); built-ins by exact
type; things no data owns (classes, modules, functions, Enum members); numpy
arrays; then every other type as a class whose instances are measured by
their method, built-in part and attributes (``_instances``).
"""

from __future__ import annotations

from allocative import _typeinfo
from allocative._instances import instance_kind
from allocative._kinds import (
    BUILTIN_KINDS,
    ZERO,
    Kind,
    Method,
    frame_name,
    is_numpy_array,
    numpy_kind,
    owns_nothing,
)


def resolve(tp: type, custom: dict[type, Method]) -> Kind:
    """The kind for objects of type ``tp``, given the registered visit functions."""
    registered = next((custom[base] for base in _typeinfo.mro(tp) if base in custom), None)
    if registered is None:
        kind = BUILTIN_KINDS.get(tp)
        if kind is not None:
            return kind
        if owns_nothing(tp):
            return ZERO
        if is_numpy_array(tp):
            return numpy_kind(frame_name(tp))
    return instance_kind(tp, frame_name(tp), registered)
