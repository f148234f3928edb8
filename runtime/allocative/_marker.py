"""The decorator and field options that marked classes use.

This module is all that importing a marked class costs: it defines a few tiny
objects and imports nothing heavier than :mod:`typing`'s names under
``TYPE_CHECKING``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

    from allocative._protocols import Visitor

C = TypeVar("C", bound=type)


def allocative(cls: C) -> C:
    """Mark a class for ``allocative-gen``; at run time the class is returned unchanged."""
    return cls


class _Skip:
    """The type of :data:`skip`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "allocative.skip"


skip: Final = _Skip()
"""Field option: the field is not visited (a back-reference, a cache owned elsewhere)."""


class _Opaque:
    """The type of :data:`opaque`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "allocative.opaque"

    def __call__(self, cls: C) -> C:
        """Class decorator form: instances count their own size only."""
        cls.__allocative__ = _visit_nothing  # type: ignore[attr-defined]
        return cls


opaque: Final = _Opaque()
"""Field option and class decorator: count the object's own size, not what it refers to."""


def _visit_nothing(self: object, visitor: Visitor) -> None:
    """The ``__allocative__`` of an opaque class: no fields are visited."""


class visit_with:
    """Field option: visit the field with ``fn(value, visitor)`` instead of by its type."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[Any, Visitor], None]) -> None:
        self.fn = fn

    def __repr__(self) -> str:
        name = getattr(self.fn, "__qualname__", repr(self.fn))
        return f"allocative.visit_with({name})"
