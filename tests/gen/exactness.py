"""Helpers that load generated and reflective twins of a class and measure both."""

from __future__ import annotations

import sys
import types
from itertools import count
from typing import Any

from tests.gen.helpers import generated

_NAMES = count()


def load(code: str) -> types.ModuleType:
    """Execute ``code`` as a fresh module registered in sys.modules."""
    name = f"_allocative_gen_case_{next(_NAMES)}"
    module = types.ModuleType(name)
    sys.modules[name] = module
    exec(compile(code, f"<{name}>", "exec"), module.__dict__)
    return module


def twins(code: str) -> tuple[types.ModuleType, types.ModuleType]:
    """The module generated from ``code`` and the module of ``code`` as written (no methods)."""
    assert "__allocative__" not in code
    return load(generated(code)), load(code)


def build(module: types.ModuleType, class_name: str, values: dict[str, Any]) -> Any:
    """An instance of ``class_name`` whose fields hold ``values``, set field by field."""
    cls = getattr(module, class_name)
    instance = cls.__new__(cls)
    for name, value in values.items():
        object.__setattr__(instance, name, value)
    return instance
