"""allocative-generic: a marked generic class used with a type argument that cannot be measured.

Type variables are checked where the class is used, not where it is declared: every field
of ``Box`` is fine, whatever its type variable's bound, and the uses below are checked.
"""
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


class Page(Generic[Unbounded]):
    """An unmarked generic class: itself the problem, whatever its argument."""

    items: list[Unbounded]


@allocative
@dataclass
class Uses:
    strings: Holder[Measured]
    boxes: Box[str, Bad, Measured, str, int, Bad]
    nested: list[Box[int, Bad, Measured, str, str, int]]
    deep: Holder[Measured] | Box[list[Bad], Bad, Measured, str, int, int]
    unmarked: Page[int]


@allocative
@dataclass
class Pass(Generic[Unbounded]):
    through: Box[Unbounded, Bad, Measured, str, int, int]
