"""Names only the plugin needs; those it shares with the generator are in ``allocative_gen.rules``.

Names are compared in the rules' canonical spelling (``rules.canonical``):
``typing_extensions.X`` is ``typing.X`` and the runtime's defining module
``allocative._marker`` is the public ``allocative``.
"""

from __future__ import annotations

from typing import Final

METADATA_KEY: Final = "allocative"
"""The key of the plugin's facts in ``TypeInfo.metadata`` (kept in mypy's cache)."""

INIT: Final = "__init__"
