"""What the pytest plugin (``allocative.pytest``) does, loaded when a test first asks for it.

Nothing here is imported when pytest merely loads the plugin, so a test run
that uses neither snapshots nor budgets pays for no measuring machinery.
"""

from __future__ import annotations

import shutil

from allocative._api import FlameGraphBuilder, FlameGraphOutput
from allocative._render.table import MIN_WIDTH

FAILURE_INDENT = 4
"""Columns pytest puts before each line of a failure message (``E   ``)."""


def measure(obj: object, *, allocator_overhead: bool = False) -> FlameGraphOutput:
    """The flame graph of ``obj``'s tree, its root frame named after its type."""
    builder = FlameGraphBuilder(allocator_overhead=allocator_overhead)
    builder.visit_root(obj)
    return builder.finish()


def report_width() -> int:
    """The width of tables in a failure message: the terminal's, less pytest's ``E   ``."""
    return max(MIN_WIDTH, shutil.get_terminal_size().columns - FAILURE_INDENT)
