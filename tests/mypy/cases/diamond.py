"""allocative-stale on diamonds: calling both sides visits the shared ancestor's fields twice."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from allocative import Visitor, allocative


@allocative
@dataclass
class Top:
    name: str

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)


@allocative
@dataclass
class Left(Top):
    left: str

    def __allocative__(self, visitor: Visitor) -> None:
        Top.__allocative__(self, visitor)
        visitor.visit_str("left", self.left)


@allocative
@dataclass
class Right(Top):
    right: str

    def __allocative__(self, visitor: Visitor) -> None:
        Top.__allocative__(self, visitor)
        visitor.visit_str("right", self.right)


@allocative
@dataclass
class CallsBothSides(Left, Right):
    """What allocative-gen used to write: Top's fields are visited by both calls."""

    bottom: str

    def __allocative__(self, visitor: Visitor) -> None:
        Right.__allocative__(self, visitor)
        Left.__allocative__(self, visitor)
        visitor.visit_str("bottom", self.bottom)


@allocative
@dataclass
class CallsOneSide(Left, Right):
    """What allocative-gen writes now: one side is called, the other's own fields inlined."""

    bottom: str

    def __allocative__(self, visitor: Visitor) -> None:
        Right.__allocative__(self, visitor)
        visitor.visit_str("left", self.left)
        visitor.visit_str("bottom", self.bottom)


@dataclass
class Middle(Top):
    note: str


@allocative
@dataclass
class BelowUnmarked(Middle):
    """``Middle.__allocative__`` is Top's method: it does not visit Middle's own field."""

    depth: int

    def __allocative__(self, visitor: Visitor) -> None:
        Middle.__allocative__(self, visitor)
        visitor.visit_str("note", self.note)
        visitor.visit_int("depth", self.depth)


@dataclass
class BothSides(Left, Right):
    """Unmarked: its ``__allocative__`` is Left's, which does not visit Right's own field."""

    middle: str


@allocative
@dataclass
class MissesSecondSide(BothSides):
    bottom: str

    def __allocative__(self, visitor: Visitor) -> None:
        BothSides.__allocative__(self, visitor)
        visitor.visit_str("middle", self.middle)
        visitor.visit_str("bottom", self.bottom)


@allocative
@dataclass
class BelowBothSides(BothSides):
    bottom: str

    def __allocative__(self, visitor: Visitor) -> None:
        BothSides.__allocative__(self, visitor)
        visitor.visit_str("right", self.right)
        visitor.visit_str("middle", self.middle)
        visitor.visit_str("bottom", self.bottom)


@allocative
class Model(BaseModel):
    a: str

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("a", self.a)
        visitor.visit_field("__pydantic_fields_set__", self.__pydantic_fields_set__)
        visitor.visit_field("__pydantic_extra__", self.__pydantic_extra__)
        visitor.visit_field("__pydantic_private__", self.__pydantic_private__)


@allocative
class RepeatsModelState(Model):
    """The base model's method already visits pydantic's per-instance state."""

    b: int

    def __allocative__(self, visitor: Visitor) -> None:
        Model.__allocative__(self, visitor)
        visitor.visit_int("b", self.b)
        visitor.visit_field("__pydantic_fields_set__", self.__pydantic_fields_set__)
        visitor.visit_field("__pydantic_extra__", self.__pydantic_extra__)
        visitor.visit_field("__pydantic_private__", self.__pydantic_private__)


@allocative
class SubModel(Model):
    b: int

    def __allocative__(self, visitor: Visitor) -> None:
        Model.__allocative__(self, visitor)
        visitor.visit_int("b", self.b)
