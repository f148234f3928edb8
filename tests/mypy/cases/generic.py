"""allocative-generic: a type variable field whose bound cannot be measured."""
# mypy: disable-error-code="allocative-stale"

from dataclasses import dataclass
from typing import Generic, TypeVar

from allocative import allocative


class Bad:
    """Neither built in nor with an ``__allocative__`` method."""


@allocative
@dataclass
class Measured:
    value: int


Unbounded = TypeVar("Unbounded")
BoundBad = TypeVar("BoundBad", bound=Bad)
BoundMeasured = TypeVar("BoundMeasured", bound=Measured)
BoundStr = TypeVar("BoundStr", bound=str)
ValuesFine = TypeVar("ValuesFine", int, str)
ValuesBad = TypeVar("ValuesBad", int, Bad)


@allocative
@dataclass
class Box(Generic[Unbounded, BoundBad, BoundMeasured, BoundStr, ValuesFine, ValuesBad]):
    unbounded: Unbounded
    in_a_list: list[Unbounded]
    bound_bad: BoundBad
    bound_measured: BoundMeasured
    bound_str: BoundStr
    values_fine: ValuesFine
    values_bad: ValuesBad


M = TypeVar("M", bound=Measured)


@allocative
@dataclass
class Holder(Generic[M]):
    item: M


@allocative
@dataclass
class UsesHolder:
    fine: Holder[Measured]
    nested_fine: list[Holder[Measured]]
