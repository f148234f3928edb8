"""allocative-gen: writes the ``__allocative__`` method of every class marked ``@allocative``.

Importing this package is light: :mod:`allocative_gen.rules` (the field rules the
mypy plugin shares) needs neither libcst nor jinja2; the generator itself loads
on first use of :func:`generate` or :func:`main`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from allocative_gen.cli import main
    from allocative_gen.edit import generate

__all__ = ["generate", "main"]

_LAZY = {"generate": "allocative_gen.edit", "main": "allocative_gen.cli"}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        message = f"module 'allocative_gen' has no attribute {name!r}"
        raise AttributeError(message)
    import importlib

    return getattr(importlib.import_module(module_name), name)
