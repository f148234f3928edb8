"""Base fields count: an unmarked base's bad field is reported on the marked subclass."""
# mypy: disable-error-code="allocative-stale"

from dataclasses import dataclass

from allocative import Visitor, allocative


class Bad:
    """Neither built in nor with an ``__allocative__`` method."""


@dataclass
class UnmarkedBase:
    bad_in_base: Bad
    fine_in_base: int


@allocative
@dataclass
class FromUnmarked(UnmarkedBase):
    own: int


@allocative
@dataclass
class MarkedBase:
    bad_in_marked_base: Bad


@allocative
@dataclass
class FromMarked(MarkedBase):
    """The base's field is reported once, on the base."""

    own: int


class HandWrittenBase:
    bad_behind_own_method: Bad

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_opaque("bad_behind_own_method", self.bad_behind_own_method)


@allocative
class FromHandWritten(HandWrittenBase):
    own: int


@allocative
@dataclass
class Redeclares(UnmarkedBase):
    """A redeclared field is the subclass's own."""

    bad_in_base: int  # type: ignore[assignment]
