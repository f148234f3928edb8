"""Redeclared fields: the subclass's declaration is the field's (type, option, @opaque).

The methods are the generator's (tests/gen/golden/redeclared.after), then stale ones.
"""

from dataclasses import InitVar, dataclass
from typing import Annotated, ClassVar

from allocative import Visitor, allocative, opaque, skip


@dataclass
class UnmarkedBase:
    value: str
    count: int


@allocative
@dataclass
class RedeclaresUnmarked(UnmarkedBase):
    """``value`` keeps its place (first) but is visited as the subclass's bytes."""

    value: bytes  # type: ignore[assignment]
    extra: float

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_bytes("value", self.value)
        visitor.visit_int("count", self.count)
        visitor.visit_float("extra", self.extra)


@allocative
@dataclass
class MarkedBase:
    value: str
    tags: list[str]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("value", self.value)
        visitor.visit_list("tags", self.tags, str)


@allocative
@dataclass
class RetypesMarked(MarkedBase):
    """The base's method would visit ``value`` as a str: the base's fields are inlined."""

    value: int  # type: ignore[assignment]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_int("value", self.value)
        visitor.visit_list("tags", self.tags, str)


@allocative
@dataclass
class RedeclaresAlike(MarkedBase):
    """Redeclared with the base's visit: the base's method is still called."""

    value: str
    own: int

    def __allocative__(self, visitor: Visitor) -> None:
        MarkedBase.__allocative__(self, visitor)
        visitor.visit_int("own", self.own)


@allocative
@dataclass
class SkipsRedeclared(MarkedBase):
    """Redeclared with skip: the base's method would visit it, so it is not called."""

    tags: Annotated[list[str], skip]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("value", self.value)
        visitor.skip("tags")


@dataclass
class UnmarkedMiddle(MarkedBase):
    value: bytes  # type: ignore[assignment]


@allocative
@dataclass
class BelowRetypingMiddle(UnmarkedMiddle):
    """An unmarked class between redeclares: the marked base's method is not called."""

    own: int

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_bytes("value", self.value)
        visitor.visit_list("tags", self.tags, str)
        visitor.visit_int("own", self.own)


@allocative
@opaque
@dataclass
class OpaqueBase:
    blob: bytes
    hidden: list[int]

    def __allocative__(self, visitor: Visitor) -> None:
        pass


@allocative
@dataclass
class RedeclaresOpaque(OpaqueBase):
    """A field the subclass redeclares is its own, so visited; the opaque base's others not."""

    hidden: list[int]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_list("hidden", self.hidden, int)


@allocative
@dataclass
class NotFields:
    """ClassVar and InitVar are not fields, wrapped in Annotated too."""

    shared: Annotated[ClassVar[int], skip] = 0  # type: ignore[valid-type]
    table: Annotated[ClassVar[tuple[int, ...]], opaque] = ()  # type: ignore[valid-type]
    seed: Annotated[InitVar[int], skip] = 0
    name: str = ""

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)


@allocative
@dataclass
class CallsRetypedBase(MarkedBase):
    value: int  # type: ignore[assignment]

    def __allocative__(self, visitor: Visitor) -> None:
        MarkedBase.__allocative__(self, visitor)


@allocative
@dataclass
class VisitsByBaseType(UnmarkedBase):
    value: bytes  # type: ignore[assignment]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("value", self.value)  # type: ignore[arg-type]
        visitor.visit_int("count", self.count)


@allocative
@dataclass
class SkipsOpaqueRedeclared(OpaqueBase):
    hidden: list[int]

    def __allocative__(self, visitor: Visitor) -> None:
        OpaqueBase.__allocative__(self, visitor)


@allocative
@dataclass
class VisitsClassVar:
    shared: Annotated[ClassVar[int], opaque] = 0  # type: ignore[valid-type]
    name: str = ""

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_opaque("shared", self.shared)
        visitor.visit_str("name", self.name)
