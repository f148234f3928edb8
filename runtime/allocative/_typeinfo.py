"""What a type is, read from the type object itself, never through its metaclass.

A metaclass may define ``__flags__``, ``__mro__``, ``__dict__``, ``__basicsize__``
or ``__qualname__`` as properties that compute anything; the runtime reads
interpreter memory at offsets these decide, so it asks ``type``'s own
descriptors, whose answers are the interpreter's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

_TYPE: Final[Mapping[str, Any]] = type.__dict__
_FLAGS: Final = _TYPE["__flags__"]
_BASICSIZE: Final = _TYPE["__basicsize__"]
_ITEMSIZE: Final = _TYPE["__itemsize__"]
_DICTOFFSET: Final = _TYPE["__dictoffset__"]
_MRO: Final = _TYPE["__mro__"]
_NAMESPACE: Final = _TYPE["__dict__"]
_QUALNAME: Final = _TYPE["__qualname__"]
_NAME: Final = _TYPE["__name__"]
_MODULE: Final = _TYPE["__module__"]

HEAP_TYPE: Final = 1 << 9
"""``Py_TPFLAGS_HEAPTYPE``: the type was made by a class statement (or ``type()``)."""


def flags(tp: type) -> int:
    """``tp_flags``."""
    return int(_FLAGS.__get__(tp, type))


def basicsize(tp: type) -> int:
    """``tp_basicsize``: bytes of an instance's fixed part."""
    return int(_BASICSIZE.__get__(tp, type))


def itemsize(tp: type) -> int:
    """``tp_itemsize``: bytes per item of a variable-size instance (0: fixed size)."""
    return int(_ITEMSIZE.__get__(tp, type))


def dictoffset(tp: type) -> int:
    """``tp_dictoffset``: where an instance keeps its ``__dict__`` pointer (0: nowhere)."""
    return int(_DICTOFFSET.__get__(tp, type))


def mro(tp: type) -> tuple[type, ...]:
    """``tp_mro``: the type and its bases, in lookup order."""
    found: tuple[type, ...] = _MRO.__get__(tp, type)
    return found


def namespace(tp: type) -> Mapping[str, Any]:
    """The type's own namespace (what ``vars(tp)`` gives for a plain class)."""
    found: Mapping[str, Any] = _NAMESPACE.__get__(tp, type)
    return found


def qualname(tp: type) -> str:
    """``__qualname__`` as the class statement gave it."""
    return str.__str__(_QUALNAME.__get__(tp, type))


def name(tp: type) -> str:
    """``__name__`` as the type holds it."""
    return str.__str__(_NAME.__get__(tp, type))


def module(tp: type) -> object:
    """``__module__`` from the type's own namespace (may be anything a class set)."""
    return _MODULE.__get__(tp, type)


def is_heap_type(tp: type) -> bool:
    """Whether ``tp`` was made by a class statement (not a type written in C)."""
    return bool(flags(tp) & HEAP_TYPE)
