"""Sessions run inside the tests (``pytester``) load this plugin alone, so each is quick.

An in-process session unloads every module it imported when it ends; the
plugin's implementation is imported here first so that all sessions share
one copy of its classes.
"""

from __future__ import annotations

import pytest

import allocative._testing.budgets
import allocative._testing.snapshots

__all__ = ["allocative"]


@pytest.fixture
def plugin_session(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A ``pytester`` whose sessions load ``allocative.pytest`` and no other installed plugin."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeini("[pytest]\naddopts = -p allocative.pytest\n")
    return pytester
