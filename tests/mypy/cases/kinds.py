"""allocative-field at the field's line for every kind of class the generator reads."""
# mypy: disable-error-code="allocative-stale"

from dataclasses import dataclass
from typing import NamedTuple

import attr
import attrs
from pydantic import BaseModel, ConfigDict

from allocative import allocative


class Bad:
    """Neither built in nor with an ``__allocative__`` method."""


@allocative
@dataclass(slots=True, frozen=True)
class DataClass:
    good: int
    bad: Bad


@allocative
@attrs.define
class AttrsDefine:
    good: int
    bad: Bad


@allocative
@attr.s
class AttrsClassic:
    good: int = attr.ib()
    bad: Bad = attr.ib()
    not_a_field: Bad = Bad()


@allocative
class Tuple(NamedTuple):
    good: int
    bad: Bad


@allocative
class Model(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    good: int
    bad: Bad
    _private_is_not_a_field: Bad


@allocative
class Annotated:
    good: int
    bad: Bad


@allocative
class Slots:
    __slots__ = ("bad", "good")
    good: int
    bad: Bad


@allocative
class Init:
    def __init__(self, good: int, bad: Bad) -> None:
        self.good = good
        self.bad = bad
