"""Every class the generator and the plugin treat as measured without help
(``allocative_gen.rules``) is measured exactly by the runtime, with no warning: one case per
entry of the table, so an entry cannot be added without its test."""

from __future__ import annotations

import array
import collections
import datetime
import decimal
import enum
import fractions
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from allocative import FlameGraphBuilder, Visitor, allocative, size_of
from allocative_gen import rules
from tests.runtime.conftest import traced

pytestmark = pytest.mark.accuracy


class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@allocative
class Zone(datetime.tzinfo):
    """A ``tzinfo`` subclass of the project, marked, as users write them."""

    def __allocative__(self, visitor: Visitor) -> None:
        pass

    def utcoffset(self, dt: datetime.datetime | None) -> datetime.timedelta:
        return datetime.timedelta(hours=1)


BUILDS: dict[str, Callable[[], Any]] = {
    "types.NoneType": lambda: [None] * 100,
    "collections.deque": lambda: collections.deque(f"d{i}" for i in range(500)),
    "collections.defaultdict": lambda: collections.defaultdict(
        list, {f"k{i}": [i * 1000] for i in range(300)}
    ),
    "collections.OrderedDict": lambda: collections.OrderedDict(
        (f"k{i}", i * 1000) for i in range(300)
    ),
    "collections.Counter": lambda: collections.Counter(f"w{i % 50}" for i in range(1000)),
    "decimal.Decimal": lambda: [decimal.Decimal(f"{i}.{i:04d}") for i in range(300)],
    "fractions.Fraction": lambda: [fractions.Fraction(i, 7) for i in range(1, 300)],
    "datetime.datetime": lambda: [
        datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(seconds=i)
        for i in range(300)
    ],
    "datetime.date": lambda: [
        datetime.date(2026, 1, 1) + datetime.timedelta(i) for i in range(300)
    ],
    "datetime.time": lambda: [datetime.time(i % 24, i % 60) for i in range(300)],
    "datetime.timedelta": lambda: [datetime.timedelta(seconds=i * 7) for i in range(300)],
    # The first is timedelta(0): a static object on 3.13, which counts zero.
    "datetime.timezone": lambda: [
        datetime.timezone(datetime.timedelta(minutes=i), f"zone {i}")
        if i % 2
        else datetime.timezone(datetime.timedelta(minutes=i))
        for i in range(1, 300)
    ],
    "datetime.tzinfo": lambda: [Zone() for _ in range(100)],
    "uuid.UUID": lambda: [uuid.UUID(int=i * 7919) for i in range(300)],
    "array.array": lambda: array.array("d", (i * 0.5 for i in range(1000))),
    "enum.Enum": lambda: [Colour.RED, Colour.GREEN] * 100,
}
"""Objects of each class, built as a program would."""

NOT_TRACED = {
    "mmap.mmap": "its pages come from the kernel, not malloc: tests/runtime/test_allocator_mmap.py",
    "numpy.ndarray": "numpy files its buffers under its own domain: test_accuracy_buffers.py",
}
"""Entries whose memory tracemalloc does not count in its default domain, tested elsewhere."""


def test_every_entry_of_the_table_has_a_case() -> None:
    assert set(BUILDS) | set(NOT_TRACED) == set(rules._RUNTIME_BUILTINS)


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_each_class_the_tools_accept_is_measured_exactly(name: str) -> None:
    tree, built = traced(BUILDS[name])
    builder = FlameGraphBuilder()
    builder.visit_root(tree)
    output = builder.finish()
    assert size_of(tree) == output.total_size == built
    assert output.warnings == []
