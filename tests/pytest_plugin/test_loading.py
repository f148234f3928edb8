"""How the plugin loads: always when installed, cheaply, and can be turned off or on by name."""

from __future__ import annotations

import pytest

PLAIN_TEST = """\
import sys

def test_plain():
    loaded = sorted(name for name in sys.modules if name.split(".")[0] == "allocative")
    print("LOADED", loaded)
"""

SNAPSHOT_TEST = """\
def test_uses_the_fixture(allocative_snapshot):
    pass
"""


def test_loading_the_plugin_imports_nothing_heavy(pytester: pytest.Pytester) -> None:
    """A session that uses no snapshot or budget imports the marker module and the plugin only."""
    pytester.makepyfile(test_plain=PLAIN_TEST)
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["plugins: *allocative-0.1.0*"])
    loaded = "LOADED ['allocative', 'allocative._marker', 'allocative.pytest']"
    assert loaded in result.stdout.str()


def test_autoload_off_then_on_by_name(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With autoloading off the fixture is missing until ``-p allocative.pytest`` loads it."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(test_fixture=SNAPSHOT_TEST)
    off = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    off.assert_outcomes(errors=1)
    off.stdout.fnmatch_lines(["*fixture 'allocative_snapshot' not found*"])
    on = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "allocative.pytest")
    on.assert_outcomes(passed=1)


def test_naming_the_autoloaded_plugin_again_is_harmless(pytester: pytest.Pytester) -> None:
    """``-p allocative.pytest`` beside the autoloaded entry point registers it once."""
    pytester.makepyfile(test_fixture=SNAPSHOT_TEST)
    pytester.runpytest("-p", "allocative.pytest").assert_outcomes(passed=1)


def test_the_plugin_can_be_turned_off(pytester: pytest.Pytester) -> None:
    """``-p no:allocative.pytest`` removes the fixture and the option."""
    pytester.makepyfile(test_fixture=SNAPSHOT_TEST)
    result = pytester.runpytest("-p", "no:allocative.pytest")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'allocative_snapshot' not found*"])
    usage = pytester.runpytest("-p", "no:allocative.pytest", "--allocative-update")
    usage.stderr.fnmatch_lines(["*unrecognized arguments: --allocative-update*"])


def test_help_lists_the_option_the_marker_and_the_fixture(plugin_session: pytest.Pytester) -> None:
    """The option, the marker and the fixture are documented where pytest lists them."""
    pytester = plugin_session
    pytester.runpytest("--help").stdout.fnmatch_lines(
        ["*memory snapshots and budgets (allocative)*", "*--allocative-update*"]
    )
    pytester.runpytest("--markers").stdout.fnmatch_lines(
        ["@pytest.mark.allocative_budget(**sizes): fail when a fixture's value holds more*"]
    )
    pytester.makepyfile(test_fixture=SNAPSHOT_TEST)
    pytester.runpytest("--fixtures").stdout.fnmatch_lines(
        [
            "allocative_snapshot -- *",
            "    Compare an object's folded flame graph with a golden file*",
        ]
    )


def test_budget_hooks_run_only_in_sessions_that_use_the_marker(
    plugin_session: pytest.Pytester,
) -> None:
    """Without an ``allocative_budget`` marker no per-test hook of the plugin runs."""
    pytester = plugin_session
    pytester.makepyfile(
        test_hooks="""
        import pytest

        def test_without(request):
            assert request.config.pluginmanager.get_plugin("allocative-budget-markers") is None
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
    pytester.makepyfile(
        test_hooks="""
        import pytest

        @pytest.fixture
        def value():
            return [1.5]

        @pytest.mark.allocative_budget(value="1 KiB")
        def test_with(request, value):
            assert request.config.pluginmanager.get_plugin("allocative-budget-markers")
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
