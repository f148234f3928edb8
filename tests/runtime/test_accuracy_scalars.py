"""Exact bytes of scalars (str, bytes, numbers, dates, UUID, range) against tracemalloc."""

from __future__ import annotations

import datetime
import decimal
import enum
import fractions
import sys
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from allocative import size_of
from tests.runtime.conftest import PY, by_version, traced

pytestmark = pytest.mark.accuracy

T = TypeVar("T")
UTC = datetime.UTC


def rt(value: T) -> T:
    """``value``, hidden from the compiler's constant folding."""
    return value


def _non_ascii_with_utf8_cache() -> str:
    text = "'" + "\xe9" * rt(20) + "'"
    compile(text, "<utf8>", "eval")  # the compiler asks for the UTF-8 form and caches it
    return text


# name: (build, {version: bytes tracemalloc counts and size_of reports})
EXACT: dict[str, tuple[Callable[[], Any], dict[tuple[int, int], int]]] = {
    "str ascii": (lambda: "ab" * rt(10), {(3, 11): 69, (3, 12): 61, (3, 13): 61}),
    "str latin-1": (lambda: "\xe9" * rt(10), {(3, 11): 83, (3, 12): 67, (3, 13): 67}),
    "str ucs-2": (lambda: "\u0101" * rt(10), {(3, 11): 94, (3, 12): 78, (3, 13): 78}),
    "str ucs-4": (lambda: "\U0001f600" * rt(10), {(3, 11): 116, (3, 12): 100, (3, 13): 100}),
    "str with utf-8 cache": (
        _non_ascii_with_utf8_cache,
        {(3, 11): 95 + 43, (3, 12): 79 + 43, (3, 13): 79 + 43},
    ),
    "bytes": (lambda: b"ab" * rt(10), {(3, 11): 53, (3, 12): 53, (3, 13): 53}),
    "float": (lambda: rt(1.5) * 3, {(3, 11): 24, (3, 12): 24, (3, 13): 24}),
    "complex": (lambda: complex(rt(1.0), 2.0), {(3, 11): 32, (3, 12): 32, (3, 13): 32}),
    "int one digit by arithmetic": (lambda: rt(1000) * 3, {(3, 11): 32, (3, 12): 32, (3, 13): 32}),
    "int of 5 digits, parsed": (lambda: int("9" * rt(40)), {(3, 11): 44, (3, 12): 44, (3, 13): 44}),
    "Decimal, inline digits": (
        lambda: decimal.Decimal(rt("1.2345")),
        {(3, 11): 104, (3, 12): 104, (3, 13): 120},
    ),
    "Decimal, allocated digits": (
        lambda: decimal.Decimal("1." + "2345" * rt(20)),
        {(3, 11): 144, (3, 12): 144, (3, 13): 160},
    ),
    "Fraction": (
        lambda: fractions.Fraction(rt(1000) * 3, rt(1001) * 7),
        {(3, 11): 112, (3, 12): 112, (3, 13): 112},
    ),
    "date": (lambda: datetime.date(2020, 1, rt(2)), {(3, 11): 32, (3, 12): 32, (3, 13): 32}),
    "naive datetime": (
        lambda: datetime.datetime(2020, 1, rt(2)),
        {(3, 11): 40, (3, 12): 40, (3, 13): 40},
    ),
    "aware datetime, shared tzinfo": (
        lambda: datetime.datetime(2020, 1, rt(2), tzinfo=UTC),
        {(3, 11): 48, (3, 12): 48, (3, 13): 48},
    ),
    "naive time": (lambda: datetime.time(1, rt(2)), {(3, 11): 32, (3, 12): 32, (3, 13): 32}),
    "aware time, shared tzinfo": (
        lambda: datetime.time(1, rt(2), tzinfo=UTC),
        {(3, 11): 40, (3, 12): 40, (3, 13): 40},
    ),
    "timedelta": (
        lambda: datetime.timedelta(seconds=rt(20)),
        {(3, 11): 40, (3, 12): 40, (3, 13): 40},
    ),
    "UUID": (lambda: uuid.UUID(int=rt(2**127) - 1), {(3, 11): 100, (3, 12): 108, (3, 13): 108}),
    "range with its computed length": (
        lambda: range(rt(1000) * 3, rt(2000) * 3),
        {(3, 11): 48 + 3 * 32, (3, 12): 48 + 3 * 32, (3, 13): 48 + 3 * 32},
    ),
}


@pytest.mark.parametrize("name", list(EXACT))
def test_scalar_is_exact(name: str) -> None:
    """Each scalar kind: size_of equals what tracemalloc counted, and the pinned figure."""
    build, figures = EXACT[name]
    value, held = traced(build)
    assert (size_of(value), held) == (by_version(figures), by_version(figures))


def test_tracing_an_empty_build_counts_nothing() -> None:
    """The helper's own bookkeeping is outside the traced figure."""
    assert traced(lambda: None)[1] == 0


def test_aware_datetime_owns_its_own_timezone() -> None:
    """A non-UTC fixed-offset timezone made for the value is counted with it, and so is the
    offset it holds (a timezone is not a GC object: ``gc.get_referents`` does not see it)."""

    def build() -> datetime.datetime:
        offset = datetime.timedelta(hours=rt(2))
        return datetime.datetime(2020, 1, 2, tzinfo=datetime.timezone(offset))

    value, held = traced(build)
    timedelta = 40
    assert size_of(value) == held == 48 + 32 + timedelta


class Colour(enum.Enum):
    """Enum members belong to their class, not to the data that refers to them."""

    RED = "red" * 3


def test_unowned_scalars_count_zero() -> None:
    """None, bools, small ints, interned strings, Enum members, the UTC singleton: zero."""
    for value in (None, True, False, 7, -5, 256, "interned", Colour.RED, UTC, b"", b"x", ()):
        assert size_of(value) == 0, value


def test_parsed_one_digit_int_is_counted_as_the_padded_struct() -> None:
    """int("1001") allocates 28 bytes, arithmetic 32: the runtime counts 32 for both."""
    value, held = traced(lambda: int(rt("1001")))
    assert (held, size_of(value), sys.getsizeof(value)) == (28, 32, 28)


def test_int_arithmetic_can_leave_a_spare_digit() -> None:
    """Addition allocates one digit more than the result needs; getsizeof cannot see it."""
    value, held = traced(lambda: rt(2**40) + 1)
    assert (held, size_of(value), sys.getsizeof(value)) == (36, 32, 32)


def test_range_of_small_ints_holds_only_itself() -> None:
    """A range of small ints shares the cached start, stop, step and length."""
    value, held = traced(lambda: range(rt(3), 200))
    assert size_of(value) == held == 48


def test_python_version_is_one_the_figures_cover() -> None:
    """The pinned figures cover the interpreter running the tests."""
    assert PY in {(3, 11), (3, 12), (3, 13)}
