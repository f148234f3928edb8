"""No error: every type the runtime measures built in, and classes that measure themselves."""
# mypy: disable-error-code="allocative-stale"

from __future__ import annotations

import array
import datetime
import mmap
import uuid
from collections import Counter, OrderedDict, defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Literal, NamedTuple, NewType

import numpy as np
import numpy.typing as npt

from allocative import Allocative, Visitor, allocative, opaque

UserId = NewType("UserId", int)


class Colour(Enum):
    RED = 1


class Point(NamedTuple):
    x: float
    y: float


class HandWritten:
    """Implements the protocol by hand."""

    def __allocative__(self, visitor: Visitor) -> None:
        pass


@opaque
class Blob:
    """Counts its own size only."""


@allocative
@dataclass
class Everything:
    an_int: int
    a_float: float
    a_complex: complex
    a_bool: bool
    nothing: None
    a_str: str
    some_bytes: bytes
    a_bytearray: bytearray
    a_list: list[int]
    a_tuple: tuple[int, str]
    a_dict: dict[str, float]
    a_defaultdict: defaultdict[str, list[int]]
    an_ordered_dict: OrderedDict[str, int]
    a_counter: Counter[str]
    a_set: set[int]
    a_frozenset: frozenset[str]
    a_deque: deque[bytes]
    an_array: array.array[int]
    a_range: range
    a_memoryview: memoryview
    a_mmap: mmap.mmap
    a_decimal: Decimal
    a_fraction: Fraction
    a_date: datetime.date
    a_datetime: datetime.datetime
    a_time: datetime.time
    a_timedelta: datetime.timedelta
    a_timezone: datetime.timezone
    a_uuid: uuid.UUID
    an_enum: Colour
    an_ndarray: npt.NDArray[np.float64]
    a_sequence: Sequence[int]
    a_mapping: Mapping[str, int]
    an_iterable: Iterable[str]
    a_callable: Callable[[int], int]
    a_class: type[int]
    a_literal: Literal["a", "b"]
    a_new_type: UserId
    a_named_tuple: Point
    later: Later
    later_list: list[Later]
    hand_written: HandWritten
    blob: Blob
    protocol: list[Allocative]


@allocative
@dataclass
class Later:
    """Marked and defined after its first use: a forward reference."""

    value: int
