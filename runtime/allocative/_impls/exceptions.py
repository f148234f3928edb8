"""The built-in part of exceptions: ``args``, the chained exceptions, the traceback, the
notes, and what C exception classes store in their own fields (``OSError.filename``)."""

from __future__ import annotations

import gc
import types
from typing import TYPE_CHECKING, Any, Final

from allocative import _layout, _typeinfo

if TYPE_CHECKING:
    from allocative._protocols import EngineSide
    from allocative._rule import Expand

_EXCEPTION_STATE: Final = tuple(
    getattr(BaseException, name) for name in ("args", "__traceback__", "__cause__", "__context__")
)
"""BaseException's own descriptors: read through them, a subclass's override cannot interfere."""


def _object_members(tp: type) -> tuple[tuple[str, Any], ...]:
    """The member descriptors that C classes of ``tp``'s MRO add (``OSError.filename``...)."""
    found: dict[str, Any] = {}
    for klass in _typeinfo.mro(tp):
        if _typeinfo.is_heap_type(klass) or klass in (object, BaseException):
            continue
        for name, member in _typeinfo.namespace(klass).items():
            if type(member) is types.MemberDescriptorType:
                found.setdefault(name, member)
    return tuple(found.items())


def exception_part(tp: type) -> Expand:
    """The built-in part of exceptions of type ``tp``. The notes are read from the
    exception's ``__dict__`` where it has one: no property of a subclass runs."""
    members = _object_members(tp)
    dict_offset = _typeinfo.dictoffset(tp)

    def expand(engine: EngineSide, value: BaseException) -> None:
        visit = engine._visit_named
        for descriptor in _EXCEPTION_STATE:
            field = descriptor.__get__(value)
            if field is not None:
                visit(descriptor.__name__, field)
        own_dict = _layout.dict_at_offset(value, dict_offset) if dict_offset > 0 else None
        notes = None if own_dict is None else dict.get(own_dict, "__notes__")
        if type(notes) is list:
            visit("__notes__", notes)
        if members:
            # A member of a C type may hold a plain C value that reading boxes anew:
            # only objects the exception really refers to are its own.
            held = {id(r) for r in gc.get_referents(value)}
            for name, member in members:
                field = member.__get__(value)
                if id(field) in held:
                    visit(name, field)

    return expand
