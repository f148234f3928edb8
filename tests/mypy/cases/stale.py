"""allocative-stale: a missing method, or one that does not visit exactly the current fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel

from allocative import Visitor, allocative, opaque, skip


@allocative
@dataclass
class Missing:
    name: str


@allocative
@dataclass
class Current:
    name: str
    values: list[float]
    meta: dict[str, Current]
    parent: Annotated[Current | None, skip]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)
        visitor.visit_list("values", self.values, float)
        visitor.visit_dict("meta", self.meta, str)
        visitor.skip("parent")


@allocative
@dataclass
class FieldAdded:
    name: str
    added: int

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)


@allocative
@dataclass
class FieldRemoved:
    name: str

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)
        visitor.visit_int("removed", self.name)  # type: ignore[arg-type]


@allocative
@dataclass
class TypeChanged:
    values: dict[str, float]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_list("values", self.values, float)  # type: ignore[arg-type]


@allocative
@dataclass
class ItemTypeChanged:
    values: list[str]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_list("values", self.values, float)


@allocative
@dataclass
class VisitedTwice:
    name: str

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)
        visitor.visit_str("name", self.name)


@allocative
@dataclass
class SkippedButVisited:
    parent: Annotated[SkippedButVisited | None, skip]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_field("parent", self.parent)


@allocative
@dataclass
class WrongAttribute:
    name: str
    other: str

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.other)
        visitor.visit_str("other", self.other)


@allocative
@dataclass
class HandEdited:
    name: str

    def __allocative__(self, visitor: Visitor) -> None:
        if self.name:
            visitor.visit_str("name", self.name)


@allocative
@dataclass
class WrongSignature:
    name: str

    def __allocative__(self) -> None:
        pass


@allocative
class Model(BaseModel):
    name: str

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)
        visitor.visit_field("__pydantic_fields_set__", self.__pydantic_fields_set__)
        visitor.visit_field("__pydantic_extra__", self.__pydantic_extra__)
        visitor.visit_field("__pydantic_private__", self.__pydantic_private__)


@allocative
class ModelWithoutInternals(BaseModel):
    name: str

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)


@allocative
@opaque
@dataclass
class Opaque:
    name: str

    def __allocative__(self, visitor: Visitor) -> None:
        pass


@allocative
@dataclass
class MarkedBase:
    name: str

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)


@allocative
@dataclass
class CallsBase(MarkedBase):
    extra: bytes

    def __allocative__(self, visitor: Visitor) -> None:
        MarkedBase.__allocative__(self, visitor)
        visitor.visit_bytes("extra", self.extra)


@allocative
@dataclass
class ForgetsBase(MarkedBase):
    extra: bytes

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_bytes("extra", self.extra)


@dataclass
class UnmarkedBase:
    size: int


@allocative
@dataclass
class InlinesBase(UnmarkedBase):
    extra: bytes

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_int("size", self.size)
        visitor.visit_bytes("extra", self.extra)


@allocative
@dataclass
class ForgetsUnmarkedBase(UnmarkedBase):
    extra: bytes

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_bytes("extra", self.extra)


class PrivateBase:
    def __init__(self) -> None:
        self.__secret = "s"


@allocative
class ReadsMangledName(PrivateBase):
    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_field("__secret", getattr(self, "_PrivateBase__secret"))  # noqa: B009
