"""Helpers for the runtime's tests: each engine in turn, and trees built under ``tracemalloc``.

The ``engine`` fixture runs every test once per engine; a module whose tests
are not measurements runs them once with ``engine = pytest.fixture(one_engine)``.

Free lists (float, tuple, list, dict, dict keys; numpy's dimension cache)
hand out memory that was allocated before tracing started, so an object taken
from one is invisible to ``tracemalloc``. :func:`traced` drains them first and
clears the ones the build refilled before it reads the count, so an exact
comparison with :func:`allocative.size_of` is meaningful.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest

from allocative import _engine, _gate

T = TypeVar("T")

PY = sys.version_info[:2]
"""The running interpreter's ``(major, minor)``, the key of per-version figures."""

WARM_INSTANCES = 64
"""Instances after which a class's shared keys have settled (about 28 are needed)."""

_NUMPY_DIM_CACHE = 8
"""numpy keeps up to 7 freed ``dims`` arrays per rank for reuse."""


def by_version(figures: dict[tuple[int, int], T]) -> T:
    """The figure pinned for the running Python version."""
    return figures[PY]


def drain_free_lists() -> list[Any]:
    """Empty the interpreter's free lists and numpy's dimension cache; keep what it returns.

    A full collection frees the float, tuple, list, dict and dict-keys free lists
    on 3.11, 3.12 and 3.13. numpy's cache of small ``dims`` arrays is emptied by
    allocating arrays of each small rank: hold them until tracing ends.
    """
    held = _numpy_dims()
    gc.collect()  # last: the helper's temporaries went back to the free lists
    return held


def _numpy_dims() -> list[Any]:
    numpy = sys.modules.get("numpy")
    if numpy is None:
        return []
    shapes = [(1,) * rank for rank in range(1, 8)]
    return [numpy.empty(shape) for shape in shapes for _ in range(_NUMPY_DIM_CACHE)]


@contextmanager
def tracing(domain: int | None = None, *, collect: bool = True) -> Iterator[list[int]]:
    """Trace allocations in the block; the list it yields gets the bytes still held after it.

    With ``domain``, a second figure follows: the bytes held in that tracemalloc
    domain (numpy files its data buffers under its own). ``collect=False`` skips
    draining and collecting, for builds that take nothing from a free list.
    """
    result: list[int] = []
    callbacks = gc.callbacks[:]
    gc.callbacks.clear()  # Hypothesis times each collection: its callback allocates and frees
    held = drain_free_lists() if collect else []
    tracemalloc.get_traced_memory()  # leaves a 2-tuple on its free list for the reads below
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        yield result
        if collect:
            gc.collect()
        result.append(tracemalloc.get_traced_memory()[0] - before)
        if domain is not None:
            traces = tracemalloc.take_snapshot().traces
            result.append(sum(trace.size for trace in traces if trace.domain == domain))
    finally:
        tracemalloc.stop()
        gc.callbacks[:] = callbacks
        del held


def traced(build: Callable[[], T]) -> tuple[T, int]:
    """``build()`` and the bytes ``tracemalloc`` saw it allocate and keep.

    ``build`` runs once untraced first, so that one-time caches it fills (ABC
    caches of ``isinstance``, a class's shared keys, lazy imports) are not counted.
    """
    build()
    with tracing() as held:
        value = build()
    return value, held[0]


def warm(cls: type[T], *args: Any) -> list[T]:
    """Make enough instances of ``cls`` that its shared keys settle; keep them alive."""
    return [cls(*args) for _ in range(WARM_INSTANCES)]


def engine_params() -> list[Any]:
    """One ``pytest.param`` per engine that should measure on this interpreter.

    The compiled engine is left out where the gate forbids raw reads (PyPy, a
    free-threaded build, another version, ``ALLOCATIVE_RAW_READS=0``): there
    it cannot run by design. Where it should run but cannot (not built, not
    loading), its runs are skipped with the reason, so the lost coverage shows
    in the summary.
    """
    params = [pytest.param(_engine.PYTHON, id=_engine.PYTHON)]
    if _gate.RAW_READS:
        problem = _engine.compiled_unavailable()
        marks = [] if problem is None else [pytest.mark.skip(reason=f"compiled engine: {problem}")]
        params.append(pytest.param(_engine.COMPILED, id=_engine.COMPILED, marks=marks))
    return params


@pytest.fixture(params=engine_params(), autouse=True)
def engine(request: pytest.FixtureRequest) -> Iterator[_engine.Engine]:
    """Every runtime test runs once with each engine measuring (see :func:`engine_params`).

    A module whose tests are not measurements, or that compares the engines itself,
    defines its own ``engine`` fixture (:func:`one_engine`) to run once.
    """
    with _engine.forced(request.param) as forced:
        yield forced


def one_engine() -> Iterator[None]:
    """A module's ``engine`` fixture that runs its tests once, with the engine the process
    chose: ``engine = pytest.fixture(one_engine)``."""
    yield None
