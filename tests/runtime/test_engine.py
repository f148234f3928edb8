"""Which engine measures, why, how to force one, and the fixture that runs tests on each."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import allocative
from allocative import _engine, _gate
from allocative._engine import (
    COMPILED,
    PYTHON,
    Engine,
    EngineError,
    choose,
    compiled_unavailable,
    forced,
)
from tests.runtime.conftest import engine_params, one_engine

ROOT = Path(__file__).resolve().parents[2]
NOT_BUILT = "the compiled engine is not built for this interpreter (no _core.so)"

engine = pytest.fixture(one_engine)
"""Not measurements (or both engines compared within a test): each test runs once."""


@pytest.fixture
def compiled_missing(monkeypatch: pytest.MonkeyPatch) -> str:
    """The compiled engine cannot measure, for the reason returned."""
    monkeypatch.setattr(_engine, "compiled_unavailable", lambda: NOT_BUILT)
    return NOT_BUILT


@pytest.fixture
def compiled_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled engine can measure."""
    monkeypatch.setattr(_engine, "compiled_unavailable", lambda: None)


def python_output(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with ``env`` added."""
    full_env = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True
    )


def test_compiled_engine_is_preferred(compiled_ready: None) -> None:
    """Unforced, the compiled engine measures wherever it can."""
    assert choose("") == Engine(COMPILED, "built for this interpreter")


def test_python_engine_measures_where_compiled_cannot(compiled_missing: str) -> None:
    """Unforced, the pure-Python engine measures elsewhere, and the reason says why."""
    assert choose("") == Engine(PYTHON, compiled_missing, fallback=True)
    assert str(choose("")) == f"python engine: {compiled_missing}"
    assert choose("").notice == f"measured by the python engine: {compiled_missing}"
    assert choose("python").notice is None


@pytest.mark.usefixtures("compiled_ready")
def test_the_environment_forces_either_engine() -> None:
    """ALLOCATIVE_ENGINE=python or =compiled picks that engine and says so."""
    assert choose("python") == Engine(PYTHON, "ALLOCATIVE_ENGINE=python")
    assert choose("compiled") == Engine(COMPILED, "ALLOCATIVE_ENGINE=compiled")


def test_forcing_an_unavailable_compiled_engine_is_an_error(compiled_missing: str) -> None:
    """ALLOCATIVE_ENGINE=compiled where it cannot measure fails in one line naming why."""
    with pytest.raises(EngineError) as raised:
        choose("compiled")
    assert str(raised.value) == f"ALLOCATIVE_ENGINE=compiled, but {compiled_missing}"


def test_an_unknown_engine_is_an_error() -> None:
    """A value that names no engine is refused, not ignored."""
    with pytest.raises(EngineError) as raised:
        choose("fast")
    assert (
        str(raised.value) == "ALLOCATIVE_ENGINE=fast is not an engine: use 'python' or 'compiled'"
    )


def test_the_first_measurement_fails_when_the_forced_engine_is_missing() -> None:
    """In a process, ALLOCATIVE_ENGINE=compiled without the engine raises from engine()."""
    code = (
        "import sys; sys.modules['allocative._core'] = None; import allocative; allocative.engine()"
    )
    result = python_output(code, ALLOCATIVE_ENGINE="compiled")
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    reason = _gate.REFUSAL or (
        f"the compiled engine is not built for this interpreter (no _core{suffix})"
    )
    last = result.stderr.strip().splitlines()[-1]
    assert last == f"allocative._engine.EngineError: ALLOCATIVE_ENGINE=compiled, but {reason}"


def test_the_engine_loads_on_first_use_only() -> None:
    """``import allocative`` loads no engine; asking which engine loads the compiled one."""
    code = (
        "import sys, allocative\n"
        "print('allocative._engine' in sys.modules)\n"
        "allocative.engine\n"
        "print('allocative._core' in sys.modules)\n"
        "allocative.engine()\n"
        "print('allocative._core' in sys.modules)\n"
    )
    loaded = python_output(code).stdout.split()
    supported = _gate.RAW_READS
    built = supported and importlib.util.find_spec("allocative._core") is not None
    assert loaded == ["False", "False", str(built)]


def test_engine_is_public() -> None:
    """allocative.engine() names the engine and the reason; Engine and EngineError are exported."""
    assert {"engine", "Engine", "EngineError"} <= set(allocative.__all__)
    active = allocative.engine()
    assert active.name in (PYTHON, COMPILED)
    assert active.reason


def test_forced_switches_engines_within_a_block() -> None:
    """forced() sets the engine inside the block, nests, and restores it after."""
    before = _engine.engine()
    with forced(PYTHON) as outer:
        assert _engine.engine() is outer
        assert outer == Engine(PYTHON, "forced for a test")
    assert _engine.engine() == before


def test_forced_refuses_an_engine_that_cannot_measure(compiled_missing: str) -> None:
    """Forcing the compiled engine where it cannot measure fails on entry, with the reason."""
    expected = re.escape(f"forced('compiled'): {compiled_missing}")
    with pytest.raises(EngineError, match=f"^{expected}$"):
        forced(COMPILED).__enter__()
    with pytest.raises(EngineError, match="'fast' is not an engine"):
        forced("fast").__enter__()  # type: ignore[arg-type]


def test_engine_params_run_compiled_wherever_it_is_supported() -> None:
    """The fixture always runs the pure engine; the compiled one wherever it is supported."""
    ids = [param.id for param in engine_params()]
    supported = _gate.RAW_READS
    assert ids == ([PYTHON, COMPILED] if supported else [PYTHON])


@pytest.mark.parametrize("name", [PYTHON, COMPILED])
def test_forced_measures_with_that_engine(name: str) -> None:
    """Inside ``forced``, the engine that measures is the one forced, and outputs say so."""
    if name == COMPILED and compiled_unavailable() is not None:
        pytest.skip(f"compiled engine: {compiled_unavailable()}")
    with forced(name) as chosen:  # type: ignore[arg-type]
        assert allocative.engine() is chosen
        builder = allocative.FlameGraphBuilder()
        builder.visit_root([1.5])
        assert builder.finish().engine == name
    assert chosen.reason == "forced for a test"
