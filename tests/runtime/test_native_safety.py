"""Compiled code under memory checkers: the ``native`` tests pass with each.

``PYTHONMALLOC=debug`` pads every block and checks the pads when it is freed
or resized, and catches frees through the wrong allocator; ``-X dev`` adds
more runtime checks and shows warnings. AddressSanitizer (``tests/asan.py``)
catches reads and writes outside any block, with a stack trace.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import asan

ROOT = Path(__file__).resolve().parents[2]
NATIVE = ["tests/runtime", "-m", "native", "-p", "no:cacheprovider"]
"""pytest arguments selecting the tests of compiled code."""

pytest.importorskip("allocative._core", reason="the compiled engine is not built here")


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def test_native_tests_pass_under_debug_allocators_and_dev_mode() -> None:
    """``pytest -m native`` passes with ``PYTHONMALLOC=debug`` and ``-X dev``."""
    env = dict(os.environ, PYTHONMALLOC="debug")
    command = [sys.executable, "-X", "dev", "-m", "pytest", "--capture=sys", *NATIVE]
    result = run(command, env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[:5000]
    assert " passed" in result.stdout


@pytest.mark.skipif(asan.libasan() is None, reason="the C compiler has no AddressSanitizer")
def test_native_tests_pass_under_address_sanitizer() -> None:
    """``python -m tests.asan -m native`` finds no ASan error and the tests pass."""
    result = run([sys.executable, "-m", "tests.asan", *NATIVE], dict(os.environ))
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    assert result.stdout.splitlines()[-1] == asan.verdict(0)
