"""Building and installing the compiled engine: in place, as a wheel, from an sdist, or not at all.

The wheels are built with ``--no-build-isolation`` (the test venv has
hatchling), so these tests need no package index.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import build_core
from allocative import _gate
from tests.test_other_pythons import INTERPRETERS, interpreter

ROOT = Path(__file__).resolve().parents[1]
SUPPORTED = _gate.RAW_READS
NO_COMPILER = {"CC": "/bin/false"}
ENGINE_SCRIPT = (
    "import sys, allocative._core as c; print(c.__file__, c.ABI == sys.version_info[:2])"
)
PURE_SCRIPT = "import allocative; print(allocative.engine().reason); print(allocative.size_of([]))"


def run(command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in the repository with ``env`` added to the environment."""
    full_env = {**os.environ, **env}
    return subprocess.run(
        command, cwd=ROOT, env=full_env, capture_output=True, text=True, check=False
    )


def wheel(folder: Path, **env: str) -> tuple[Path, str]:
    """Build the project's wheel into ``folder``: its path and the build's output."""
    command = [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation"]
    result = run([*command, "-w", str(folder), "."], **env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (built,) = folder.glob("*.whl")
    return built, result.stdout + result.stderr


def run_installed(wheel_file: Path, target: Path, script: str) -> str:
    """Install ``wheel_file`` into ``target`` and run ``script`` with only it (no site-packages)."""
    install = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index"]
    installed = run([*install, "--target", str(target), str(wheel_file)])
    assert installed.returncode == 0, installed.stderr
    result = subprocess.run(
        [sys.executable, "-S", "-c", script],
        cwd=target,
        env={**os.environ, "PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def compiler_works(tmp_path: Path) -> bool:
    try:
        build_core.probe(tmp_path)
    except build_core.Skipped:
        return False
    return True


@pytest.fixture
def buildable(tmp_path: Path) -> None:
    """Skip where the extension cannot be built: another interpreter, or no compiler."""
    if not SUPPORTED:
        pytest.skip(_gate.REFUSAL)
    if not compiler_works(tmp_path):
        pytest.skip("no working C compiler here")


@pytest.mark.usefixtures("buildable")
def test_setup_built_the_engine_in_place() -> None:
    """Where a compiler works, ``make setup`` leaves the extension beside the sources, current."""
    target = build_core.PACKAGE / build_core.extension_name()
    assert build_core.is_current(target)
    result = run([sys.executable, "-c", ENGINE_SCRIPT])
    assert result.stdout.split() == [str(target), "True"]


@pytest.mark.usefixtures("buildable")
def test_stub_matches_the_extension() -> None:
    """``_core.pyi`` declares exactly what the compiled module has (mypy's stubtest)."""
    result = run([sys.executable, "-m", "mypy.stubtest", "allocative._core"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_constants_header_is_current() -> None:
    """``_core_src/constants.h`` holds exactly what ``allocative/_constants.py`` says."""
    assert build_core.CONSTANTS_HEADER.read_text() == build_core.constants_header()


RETURNS = {
    "measure": ([1.5],),
    "bookkeeping": (),
    "finish": (),
    "_mark": (),
    "_open_depth": (),
    "_claimed_since": (0,),
    "_is_new": ([2.5], set()),
}
"""Methods of ``_core.Engine`` called with these arguments in the return-type check."""


@pytest.mark.usefixtures("buildable")
@pytest.mark.parametrize("method", list(RETURNS))
def test_stub_return_types_match(method: str) -> None:
    """What each method returns has the type ``_core.pyi`` declares (stubtest checks
    signatures only)."""
    import ast
    import builtins
    import typing

    from allocative import _core

    stub = ast.parse((build_core.PACKAGE / "_core.pyi").read_text())
    engine = next(n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == "Engine")
    declared = next(n for n in engine.body if isinstance(n, ast.FunctionDef) and n.name == method)
    assert declared.returns is not None
    names = {"FrameTree": _core.FrameTree, **vars(builtins)}
    annotation = eval(ast.unparse(declared.returns), names)  # the project's own stub
    expected = typing.get_origin(annotation) or annotation
    result = getattr(_core.Engine(frames=method == "finish"), method)(*RETURNS[method])
    assert isinstance(result, expected)
    if expected is tuple:
        tree, warnings = result
        assert isinstance(tree, _core.FrameTree)
        assert isinstance(warnings, list)
    if expected is dict:
        assert all(type(key) is str and type(value) is int for key, value in result.items())


@pytest.mark.usefixtures("buildable")
def test_wheel_carries_the_engine_with_a_platform_tag(tmp_path: Path) -> None:
    """``pip wheel .`` gives a CPython wheel with this interpreter's extension and no C sources."""
    built, _ = wheel(tmp_path / "wheel")
    tag = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    assert built.name.startswith(f"allocative-0.1.0-{tag}-{tag}-")
    names = zipfile.ZipFile(built).namelist()
    assert [name for name in names if "_core" in name] == [
        "allocative/_core.pyi",
        f"allocative/{build_core.extension_name()}",
    ]
    out = run_installed(built, tmp_path / "site", ENGINE_SCRIPT)
    assert out.split() == [
        str(tmp_path / "site" / "allocative" / build_core.extension_name()),
        "True",
    ]


def test_wheel_without_a_compiler_is_pure_and_says_why(tmp_path: Path) -> None:
    """With no working compiler the wheel builds, pure Python, and the build prints one notice."""
    built, output = wheel(tmp_path / "wheel", **NO_COMPILER)
    assert built.name == "allocative-0.1.0-py3-none-any.whl"
    assert not [name for name in zipfile.ZipFile(built).namelist() if name.endswith(".so")]
    notices = [line.strip() for line in output.splitlines() if "allocative: the" in line]
    if SUPPORTED:
        assert notices == [build_core.notice("no working C compiler: /bin/false")]
    reason, size = run_installed(built, tmp_path / "site", PURE_SCRIPT).splitlines()
    assert reason.startswith("the compiled engine") and int(size) > 0


@pytest.mark.usefixtures("buildable")
def test_sdist_builds_the_engine(tmp_path: Path) -> None:
    """The sdist holds what the build needs: a wheel built from it carries the extension."""
    result = run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path)])
    assert result.returncode == 0, result.stdout + result.stderr
    (sdist,) = tmp_path.glob("*.tar.gz")
    command = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    built = run([*command, "-w", str(tmp_path / "wheel"), str(sdist)])
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel_file,) = (tmp_path / "wheel").glob("*.whl")
    assert f"allocative/{build_core.extension_name()}" in zipfile.ZipFile(wheel_file).namelist()


def test_no_compiler_builds_nothing_and_prints_one_line(tmp_path: Path) -> None:
    """``build_core.py`` without a working compiler exits 0, builds nothing, prints one notice."""
    result = run([sys.executable, "build_core.py", "--out", str(tmp_path)], **NO_COMPILER)
    assert result.returncode == 0
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("allocative: the compiled engine is not built (")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("buildable")
@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("int broken(void) { return }\n", "error: expected expression"),
        ("int warns(void) { int unused; return 0; }\n", "-Werror=unused-variable"),
    ],
    ids=["error", "warning"],
)
def test_sources_that_do_not_compile_fail_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, message: str
) -> None:
    """A working compiler that rejects the sources fails the build: warnings are errors too."""
    sources = tmp_path / "src"
    sources.mkdir()
    (sources / "bad.c").write_text(source)
    monkeypatch.setattr(build_core, "SOURCES", sources)
    with pytest.raises(build_core.Failed, match=message):
        build_core.build(tmp_path / "out")
    assert not list((tmp_path / "out").iterdir())


