"""The runtime's accuracy and compiled-code tests pass under Python 3.12 and 3.13 too.

Each interpreter gets its own virtual environment beside the main one
(``.venv-3.12``, ``.venv-3.13``) with pytest, Hypothesis and numpy; the runtime itself has
no dependencies and is put on ``PYTHONPATH``, so nothing else is installed.
Each interpreter builds its own ``allocative._core`` in place (the file names
carry the version, so they sit side by side), rebuilt when the sources change.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INTERPRETERS = {"3.12": "3.12.1", "3.13": "3.13.0"}
"""``minor: pyenv version`` of each other interpreter the machines have."""
PACKAGES = ("pytest", "hypothesis", "numpy")
READY = ".installed"
"""A file written into a venv once its packages are installed; it lists them."""


def run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in the repository, capturing its output."""
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def interpreter(minor: str) -> str | None:
    """The ``python3.x`` executable for ``minor``, or ``None`` when it cannot run here."""
    executable = shutil.which(f"python{minor}")
    if executable is None:
        return None
    env = dict(os.environ, PYENV_VERSION=INTERPRETERS[minor])
    probe = run([executable, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], env)
    if probe.returncode != 0 or probe.stdout.strip() != minor:
        return None
    return executable


def venv_python(minor: str, executable: str) -> Path:
    """The venv's python for ``minor``, creating the venv and installing ``PACKAGES``."""
    venv = ROOT / f".venv-{minor}"
    python = venv / "bin" / "python"
    ready = venv / READY
    if ready.exists() and ready.read_text().split() == list(PACKAGES):
        return python
    env = dict(os.environ, PYENV_VERSION=INTERPRETERS[minor])
    for command in (
        [executable, "-m", "venv", str(venv)],
        [str(python), "-m", "pip", "install", "-q", *PACKAGES],
    ):
        checked(run(command, env), command)
    ready.write_text(" ".join(PACKAGES) + "\n")
    return python


def checked(result: subprocess.CompletedProcess[str], command: list[str]) -> None:
    """Fail the test with ``command``'s output unless it succeeded."""
    if result.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")


@pytest.mark.skipif(sys.platform == "win32", reason="venv layout and pyenv are POSIX here")
@pytest.mark.parametrize("minor", list(INTERPRETERS))
def test_accuracy_tests_pass_under(minor: str) -> None:
    """``pytest tests/runtime -m "accuracy or native"`` passes under Python ``minor``."""
    executable = interpreter(minor)
    if executable is None:
        pytest.skip(f"python{minor} (pyenv {INTERPRETERS[minor]}) is not installed on this machine")
    python = venv_python(minor, executable)
    env = {key: value for key, value in os.environ.items() if key != "PYENV_VERSION"}
    build = [str(python), "build_core.py"]
    checked(run(build, env), build)
    env["PYTHONPATH"] = str(ROOT / "runtime")
    command = [str(python), "-m", "pytest", "tests/runtime", "-m", "accuracy or native", "-q"]
    result = run([*command, "-p", "no:cacheprovider"], env)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
