"""Run tests with the compiled engine built for AddressSanitizer.

    python -m tests.asan [pytest arguments]        (default: tests/runtime)

``allocative._core`` is built with ``-fsanitize=address`` into a temporary
copy of the runtime, which goes first on ``PYTHONPATH``; pytest then runs with
libasan preloaded and ``PYTHONMALLOC=malloc``, so that every Python object is
a block ASan watches, not a slice of a pymalloc arena. Leak detection is off:
CPython leaves memory behind at exit by design. The last line says whether
ASan reported an error; the exit status is pytest's, or 86 for an ASan error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import build_core

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ARGS = ("tests/runtime",)
ASAN_EXIT = 86
"""The exit status ASan is told to use, so its errors stand apart from failing tests."""

CHECK_LOADED = "import allocative, allocative._core as c; print(allocative.__file__, c.__file__)"


def libasan() -> str | None:
    """The path of the compiler's libasan, or ``None`` when it has none."""
    command = [*build_core.compiler(), "-print-file-name=libasan.so"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError:
        return None
    path = result.stdout.strip()
    return path if result.returncode == 0 and os.path.isabs(path) else None


def sanitized_runtime(folder: Path) -> Path:
    """Copy the runtime into ``folder`` with ``_core`` built for ASan; the folder to import from."""
    package = folder / "allocative"
    ignore = shutil.ignore_patterns("_core.*.so", "__pycache__", "_core_src")
    shutil.copytree(build_core.PACKAGE, package, ignore=ignore)
    build_core.build(package, build_core.ADDRESS_SANITIZER)
    return folder


def environment(runtime: Path, library: str) -> dict[str, str]:
    """The environment of a run under ASan, importing ``allocative`` from ``runtime``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(runtime), env.get("PYTHONPATH")]))
    env["LD_PRELOAD"] = library
    env["PYTHONMALLOC"] = "malloc"
    options = f"detect_leaks=0:exitcode={ASAN_EXIT}"
    env["ASAN_OPTIONS"] = ":".join(filter(None, [options, env.get("ASAN_OPTIONS")]))
    return env


def verdict(status: int) -> str:
    """The closing line for pytest's exit ``status`` under ASan."""
    if status == 0:
        return "asan: clean: no AddressSanitizer error, and the tests passed"
    if status == ASAN_EXIT:
        return "asan: AddressSanitizer reported an error (its report is above)"
    return f"asan: no AddressSanitizer error, but pytest exited with status {status}"


def main(argv: Sequence[str]) -> int:
    """Build the sanitized engine, run pytest with ``argv`` (or the runtime tests) under ASan."""
    library = libasan()
    if library is None:
        print("asan: the C compiler has no libasan.so: cannot run under ASan", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="allocative-asan-") as scratch:
        try:
            runtime = sanitized_runtime(Path(scratch))
        except (build_core.Skipped, build_core.Failed) as error:
            print(f"asan: cannot build the sanitized engine: {error}", file=sys.stderr)
            return 2
        env = environment(runtime, library)
        loaded = subprocess.run(
            [sys.executable, "-c", CHECK_LOADED], env=env, capture_output=True, text=True
        )
        print(f"asan: runtime and engine loaded from {loaded.stdout.strip() or loaded.stderr}")
        if loaded.returncode != 0 or not loaded.stdout.startswith(scratch):
            print("asan: the sanitized engine is not what the tests would import", file=sys.stderr)
            return 2
        pytest = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--capture=sys"]
        command = [*pytest, *(argv or DEFAULT_ARGS)]
        status = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    print(verdict(status))
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
