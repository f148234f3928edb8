"""Outside the tested interpreters the runtime reads no raw memory and says so.

``ALLOCATIVE_RAW_READS=0`` forces that mode on a tested interpreter: the tests
marked ``gated`` below run in a subprocess with it set (the driver at the
end), where the memory views do not even exist, so any read that skipped the
gate would raise instead of reading memory.
"""

from __future__ import annotations

import collections
import dataclasses
import decimal
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from allocative import FlameGraphBuilder, Visitor, _gate, _layout, size_of
from allocative._refcounts import EXCLUSIVE_REFS
from tests.runtime.conftest import one_engine, traced

ROOT = Path(__file__).resolve().parents[2]
engine = pytest.fixture(one_engine)
"""Behind the gate only the pure engine can measure; the driver runs once."""
gated = pytest.mark.skipif(_gate.RAW_READS, reason="runs with ALLOCATIVE_RAW_READS=0 (driver)")


@dataclasses.dataclass
class Record:
    """A dataclass: its fields name its attributes where storage cannot be read."""

    name: str
    values: list[float]


class Marked:
    """A class with a method and an attribute the method does not visit."""

    def __init__(self, i: int) -> None:
        self.label = f"label-{i}"
        self.extra = [f"extra-{i}"]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("label", self.label)


class Pair(NamedTuple):
    """A NamedTuple, unmarked."""

    left: str
    right: str


def tree() -> list[Any]:
    """Every kind the runtime knows, several instances of each class."""
    return [
        [Record(f"record-{i}", [i + 0.5, i + 1.5]) for i in range(64)],
        [Marked(i) for i in range(64)],
        [Pair(f"l-{i}", f"r-{i}") for i in range(8)],
        {f"key-{i}": i * 1000 for i in range(100)},
        collections.deque(f"item-{i}" for i in range(100)),
        collections.OrderedDict((f"k-{i}", i + 0.5) for i in range(10)),
        {f"member-{i}" for i in range(50)},
        bytearray(b"x" * 100),
        decimal.Decimal("3.14159265358979323846"),
        ValueError(f"message {len('x')}"),
        range(10**20, 10**20 + 5),
        "\u00e9t\u00e9 " * 20,
    ]


@gated
def test_no_memory_view_exists() -> None:
    """Behind the gate the address-space views are absent and the shortcut is off."""
    assert _layout.BYTES is None
    assert _layout.WORDS is None
    assert EXCLUSIVE_REFS == 0


@gated
def test_every_kind_is_measured_with_one_warning_saying_why() -> None:
    """A tree of every kind measures without a raw read; the warning comes once, first."""
    value, built = traced(tree)
    builder = FlameGraphBuilder()
    builder.visit_root(value)
    output = builder.finish()
    assert output.total_size == size_of(value)
    assert output.engine == "python"
    assert output.warnings[:2] == [
        "measured by the python engine: ALLOCATIVE_RAW_READS=0 is set",
        _gate.GATED_WARNING,
    ]
    assert "ALLOCATIVE_RAW_READS=0 is set" in output.warnings[1]
    assert sum(_gate.GATED_WARNING in w for w in output.warnings) == 1
    # Estimates: interned dict keys and a deque's cached blocks; instance storage is
    # estimated exactly for settled classes.
    assert abs(output.total_size - built) / built < 0.01


@gated
def test_declared_fields_name_what_storage_cannot() -> None:
    """Dataclass fields and NamedTuple fields are named; the rest is measured unnamed."""
    builder = FlameGraphBuilder()
    builder.visit_root([Record("record-x", [0.5]), Pair("left-x", "right-x")])
    stacks = {line.rsplit(" ", 1)[0] for line in builder.finish().folded().splitlines()}
    assert "list;Record;name;str" in stacks
    assert "list;Record;values;list;float" in stacks
    assert "list;Pair;left;str" in stacks


@gated
def test_unvisited_attributes_are_measured_without_names() -> None:
    """A method's unvisited attribute is still counted, and the warning says so."""
    marked = [Marked(i) for i in range(64)]
    builder = FlameGraphBuilder()
    builder.visit_root(marked)
    output = builder.finish()
    assert "list;Marked;list;str" in output.folded()
    assert output.warnings[2] == (
        "Marked: attributes not visited by Marked.__allocative__ were measured without "
        "their names (public APIs only) (64 times)"
    )


def test_gated_mode_runs_on_this_interpreter() -> None:
    """The driver: the ``gated`` tests above, in a subprocess with raw reads forced off."""
    if not _gate.RAW_READS:
        pytest.skip("already gated")
    env = {**os.environ, "ALLOCATIVE_RAW_READS": "0"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-o",
            "addopts=",
            "-q",
            "-p",
            "no:cacheprovider",
            __file__,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed, 1 skipped" in result.stdout
