"""Which engine measures: the compiled one where it can, else the pure-Python one, and why;
and the one place an engine is made (:func:`new_engine`).

The choice is made at the first measurement (``import allocative`` loads no
engine) and kept for the process. ``ALLOCATIVE_ENGINE=python`` or
``=compiled`` forces one; forcing the compiled engine where it cannot measure
is an error, not a fallback. Tests measure with both engines in one process
through :func:`forced`.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Final, Literal

from allocative import _gate

if TYPE_CHECKING:
    from allocative._protocols import Engine as Measuring

ENV: Final = "ALLOCATIVE_ENGINE"
"""The environment variable that forces an engine: ``python`` or ``compiled``."""

PYTHON: Final = "python"
COMPILED: Final = "compiled"
NAMES: Final = (PYTHON, COMPILED)

MEASURES: Final = "Engine"
"""The type of ``allocative._core`` that measures. A build without it holds
building blocks only (``AddressSet``), and the pure-Python engine measures."""

EngineName = Literal["python", "compiled"]


class EngineError(Exception):
    """The engine asked for cannot measure here; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Engine:
    """The engine that measures, and why it was chosen.

    ``fallback`` is true when the compiled engine was not asked against but
    cannot measure here: measurements then say so in their warnings.
    """

    name: EngineName
    reason: str
    fallback: bool = False

    def __str__(self) -> str:
        return f"{self.name} engine: {self.reason}"

    @property
    def notice(self) -> str | None:
        """The warning a measurement by this engine carries, if any."""
        return f"measured by the python engine: {self.reason}" if self.fallback else None


_chosen: Engine | None = None
_forced: Engine | None = None


def engine() -> Engine:
    """The engine that measures in this process, and why.

    The first call reads ``ALLOCATIVE_ENGINE`` and loads the compiled engine if
    it is used. Raises :class:`EngineError` when ``ALLOCATIVE_ENGINE`` asks for
    an engine that cannot measure here.
    """
    global _chosen
    if _forced is not None:
        return _forced
    if _chosen is None:
        _chosen = choose(os.environ.get(ENV, ""))
    return _chosen


def choose(requested: str) -> Engine:
    """The engine for ``ALLOCATIVE_ENGINE=requested`` (empty: the best one available)."""
    if requested not in ("", *NAMES):
        message = f"{ENV}={requested} is not an engine: use {PYTHON!r} or {COMPILED!r}"
        raise EngineError(message)
    if requested == PYTHON:
        return Engine(PYTHON, f"{ENV}={PYTHON}")
    problem = compiled_unavailable()
    if requested == COMPILED:
        if problem is not None:
            message = f"{ENV}={COMPILED}, but {problem}"
            raise EngineError(message)
        return Engine(COMPILED, f"{ENV}={COMPILED}")
    if problem is not None:
        return Engine(PYTHON, problem, fallback=True)
    return Engine(COMPILED, "built for this interpreter")


@cache
def compiled_unavailable() -> str | None:
    """Why the compiled engine cannot measure here, or ``None`` when it can; loads it."""
    if _gate.REFUSAL:
        return _gate.REFUSAL  # the engine reads interpreter memory: only where the gate allows
    try:
        core = importlib.import_module("allocative._core")
    except ImportError as error:
        if error.name == "allocative._core":
            suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
            return f"the compiled engine is not built for this interpreter (no _core{suffix})"
        return f"allocative._core does not load: {error}"
    if not hasattr(core, MEASURES):
        return "the compiled engine is not written yet: allocative._core has building blocks only"
    return None


@contextmanager
def forced(name: EngineName) -> Iterator[Engine]:
    """Measure with engine ``name`` inside the block, whatever was chosen (for tests).

    Raises :class:`EngineError` on entry when that engine cannot measure here.
    """
    global _forced
    if name not in NAMES:
        message = f"{name!r} is not an engine: use {PYTHON!r} or {COMPILED!r}"
        raise EngineError(message)
    problem = compiled_unavailable() if name == COMPILED else None
    if problem is not None:
        message = f"forced({COMPILED!r}): {problem}"
        raise EngineError(message)
    previous = _forced
    _forced = Engine(name, "forced for a test")
    try:
        yield _forced
    finally:
        _forced = previous


def new_engine(
    *,
    frames: bool = False,
    allocator_overhead: bool = False,
    max_depth: int | None = None,
    references: bool = False,
) -> Measuring:
    """A new engine of the kind :func:`engine` chose: a flame graph's (``frames``) or a
    total's, counting references met for retained size (``references``)."""
    from allocative import _registry
    from allocative._walk import DEFAULT_MAX_DEPTH

    depth = DEFAULT_MAX_DEPTH if max_depth is None else max_depth
    if engine().name == COMPILED:
        from allocative import _core

        return _core.Engine(
            frames=frames,
            allocator_overhead=allocator_overhead,
            max_depth=depth,
            custom=_registry.snapshot(),
            references=references,
        )
    from allocative._visitor import PythonEngine

    return PythonEngine(
        frames=frames, allocator_overhead=allocator_overhead, max_depth=depth, references=references
    )
