"""allocative_mypy: the mypy plugin that checks classes marked ``@allocative``.

Enable it with ``plugins = allocative_mypy`` in the mypy configuration. This
module stays light: mypy imports it at start-up, and the checker loads only
when mypy asks for the plugin class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy.plugin import Plugin

__all__ = ["__version__", "plugin"]

__version__ = "0.4.0"
"""Bumped whenever a check changes, so that mypy's cache is invalidated."""


def plugin(version: str) -> type[Plugin]:
    """The entry point mypy calls with its own version: returns the plugin class."""
    from allocative_mypy._plugin import AllocativePlugin

    return AllocativePlugin
