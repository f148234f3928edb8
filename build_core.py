"""Compile ``allocative._core``, the compiled measuring engine, with the machine's C compiler.

The wheel build (``hatch_build.py``) uses this module, and so do ``make build``
and the test suite (other Pythons, AddressSanitizer), run as a script:

    python build_core.py              build in place beside the sources if they changed
    python build_core.py --force      build in place even if it looks current
    python build_core.py --out DIR    build into DIR

The extension is built with the interpreter that runs this, for that
interpreter. Where it cannot be built (an interpreter the engine does not
support, no working C compiler, ``ALLOCATIVE_BUILD_CORE=0``) nothing is
built and one notice says why: the pure-Python engine measures there. Sources
that do not compile with a working compiler are an error, never a silent
fallback. Only the standard library is used: this runs inside build
environments and under every supported Python.
"""

from __future__ import annotations

import argparse
import os
import runpy
import shlex
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent
PACKAGE: Final = ROOT / "runtime" / "allocative"
SOURCES: Final = PACKAGE / "_core_src"
MODULE: Final = "_core"
SKIP_ENV: Final = "ALLOCATIVE_BUILD_CORE"
"""``ALLOCATIVE_BUILD_CORE=0`` installs without the compiled engine."""

WARNINGS: Final = ("-Wall", "-Wextra", "-Werror")
RELEASE: Final = ("-std=c11", "-O2", "-fPIC", "-fvisibility=hidden", "-DNDEBUG", *WARNINGS)
ADDRESS_SANITIZER: Final = (
    "-std=c11",
    "-O1",
    "-g",
    "-fPIC",
    "-fvisibility=hidden",
    "-fsanitize=address",
    "-fno-omit-frame-pointer",
    *WARNINGS,
)
"""Flags of a build for AddressSanitizer: assertions on, frames kept for readable reports."""

PROBE: Final = "#include <Python.h>\nint allocative_probe(void) { return 0; }\n"


class Skipped(Exception):
    """The extension is not built here; the message says why."""


class Failed(Exception):
    """The sources did not compile or link with a working compiler; the message has its output."""


def notice(reason: str) -> str:
    """The one line a build prints when it leaves the compiled engine out."""
    pure = "the pure-Python engine will measure"
    return f"allocative: the compiled engine is not built ({reason}); {pure}"


def failure(failed: Failed) -> str:
    """What a build prints when the sources do not compile: the compiler's output, the way out."""
    return (
        f"{failed}\nallocative: building the compiled engine failed;"
        f" {SKIP_ENV}=0 installs without it"
    )


def extension_name() -> str:
    """The extension's file name for this interpreter: ``_core.cpython-311-x86_64-linux-gnu.so``."""
    return MODULE + str(sysconfig.get_config_var("EXT_SUFFIX"))


def sources() -> list[Path]:
    """The C files compiled into the extension."""
    return sorted(SOURCES.glob("*.c"))


def inputs() -> list[Path]:
    """Every file whose change calls for a rebuild."""
    return [*sources(), *SOURCES.glob("*.h"), Path(__file__).resolve()]


def compiler() -> list[str]:
    """The C compiler command: ``$CC``, else the one this Python was built with."""
    return shlex.split(os.environ.get("CC") or str(sysconfig.get_config_var("CC") or "cc"))


def include_flags() -> list[str]:
    """``-I`` flags for this interpreter's headers."""
    paths = dict.fromkeys(sysconfig.get_path(name) for name in ("include", "platinclude"))
    return [f"-I{path}" for path in paths]


def user_flags(name: str) -> list[str]:
    """Extra flags from the environment (``CFLAGS``, ``LDFLAGS``), as distutils honours them."""
    return shlex.split(os.environ.get(name, ""))


def skip_reason() -> str | None:
    """Why the extension is not to be built here, short of trying the compiler, or ``None``."""
    if os.environ.get(SKIP_ENV, "1") == "0":
        return f"{SKIP_ENV}=0"
    gate = runpy.run_path(str(PACKAGE / "_gate.py"))  # by path: the package is not importable here
    untested: str = gate["untested_interpreter"]()
    return untested or None


