"""The packages pass ruff and mypy --strict, with the project's own plugin where it exists."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PACKAGES = ["runtime/allocative", "allocative_gen", "mypy_plugin/allocative_mypy"]
BUILD_FILES = ["build_core.py", "hatch_build.py"]


def existing(*paths: str) -> list[str]:
    return [path for path in paths if (ROOT / path).exists()]


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_check_is_clean() -> None:
    """ruff finds nothing in the packages, tests, examples and benchmarks."""
    paths = existing(*PACKAGES, "tests", "examples", "benchmarks", *BUILD_FILES)
    result = run(str(BIN / "ruff"), "check", *paths)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    """The code is formatted as ruff format would write it."""
    paths = existing(*PACKAGES, "tests", "examples", "benchmarks", *BUILD_FILES)
    result = run(str(BIN / "ruff"), "format", "--check", *paths)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    """mypy --strict, with the allocative_mypy plugin, passes on the packages, examples, build."""
    result = run(str(BIN / "python"), "-m", "mypy", "--strict", *PACKAGES, "examples", *BUILD_FILES)
    assert result.returncode == 0, result.stdout + result.stderr
