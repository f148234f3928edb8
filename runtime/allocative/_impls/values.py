"""Type rules of the standard library's value types: decimals, fractions, UUIDs, ranges, and
dates and times with their time zones."""

from __future__ import annotations

import datetime
import decimal
import fractions
import sys
import uuid
from typing import TYPE_CHECKING, Final

from allocative import _layout, _sizes
from allocative._rule import Buffers, TypeRule, getsizeof

if TYPE_CHECKING:
    from allocative._protocols import EngineSide

IMMORTAL_REFS: Final = 2**30 - 1
"""On CPython 3.12 and later an immortal object's reference count is at least this
(``_Py_IMMORTAL_REFCNT``); no object reaches it by being referenced."""
_DATETIME_TZINFO: Final = 8


def _is_immortal(value: object) -> bool:
    """Whether ``value`` is one of the interpreter's static objects, which no data owns
    (3.13's zero ``timedelta``, say); on 3.11 nothing is."""
    return sys.getrefcount(value) >= IMMORTAL_REFS


def _is_utc(value: datetime.timezone) -> bool:
    return value is datetime.UTC


def _datetime_size(value: datetime.datetime | datetime.time) -> int:
    """A naive ``datetime``/``time`` is allocated without its ``tzinfo`` slot."""
    size = getsizeof(value)
    return size - _DATETIME_TZINFO if value.tzinfo is None else size


def _expand_fraction(engine: EngineSide, value: fractions.Fraction) -> None:
    engine._visit_named("numerator", value.numerator)
    engine._visit_named("denominator", value.denominator)


def _expand_uuid(engine: EngineSide, value: uuid.UUID) -> None:
    engine._visit_named("int", value.int)


def _expand_datetime(engine: EngineSide, value: datetime.time | datetime.datetime) -> None:
    if value.tzinfo is not None:
        engine._visit_named("tzinfo", value.tzinfo)


def _expand_timezone(engine: EngineSide, value: datetime.timezone) -> None:
    """A timezone holds its offset and, when given one, its name; it is not a GC object, so
    ``gc.get_referents`` sees neither. ``__getinitargs__`` returns the stored objects."""
    held = value.__getinitargs__()  # type: ignore[attr-defined]
    engine._visit_named("offset", held[0])
    if len(held) > 1:
        engine._visit_named("name", held[1])


def _expand_range(engine: EngineSide, value: range) -> None:
    engine._visit_named("start", value.start)
    engine._visit_named("stop", value.stop)
    engine._visit_named("step", value.step)
    engine._visit_named("length", _layout.range_length(value))


def _decimal_buffers(value: decimal.Decimal) -> tuple[int, ...]:
    digits = decimal.Decimal.__sizeof__(value) - _sizes.struct_bytes(value, decimal.Decimal)
    return (digits,) if digits else ()


RULES: Final[dict[type, TypeRule]] = {
    decimal.Decimal: TypeRule("Decimal"),
    fractions.Fraction: TypeRule("Fraction", expand=_expand_fraction),
    uuid.UUID: TypeRule("UUID", expand=_expand_uuid),
    range: TypeRule("range", expand=_expand_range),
    datetime.date: TypeRule("date"),
    datetime.timedelta: TypeRule("timedelta", owned_by_nobody=_is_immortal),
    datetime.datetime: TypeRule("datetime", _datetime_size, expand=_expand_datetime),
    datetime.time: TypeRule("time", _datetime_size, expand=_expand_datetime),
    datetime.timezone: TypeRule("timezone", owned_by_nobody=_is_utc, expand=_expand_timezone),
}
BUFFERS: Final[dict[type, Buffers]] = {decimal.Decimal: _decimal_buffers}
