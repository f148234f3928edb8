"""Cached properties: the generator visits each by name where the instance stores it, the plugin
asks for that visit, and measuring counts a computed value without computing one.

``functools.cached_property`` (and the descriptors like it in ``STORED_PROPERTIES``) keeps
its value in the instance's ``__dict__`` under its own name: no assignment names it, so
it was measured as an unvisited attribute, with a warning neither rerunning the
generator nor ``skip`` could silence. ``visitor.visit_stored("name", self)`` visits what
is stored there, if anything.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import allocative
from allocative import _engine
from allocative_gen.cli import main
from tests.gen.test_bases import method_of, write
from tests.mypy.runner import run_mypy

SOURCE = """\
from __future__ import annotations

import functools
from functools import cached_property

from allocative import allocative

CALLS: list[str] = []


class Base:
    @functools.cached_property
    def total(self) -> list[int]:
        CALLS.append("total")
        return list(range(100))


@allocative
class Report(Base):
    def __init__(self, rows: list[int]) -> None:
        self.rows = rows

    @cached_property
    def summary(self) -> str:
        CALLS.append("summary")
        return "rows: " + ", ".join(map(str, self.rows))

    @cached_property
    def __secret(self) -> bytes:
        return b"x" * 1000

    def reveal(self) -> bytes:
        return self.__secret

    @property
    def plain(self) -> int:
        return len(self.rows)


@allocative
class Monthly(Report):
    pass
"""


@pytest.fixture
def reports(tmp_path: Path) -> Iterator[ModuleType]:
    """The module generated, type-checked with the plugin, and imported."""
    path = write(tmp_path / "reports.py", SOURCE)
    assert main([str(path)]) == 1
    assert run_mypy(tmp_path, "reports.py") == []
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("reports")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("reports", None)


def test_each_cached_property_is_visited_where_it_is_stored(reports: ModuleType) -> None:
    """Inherited from an unmarked base, the class's own, a private one under its mangled
    key; a plain property is not stored, so it is not visited."""
    assert method_of(Path(str(reports.__file__)), "Report") == [
        'visitor.visit_stored("total", self)',
        'visitor.visit_stored("summary", self)',
        'visitor.visit_stored("_Report__secret", self)',
        'visitor.visit_list("rows", self.rows, int)',
    ]
    assert method_of(Path(str(reports.__file__)), "Monthly") == [
        "Report.__allocative__(self, visitor)"
    ]


@pytest.mark.parametrize(
    ("old", "reason"),
    [
        (
            '        visitor.visit_stored("summary", self)\n',
            '"summary" is a cached property but not visited with '
            'visitor.visit_stored("summary", self)',
        ),
        (
            'visitor.visit_stored("summary", self)',
            '"summary" is visited with visit_field instead of visit_stored',
        ),
    ],
)
def test_the_plugin_asks_for_the_visit(tmp_path: Path, old: str, reason: str) -> None:
    """A method that leaves a cached property out, or reads it as an attribute (which would
    compute it), is stale."""
    path = write(tmp_path / "reports.py", SOURCE)
    assert main([str(path)]) == 1
    new = "" if old.endswith("\n") else 'visitor.visit_field("summary", self.summary)'
    path.write_text(path.read_text().replace(old, new, 1))
    (stale,) = run_mypy(tmp_path, "reports.py")
    assert stale.endswith("[allocative-stale]")
    assert reason in stale


@pytest.fixture(params=[_engine.PYTHON, _engine.COMPILED])
def engine(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.param == _engine.COMPILED and _engine.compiled_unavailable():
        pytest.skip(f"compiled engine: {_engine.compiled_unavailable()}")
    with _engine.forced(request.param):
        yield


@pytest.mark.usefixtures("engine")
def test_measuring_counts_what_is_computed_and_computes_nothing(reports: ModuleType) -> None:
    """Before the properties are computed nothing is stored and nothing is computed by
    measuring; once computed, each value is counted under its own name, without a
    warning."""
    report = reports.Monthly(list(range(50)))
    reports.CALLS.clear()
    before = allocative.FlameGraphBuilder()
    before.visit_root(report)
    empty = before.finish()
    assert reports.CALLS == []
    assert empty.warnings == []
    report.summary, report.total, report.reveal()
    reports.CALLS.clear()
    builder = allocative.FlameGraphBuilder()
    builder.visit_root(report)
    output = builder.finish()
    assert reports.CALLS == []
    assert output.warnings == []
    stacks = {line.rsplit(" ", 1)[0] for line in output.folded().splitlines()}
    assert "Monthly;summary;str" in stacks
    assert "Monthly;total;list" in stacks
    assert "Monthly;_Report__secret;bytes" in stacks
    assert output.total_size == allocative.size_of(report)
    assert output.total_size - empty.total_size >= (
        sys.getsizeof(report.summary) + sys.getsizeof(report.total) + 1000
    )
