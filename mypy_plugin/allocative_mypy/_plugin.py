"""The mypy ``Plugin`` subclass: constant-time hook look-ups that hand off to the checker.

The checker (and the shared rules it reads) is imported on the first marked
class, not when mypy loads the plugin: a warm run analyses no class and pays
nothing for it. The error codes, on the other hand, must exist as soon as the
plugin loads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mypy.plugin import ClassDefContext, Plugin, ReportConfigContext

from allocative_mypy import __version__, _codes, _hooknames

ERROR_CODES = (_codes.FIELD, _codes.GENERIC, _codes.ANY, _codes.STALE, _codes.MARK)
"""Registered with mypy when the plugin loads: inline ``# mypy: disable-error-code=...``
comments are applied while files are parsed, before any hook runs."""


class AllocativePlugin(Plugin):
    """Checks classes marked ``@allocative``: measurable fields and a current method.

    The check runs in ``get_class_decorator_hook_2``, after the class body and
    every method body are analysed and placeholders are resolved. It reads the
    class body itself rather than what other plugins made of it, so decorator
    order does not matter.
    """

    def get_class_decorator_hook_2(self, fullname: str) -> Callable[[ClassDefContext], bool] | None:
        """The check for ``@allocative``; the record for ``@opaque``; nothing otherwise."""
        if fullname in _hooknames.MARKER_HOOKS:
            return check_marked_class
        if fullname in _hooknames.OPAQUE_HOOKS:
            return record_opaque_class
        return None

    def report_config_data(self, ctx: ReportConfigContext) -> Any:
        """The plugin's version: a new version invalidates mypy's cache."""
        return {"allocative_mypy": __version__}


def check_marked_class(ctx: ClassDefContext) -> bool:
    """Hand a class marked ``@allocative`` to the checker (loaded on first use)."""
    from allocative_mypy import _checker

    return _checker.check_marked_class(ctx)


def record_opaque_class(ctx: ClassDefContext) -> bool:
    """Hand a class decorated ``@opaque`` to the checker (loaded on first use)."""
    from allocative_mypy import _checker

    return _checker.record_opaque_class(ctx)
