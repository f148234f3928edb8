"""The pytest plugin: memory snapshots and budgets, so a test catches a memory regression.

pytest loads it wherever allocative is installed (entry point ``allocative.pytest``
in ``pytest11``), or with ``-p allocative.pytest`` when plugin autoloading is
off; ``-p no:allocative.pytest`` turns it off. Loading it registers one
option, one marker and one fixture and imports nothing else: the measuring
machinery loads only when a test uses it.

- ``allocative_snapshot(obj, "name")`` (a fixture) compares ``obj``'s folded flame
  graph with ``allocative_snapshots/<test module>/name.folded`` beside the test;
  ``pytest --allocative-update`` writes it.
- ``assert_size_at_most(obj, "10 MiB")`` fails the test when ``obj``'s tree
  holds more, showing where the bytes went.
- ``@pytest.mark.allocative_budget(fixture="10 MiB")`` does the same for the
  value of a fixture of the test, once the test has run.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Final

import pytest

__all__ = ["Snapshot", "assert_size_at_most"]

UPDATE_OPTION: Final = "--allocative-update"
MARKER: Final = "allocative_budget"
_USED: Final = pytest.StashKey[dict[Path, str]]()
_WRITTEN: Final = pytest.StashKey[list[Path]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--allocative-update``: write snapshots rather than compare with them."""
    group = parser.getgroup("allocative", "memory snapshots and budgets (allocative)")
    group.addoption(
        UPDATE_OPTION,
        action="store_true",
        help="write allocative snapshots from this run's measurements instead of comparing",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker; start the session's record of snapshot names and files written."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**sizes): fail when a fixture's value holds more than its size once the test "
        "has run, e.g. allocative_budget(book='10 MiB')",
    )
    config.stash[_USED] = {}
    config.stash[_WRITTEN] = []


def assert_size_at_most(obj: object, budget: int | str, *, allocator_overhead: bool = False) -> int:
    """Fail unless ``obj``'s tree holds at most ``budget``: ``"10 MiB"``, ``"512 KB"``, an int.

    Returns the size. On failure the message holds the measurement's summary:
    its largest stacks, types and fields. KB, MB, GB are powers of 1,000;
    KiB, MiB, GiB of 1,024.
    """
    __tracebackhide__ = True
    from allocative._testing.budgets import over_budget

    size, failure = over_budget(
        obj, budget, f"the {type(obj).__name__}", allocator_overhead=allocator_overhead
    )
    if failure is not None:
        raise AssertionError(failure)
    return size


class Snapshot:
    """What the ``allocative_snapshot`` fixture gives a test: call it with an object and a name."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._config = request.config
        self._test_file = Path(request.node.path)
        self._test = request.node.nodeid

    def __call__(self, obj: object, name: str) -> None:
        """Compare ``obj``'s folded flame graph with the snapshot ``name``, or write it."""
        __tracebackhide__ = True
        from allocative._testing import snapshots

        path = snapshots.snapshot_path(self._test_file, name)
        used = self._config.stash[_USED].setdefault(path, self._test)
        if used != self._test:
            message = f"the snapshot name {name!r} is already used by {used}: give it another"
            raise ValueError(message)
        if self._config.getoption(UPDATE_OPTION):
            if snapshots.write(obj, path):
                self._config.stash[_WRITTEN].append(path)
            return
        failure = snapshots.compare(obj, path, self._label(path))
        if failure is not None:
            raise AssertionError(failure)

    def _label(self, path: Path) -> str:
        try:
            return str(path.relative_to(self._config.rootpath))
        except ValueError:
            return str(path)


@pytest.fixture
def allocative_snapshot(request: pytest.FixtureRequest) -> Snapshot:
    """Compare an object's folded flame graph with a golden file: ``(obj, "name")``.

    The file is ``allocative_snapshots/<test module>/<name>.folded`` beside the
    test; ``pytest --allocative-update`` writes it. A difference fails the test
    with the largest changes by stack and by type.
    """
    return Snapshot(request)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Check budget markers only in sessions that use them, so other tests pay nothing."""
    if any(item.get_closest_marker(MARKER) for item in items):
        config.pluginmanager.register(_BudgetMarkers(), "allocative-budget-markers")


class _BudgetMarkers:
    """The hooks that hold fixtures to the sizes of their ``allocative_budget`` markers."""

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Refuse a malformed marker before the test runs: the test errors, saying why."""
        from allocative._testing.sizes import parse_size

        for name, budget in _budgets(item).items():
            if name not in getattr(item, "fixturenames", ()):
                pytest.fail(f"{MARKER}: the test uses no fixture {name!r}", pytrace=False)
            try:
                parse_size(budget)
            except (TypeError, ValueError) as error:
                pytest.fail(f"{MARKER}({name}=...): {error}", pytrace=False)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        """Once the test has passed, measure each fixture its marker names."""
        result = yield
        budgets = _budgets(item)
        if budgets:
            from allocative._testing.budgets import over_budget

            values = getattr(item, "funcargs", {})
            for name, budget in budgets.items():
                _, failure = over_budget(values[name], budget, f"the fixture {name!r}")
                if failure is not None:
                    pytest.fail(failure, pytrace=False)
        return result


def _budgets(item: pytest.Item) -> dict[str, int | str]:
    """The sizes of ``allocative_budget`` markers by fixture name, the closest marker first."""
    budgets: dict[str, int | str] = {}
    for marker in item.iter_markers(MARKER):
        if marker.args or not marker.kwargs:
            message = f"{MARKER} takes fixture=size keywords, as {MARKER}(book='10 MiB')"
            pytest.fail(message, pytrace=False)
        for name, budget in marker.kwargs.items():
            budgets.setdefault(name, budget)
    return budgets


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say which snapshots ``--allocative-update`` wrote."""
    written = terminalreporter.config.stash.get(_WRITTEN, [])
    if written:
        terminalreporter.write_sep("-", f"allocative: wrote {len(written)} snapshots")
        for path in written:
            terminalreporter.write_line(str(path))
