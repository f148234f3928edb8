"""allocative: where the bytes of a Python object tree go, object by object and field by field.

Importing this package is cheap: only the marker decorator and field options
load eagerly. The measuring machinery loads on first use of a name that needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allocative._marker import allocative, opaque, skip, visit_with

if TYPE_CHECKING:
    from allocative._api import FlameGraphBuilder, FlameGraphOutput, retained_size, size_of
    from allocative._engine import Engine, EngineError, engine
    from allocative._flamegraph import FlameGraph
    from allocative._protocols import Allocative, Visitor
    from allocative._registry import register, register_root, unregister_root
    from allocative._render.errors import EmptyGraph, MalformedFolded, RenderError
    from allocative._retained import ChangedWhileMeasured, RetainedSizeUnavailable

__all__ = [
    "Allocative",
    "ChangedWhileMeasured",
    "EmptyGraph",
    "Engine",
    "EngineError",
    "FlameGraph",
    "FlameGraphBuilder",
    "FlameGraphOutput",
    "MalformedFolded",
    "RenderError",
    "RetainedSizeUnavailable",
    "Visitor",
    "allocative",
    "engine",
    "opaque",
    "register",
    "register_root",
    "retained_size",
    "size_of",
    "skip",
    "unregister_root",
    "visit_with",
]

_LAZY = {
    "Allocative": "allocative._protocols",
    "ChangedWhileMeasured": "allocative._retained",
    "EmptyGraph": "allocative._render.errors",
    "Engine": "allocative._engine",
    "EngineError": "allocative._engine",
    "FlameGraph": "allocative._flamegraph",
    "FlameGraphBuilder": "allocative._api",
    "FlameGraphOutput": "allocative._api",
    "MalformedFolded": "allocative._render.errors",
    "RenderError": "allocative._render.errors",
    "RetainedSizeUnavailable": "allocative._retained",
    "Visitor": "allocative._protocols",
    "engine": "allocative._engine",
    "register": "allocative._registry",
    "register_root": "allocative._registry",
    "retained_size": "allocative._api",
    "size_of": "allocative._api",
    "unregister_root": "allocative._registry",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        message = f"module 'allocative' has no attribute {name!r}"
        raise AttributeError(message)
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
