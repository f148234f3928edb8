"""allocative-mark: a Protocol, a TypedDict or an Enum cannot be marked (the generator agrees)."""

from enum import Enum, IntFlag
from typing import Protocol, TypedDict, runtime_checkable

from allocative import allocative


@allocative
class Sized(Protocol):
    size: int


@allocative
@runtime_checkable
class Closeable(Protocol):
    def close(self) -> None: ...


@allocative
class Movie(TypedDict):
    title: str


@allocative
class Colour(Enum):
    RED = 1


@allocative
class Permission(IntFlag):
    READ = 1
