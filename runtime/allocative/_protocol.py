"""The :class:`Allocative` protocol that marked classes implement."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from allocative._visitor import Visitor


@runtime_checkable
class Allocative(Protocol):
    """An object that reports its fields to a :class:`~allocative.Visitor`."""

    def __allocative__(self, visitor: Visitor) -> None:
        """Visit each field this object owns; its own bytes are already counted."""
