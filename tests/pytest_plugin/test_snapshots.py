"""The ``allocative_snapshot`` fixture, run in real pytest sessions through ``pytester``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from allocative import FlameGraphBuilder

BOOK_TEST = """\
N = {n}

def book():
    return {{"bids": [float(i) for i in range(N)], "asks": [float(i) for i in range(N, 2 * N)]}}

def test_book(allocative_snapshot):
    allocative_snapshot(book(), "book")
"""

SNAPSHOT = Path("allocative_snapshots/test_book/book.folded")


def book(n: int) -> dict[str, list[float]]:
    """The object the test module above measures, built here to compute what it must write."""
    return {"bids": [float(i) for i in range(n)], "asks": [float(i) for i in range(n, 2 * n)]}


def folded(obj: object) -> str:
    builder = FlameGraphBuilder()
    builder.visit_root(obj)
    return builder.finish().folded()


@pytest.fixture(autouse=True)
def columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Failure messages are as wide as a 104-column terminal (100 after pytest's ``E   ``)."""
    monkeypatch.setenv("COLUMNS", "104")


def test_update_writes_the_snapshot_beside_the_test(plugin_session: pytest.Pytester) -> None:
    """``--allocative-update`` writes the folded flame graph and says which file it wrote."""
    plugin_session.makepyfile(test_book=BOOK_TEST.format(n=100))
    result = plugin_session.runpytest("--allocative-update")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*- allocative: wrote 1 snapshots -*", f"*{SNAPSHOT}"])
    assert (plugin_session.path / SNAPSHOT).read_text(encoding="utf-8") == folded(book(100))


def test_a_matching_snapshot_passes(plugin_session: pytest.Pytester) -> None:
    """The same object measured again matches its snapshot; nothing is written."""
    plugin_session.makepyfile(test_book=BOOK_TEST.format(n=100))
    (plugin_session.path / SNAPSHOT).parent.mkdir(parents=True)
    (plugin_session.path / SNAPSHOT).write_text(folded(book(100)), encoding="utf-8")
    result = plugin_session.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*allocative: wrote*")


def test_a_changed_measurement_fails_with_the_largest_changes(
    plugin_session: pytest.Pytester,
) -> None:
    """A grown object fails the test, listing what grew by stack and by type, and the fix."""
    plugin_session.makepyfile(test_book=BOOK_TEST.format(n=120))
    (plugin_session.path / SNAPSHOT).parent.mkdir(parents=True)
    (plugin_session.path / SNAPSHOT).write_text(folded(book(100)), encoding="utf-8")
    result = plugin_session.runpytest()
    result.assert_outcomes(failed=1)
    grown = 2 * 20 * 24  # 20 more floats in each list, 24 bytes each
    result.stdout.fnmatch_lines(
        [
            '>       allocative_snapshot(book(), "book")',
            f"E       AssertionError: the measurement differs from the snapshot {SNAPSHOT}",
            "E       Total: * -> * (+*)",
            "E       Largest changes by stack (own bytes)",
            f"E              +{grown} B * -> * dict;value;list;float",
            "E       Largest changes by type",
            f"E              +{grown} B * -> * float",
            "E       If the change is expected, run pytest --allocative-update to rewrite the "
            "snapshot.",
        ]
    )
    rows = [line for line in result.stdout.lines if re.match(r"E +[+-]\d", line)]
    assert len(rows) == 4
    assert max(map(len, rows)) <= 104


def test_update_rewrites_a_changed_snapshot_and_only_then(plugin_session: pytest.Pytester) -> None:
    """A second update with nothing changed leaves the file alone and reports nothing."""
    plugin_session.makepyfile(test_book=BOOK_TEST.format(n=120))
    path = plugin_session.path / SNAPSHOT
    path.parent.mkdir(parents=True)
    path.write_text(folded(book(100)), encoding="utf-8")
    plugin_session.runpytest("--allocative-update").assert_outcomes(passed=1)
    assert path.read_text(encoding="utf-8") == folded(book(120))
    written = path.stat().st_mtime_ns
    again = plugin_session.runpytest("--allocative-update")
    again.assert_outcomes(passed=1)
    again.stdout.no_fnmatch_line("*allocative: wrote*")
    assert path.stat().st_mtime_ns == written
    plugin_session.runpytest().assert_outcomes(passed=1)


def test_a_missing_snapshot_fails_and_shows_what_would_be_written(
    plugin_session: pytest.Pytester,
) -> None:
    """Without its file the test fails (as CI must), says how to write it and shows the summary."""
    plugin_session.makepyfile(test_book=BOOK_TEST.format(n=100))
    result = plugin_session.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            f"E       AssertionError: no snapshot {SNAPSHOT} yet: run pytest "
            "--allocative-update to write it from this measurement",
            "E       Total: * in * stacks",
            "E       Largest stacks (own bytes)",
            "E         * dict;value;list;float",
        ]
    )
    assert not (plugin_session.path / SNAPSHOT).exists()


def test_a_malformed_snapshot_names_its_line(plugin_session: pytest.Pytester) -> None:
    """A hand-edited snapshot that is no longer folded text fails with ``path:line: reason``."""
    plugin_session.makepyfile(test_book=BOOK_TEST.format(n=100))
    (plugin_session.path / SNAPSHOT).parent.mkdir(parents=True)
    (plugin_session.path / SNAPSHOT).write_text("dict 120\ndict;value many\n", encoding="utf-8")
    result = plugin_session.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            f"E       AssertionError: {SNAPSHOT}:2: the byte count 'many' is not a non-negative "
            "integer; run pytest --allocative-update to rewrite the snapshot"
        ]
    )


def test_a_name_is_one_snapshot_per_module(plugin_session: pytest.Pytester) -> None:
    """Two tests of a module using one name would overwrite each other: the second errors."""
    plugin_session.makepyfile(
        test_book="""
        def test_one(allocative_snapshot):
            allocative_snapshot([1.5], "same")

        def test_two(allocative_snapshot):
            allocative_snapshot([2.5], "same")
        """
    )
    result = plugin_session.runpytest("--allocative-update")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       ValueError: the snapshot name 'same' is already used by "
            "test_book.py::test_one: give it another"
        ]
    )


@pytest.mark.parametrize("name", ["", "../escape", "a/b", ".hidden", "with space", "a\\b", "-x"])
def test_a_snapshot_name_is_a_plain_file_name(plugin_session: pytest.Pytester, name: str) -> None:
    """Names that are not plain file names are refused before anything is written."""
    plugin_session.makepyfile(
        test_book=f"""
        def test_one(allocative_snapshot):
            allocative_snapshot([1.5], {name!r})
        """
    )
    result = plugin_session.runpytest("--allocative-update")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       ValueError: a snapshot name is letters, digits, '_', '-' and '.', not "
            f"starting with '.' or '-'; not {name!r}"
        ]
    )
    assert not (plugin_session.path / "allocative_snapshots").exists()
