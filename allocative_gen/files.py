"""Find the Python files to process and write results back atomically."""

from __future__ import annotations

import fnmatch
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from allocative._config import ConfigError, nearest_pyproject, read_config

__all__ = ["SKIPPED_DIRS", "ConfigError", "python_files", "write_atomically"]

SKIPPED_DIRS: Final = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "__pycache__", "node_modules"}
)
"""Folder names never searched (virtual environments are also found by ``pyvenv.cfg``)."""


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
    """Whether ``[tool.allocative] exclude`` of the nearest pyproject.toml matches ``path``."""
    absolute = path.absolute()
    project = nearest_pyproject(absolute.parent)
    if project is None:
        return False
    patterns = read_config(project).exclude
    if not patterns:
        return False
    relative = absolute.relative_to(project.parent).as_posix()
    return any(
        fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(relative, pattern.rstrip("/") + "/*")
        for pattern in patterns
    )


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
