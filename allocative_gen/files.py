"""Find the Python files to process and write results back atomically."""

from __future__ import annotations

import fnmatch
import os
import tempfile
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Final

SKIPPED_DIRS: Final = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "__pycache__", "node_modules"}
)
"""Folder names never searched (virtual environments are also found by ``pyvenv.cfg``)."""


class ConfigError(Exception):
    """A ``[tool.allocative-gen]`` table that cannot be used."""


def python_files(paths: list[Path]) -> Iterator[Path]:
    """The ``.py`` files under ``paths``, recursively, minus skipped and excluded ones."""
    for path in paths:
        if path.is_dir():
            yield from _walk(path)
        elif not _excluded(path):
            yield path


def _walk(directory: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(directory):
        root_path = Path(root)
        dirs[:] = sorted(
            name
            for name in dirs
            if name not in SKIPPED_DIRS
            and not (root_path / name / "pyvenv.cfg").exists()
            and not _excluded(root_path / name)
        )
        for name in sorted(files):
            if name.endswith(".py") and not _excluded(root_path / name):
                yield root_path / name


def _excluded(path: Path) -> bool:
    """Whether ``[tool.allocative-gen] exclude`` of the nearest pyproject.toml matches ``path``."""
    absolute = path.absolute()
    project = nearest_pyproject(absolute.parent)
    if project is None:
        return False
    patterns = exclude_patterns(project)
    if not patterns:
        return False
    relative = absolute.relative_to(project.parent).as_posix()
    return any(
        fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(relative, pattern.rstrip("/") + "/*")
        for pattern in patterns
    )


@cache
def nearest_pyproject(directory: Path) -> Path | None:
    """The pyproject.toml in ``directory`` or its closest ancestor."""
    for candidate in (directory, *directory.parents):
        found = candidate / "pyproject.toml"
        if found.is_file():
            return found
    return None


@cache
def exclude_patterns(pyproject: Path) -> tuple[str, ...]:
    """The ``exclude`` globs of ``[tool.allocative-gen]``, relative to the pyproject's folder."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        message = f"{pyproject}:1: cannot read: {error}; fix the file"
        raise ConfigError(message) from error
    table = data.get("tool", {}).get("allocative-gen", {})
    patterns = table.get("exclude", [])
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        message = f"{pyproject}:1: [tool.allocative-gen] exclude must be a list of glob strings"
        raise ConfigError(message)
    return tuple(pattern.rstrip("/") for pattern in patterns)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path``'s contents with ``data`` through a temporary file, keeping its mode."""
    mode = path.stat().st_mode
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