def test_build_can_be_turned_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``ALLOCATIVE_BUILD_CORE=0`` skips the build, whatever the compiler."""
    monkeypatch.setenv(build_core.SKIP_ENV, "0")
    with pytest.raises(build_core.Skipped, match="ALLOCATIVE_BUILD_CORE=0"):
        build_core.build(tmp_path)


def test_a_changed_source_makes_the_extension_stale(tmp_path: Path) -> None:
    """The in-place build is redone when any source is newer than the extension."""
    target = tmp_path / "ext.so"
    target.touch()
    newest = max(path.stat().st_mtime for path in build_core.inputs())
    os.utime(target, (newest + 1, newest + 1))
    assert build_core.is_current(target)
    os.utime(target, (newest - 1, newest - 1))
    assert not build_core.is_current(target)


LOAD_SCRIPT = """
import importlib.machinery, importlib.util, os, sys
if sys.argv[2] == "lazy":
    sys.setdlopenflags(os.RTLD_LAZY)
loader = importlib.machinery.ExtensionFileLoader("allocative._core", sys.argv[1])
spec = importlib.util.spec_from_file_location("allocative._core", sys.argv[1], loader=loader)
try:
    loader.exec_module(importlib.util.module_from_spec(spec))
except ImportError as error:
    print(error)
else:
    print("loaded")
"""


@pytest.mark.usefixtures("buildable")
def test_extension_refuses_another_python(tmp_path: Path) -> None:
    """An extension built for another Python never loads here.

    The dynamic loader usually refuses it first (a symbol of the newer C API is
    missing); where it does not, the extension's own check does, naming both versions.
    Lazy symbol binding lets the load reach that check, so both refusals are tested.
    """
    here = "{}.{}".format(*sys.version_info[:2])
    others = [minor for minor in INTERPRETERS if minor != here and interpreter(minor)]
    if not others:
        pytest.skip("no other Python to build with on this machine")
    other = others[0]
    env = {"PYENV_VERSION": INTERPRETERS[other]}
    built = run([str(interpreter(other)), "build_core.py", "--out", str(tmp_path)], **env)
    assert built.returncode == 0, built.stderr
    (path,) = tmp_path.glob("_core.*")
    eager = run([sys.executable, "-c", LOAD_SCRIPT, str(path), "eager"])
    assert eager.returncode == 0, eager.stderr
    refusal = f"allocative._core was built for Python {other}, not {here}\n"
    assert eager.stdout == refusal or "undefined symbol" in eager.stdout
    lazy = run([sys.executable, "-c", LOAD_SCRIPT, str(path), "lazy"])
    assert lazy.returncode == 0, lazy.stderr
    assert lazy.stdout == refusal
