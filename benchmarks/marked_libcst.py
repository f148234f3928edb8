"""A copy of the installed libcst whose node classes are marked ``@allocative`` and generated.

libcst's parser (compiled Rust) builds its tree by calling the node classes of
the ``libcst`` package it is loaded from, so a copy of the package with every
concrete node class marked and ``allocative-gen`` run on it parses real code
into a tree of generated classes. Nothing of the copy is kept in the
repository: it is built here, into ``.cache/trees/`` at the repository root,
and rebuilt whenever libcst, the generator or this file changes.

The concrete node classes are the ones libcst declares ``@add_slots`` and
``@dataclass(frozen=True)`` in ``libcst/_nodes/`` (172 in libcst 1.9); the
abstract bases between them and ``CSTNode`` hold no fields.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

CACHE = Path(__file__).resolve().parents[1] / ".cache" / "trees"
IMPORT_LINE = "from allocative import allocative\n"


class CopyError(Exception):
    """The marked copy could not be built."""


def _package_dir(name: str) -> Path:
    """Where an installed package lives, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        message = f"package {name!r} is not installed"
        raise CopyError(message)
    return Path(next(iter(spec.submodule_search_locations)))


def _cache_key() -> str:
    """libcst's version, this interpreter, the generator's sources and this file, hashed."""
    digest = hashlib.sha256()
    digest.update(importlib.metadata.version("libcst").encode())
    digest.update(sys.version.encode())
    digest.update(Path(__file__).read_bytes())
    generator = _package_dir("allocative_gen")
    for path in sorted(generator.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".jinja", ".j2"):
            digest.update(path.relative_to(generator).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _is_node_class(node: ast.ClassDef) -> bool:
    """``@add_slots`` and ``@dataclass(frozen=True)``: the classes whose instances form the tree."""
    names = set()
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Name):
            names.add(target.id)
        frozen = isinstance(decorator, ast.Call) and any(
            k.arg == "frozen" and isinstance(k.value, ast.Constant) and k.value.value is True
            for k in decorator.keywords
        )
        if frozen and isinstance(target, ast.Name) and target.id == "dataclass":
            names.add("frozen dataclass")
    return {"add_slots", "frozen dataclass"} <= names


def mark_node_classes(path: Path) -> int:
    """Put ``@allocative`` above every node class of one module; return how many."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and _is_node_class(n)]
    if not classes:
        return 0
    lines = source.splitlines(keepends=True)
    for node in reversed(classes):
        lines.insert(node.decorator_list[0].lineno - 1, "@allocative\n")
    first_import = next(n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom))
    lines.insert(first_import.lineno - 1, IMPORT_LINE)
    path.write_text("".join(lines), encoding="utf-8")
    return len(classes)


def _generate(nodes: Path, marked: int) -> None:
    """Run ``allocative-gen`` on the marked node modules; any error stops the build."""
    command = [sys.executable, "-c", "from allocative_gen.cli import main; main()", str(nodes)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        message = f"allocative-gen failed on libcst's node classes:\n{done.stdout}{done.stderr}"
        raise CopyError(message)
    methods = sum(p.read_text("utf-8").count("def __allocative__") for p in nodes.glob("*.py"))
    if methods != marked:
        message = f"allocative-gen wrote {methods} methods for {marked} marked node classes"
        raise CopyError(message)


def _build(target: Path) -> None:
    """Copy libcst into ``target``, mark its node classes and generate their methods."""
    ignore = shutil.ignore_patterns("tests", "__pycache__")
    package = target / "libcst"
    shutil.copytree(_package_dir("libcst"), package, ignore=ignore)
    nodes = package / "_nodes"
    marked = sum(mark_node_classes(path) for path in sorted(nodes.glob("*.py")))
    if marked == 0:
        message = f"no node class found to mark in {nodes}"
        raise CopyError(message)
    _generate(nodes, marked)


def ensure_copy() -> Path:
    """The folder to put on ``sys.path`` for the marked libcst; built on first use."""
    final = CACHE / f"libcst-{_cache_key()}"
    if final.is_dir():
        return final
    CACHE.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix="building-", dir=CACHE))
    try:
        _build(building)
        os.replace(building, final)
    except OSError:
        if not final.is_dir():
            raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    for stale in CACHE.glob("libcst-*"):
        if stale != final:
            shutil.rmtree(stale, ignore_errors=True)
    return final


def import_marked_libcst() -> ModuleType:
    """Import the marked copy as ``libcst`` (the real one must not be imported in this process)."""
    folder = ensure_copy()
    if "libcst" in sys.modules:
        message = "libcst is already imported; the marked copy must be imported first"
        raise CopyError(message)
    sys.path.insert(0, str(folder))
    import libcst

    if not Path(libcst.__file__ or "").is_relative_to(folder):
        message = f"imported {libcst.__file__}, not the marked copy in {folder}"
        raise CopyError(message)
    return libcst
