"""The decorator names the plugin's hooks answer to, without importing anything.

mypy asks the plugin about every decorator it meets, also in warm runs where
no class is analysed; this module lets ``_plugin`` answer without loading the
checker. mypy passes the defining full name (``allocative._marker.X``), the
public spelling is listed too.
"""

from __future__ import annotations

from typing import Final

MARKER_HOOKS: Final = frozenset({"allocative.allocative", "allocative._marker.allocative"})
OPAQUE_HOOKS: Final = frozenset({"allocative.opaque", "allocative._marker.opaque"})