def run(command: Sequence[str]) -> subprocess.CompletedProcess[str] | str:
    """Run a compiler command: its completed process, or why it could not start."""
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        return f"{command[0]}: {error.strerror}"


def probe(scratch: Path) -> None:
    """Raise :class:`Skipped` unless the compiler builds a shared object against Python.h."""
    source = scratch / "probe.c"
    source.write_text(PROBE)
    commands = (
        [*compiler(), "-fPIC", *include_flags(), "-c", str(source), "-o", str(scratch / "probe.o")],
        [*compiler(), "-shared", str(scratch / "probe.o"), "-o", str(scratch / "probe.so")],
    )
    for command in commands:
        result = run(command)
        if isinstance(result, str):
            raise Skipped(f"no working C compiler: {result}")
        if result.returncode != 0:
            first = (result.stderr or result.stdout).strip().splitlines()[:1]
            raise Skipped(f"no working C compiler: {' '.join(command[:1] + first)}")


def checked(result: subprocess.CompletedProcess[str] | str, command: Sequence[str]) -> None:
    """Raise :class:`Failed` with the compiler's output unless ``result`` succeeded."""
    if isinstance(result, str):
        raise Failed(result)
    if result.returncode != 0:
        message = f"{shlex.join(command)}\n{result.stdout}{result.stderr}"
        raise Failed(message)


def compile_all(scratch: Path, cflags: Sequence[str]) -> list[Path]:
    """Compile every source to an object file in ``scratch``, in parallel."""
    base = [*compiler(), *cflags, *include_flags(), *user_flags("CFLAGS")]
    commands = [[*base, "-c", str(c), "-o", str(scratch / f"{c.stem}.o")] for c in sources()]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        results = list(pool.map(run, commands))
    for result, command in zip(results, commands, strict=True):
        checked(result, command)
    return [Path(command[-1]) for command in commands]


def build(destination: Path, cflags: Sequence[str] = RELEASE) -> Path:
    """Compile the extension into ``destination`` and return its path.

    Raises :class:`Skipped` where it is not to be built, :class:`Failed` when
    the sources do not compile. The file is replaced atomically, so a process
    that has the old one loaded is not disturbed.
    """
    reason = skip_reason()
    if reason is not None:
        raise Skipped(reason)
    destination.mkdir(parents=True, exist_ok=True)
    target = destination / extension_name()
    with tempfile.TemporaryDirectory(prefix="allocative-build-") as scratch:
        probe(Path(scratch))
        objects = compile_all(Path(scratch), cflags)
        partial = destination / f".{target.name}.{os.getpid()}.tmp"
        extra = [flag for flag in cflags if flag.startswith("-fsanitize")]
        command = [*compiler(), "-shared", *extra, *map(str, objects), "-o", str(partial)]
        checked(run([*command, *user_flags("LDFLAGS")]), command)
        os.replace(partial, target)
    return target


def is_current(target: Path) -> bool:
    """Whether ``target`` exists and is newer than every input of the build."""
    if not target.exists():
        return False
    built = target.stat().st_mtime
    return all(path.stat().st_mtime <= built for path in inputs())


def build_in_place(*, force: bool = False) -> Path:
    """Build beside the Python sources (the editable install's extension) unless it is current.

    Where it is not built, an extension left from earlier sources is removed:
    a stale engine must not measure.
    """
    target = PACKAGE / extension_name()
    if not force and is_current(target):
        return target
    try:
        return build(PACKAGE)
    except Skipped:
        target.unlink(missing_ok=True)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Build the extension; print one notice where it is not built."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if current")
    parser.add_argument("--out", type=Path, help="build into this folder, not in place")
    parser.add_argument("--asan", action="store_true", help="build for AddressSanitizer")
    args = parser.parse_args(argv)
    cflags = ADDRESS_SANITIZER if args.asan else RELEASE
    try:
        if args.out is not None:
            build(args.out, cflags)
        elif args.asan:
            parser.error("--asan needs --out: an in-place build is the release one")
        else:
            build_in_place(force=args.force)
    except Skipped as skipped:
        print(notice(str(skipped)), file=sys.stderr)
    except Failed as failed:
        print(failure(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
