"""``[tool.allocative]`` in pyproject.toml: the one place for a project's settings, read by
allocative-gen, the mypy plugin and the runtime alike.

``exclude``
    Globs of files allocative-gen never reads, relative to the pyproject.toml's folder.
``registered``
    Qualified names of classes the project measures with ``register(T, fn)`` at run
    time (``"sortedcontainers.SortedList"``): the plugin accepts them as field types,
    and a measurement warns when one of them is imported but not registered.

A bad key or value is one error naming the file, line and key (:class:`ConfigError`).
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

TABLE: Final = "allocative"
KEYS: Final = ("exclude", "registered")
_OLD_TABLE: Final = "allocative-gen"


class ConfigError(Exception):
    """A ``[tool.allocative]`` table that cannot be used; the message is one line,
    ``path:line: what to do``."""


@dataclass(frozen=True)
class Config:
    """The settings of one pyproject.toml (empty where it has no ``[tool.allocative]``)."""

    exclude: tuple[str, ...] = ()
    registered: frozenset[str] = frozenset()


@cache
def nearest_pyproject(directory: Path) -> Path | None:
    """The pyproject.toml in ``directory`` or its closest ancestor."""
    for candidate in (directory, *directory.parents):
        found = candidate / "pyproject.toml"
        if found.is_file():
            return found
    return None


@cache
def read_config(pyproject: Path) -> Config:
    """The ``[tool.allocative]`` settings of ``pyproject``; raises :class:`ConfigError`."""
    try:
        text = pyproject.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        message = f"{pyproject}:1: cannot read: {error}; fix the file"
        raise ConfigError(message) from error
    tool = data.get("tool", {})
    if _OLD_TABLE in tool:
        line = _line_of(text, rf"\[tool\.{re.escape(_OLD_TABLE)}\]")
        message = f"{pyproject}:{line}: [tool.{_OLD_TABLE}] is now [tool.{TABLE}]: rename it"
        raise ConfigError(message)
    table = tool.get(TABLE, {})
    for key in table:
        if key not in KEYS:
            line = _line_of(text, rf"{re.escape(key)}\s*=")
            known = ", ".join(KEYS)
            message = f"{pyproject}:{line}: [tool.{TABLE}] has no key {key!r}; the keys are {known}"
            raise ConfigError(message)
    exclude = _strings(pyproject, text, table, "exclude", "glob")
    registered = _strings(pyproject, text, table, "registered", "qualified class name")
    for name in registered:
        if "." not in name:
            line = _line_of(text, r"registered\s*=")
            message = (
                f"{pyproject}:{line}: [tool.{TABLE}] registered: {name!r} is not a qualified "
                "class name (module.Class)"
            )
            raise ConfigError(message)
    return Config(tuple(glob.rstrip("/") for glob in exclude), frozenset(registered))


def project_config(directory: Path) -> Config:
    """The settings of the pyproject.toml nearest ``directory`` (none: empty)."""
    pyproject = nearest_pyproject(directory.absolute())
    return Config() if pyproject is None else read_config(pyproject)


def _strings(
    pyproject: Path, text: str, table: dict[str, object], key: str, what: str
) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        line = _line_of(text, rf"{re.escape(key)}\s*=")
        message = f"{pyproject}:{line}: [tool.{TABLE}] {key} must be a list of {what} strings"
        raise ConfigError(message)
    return value


def _line_of(text: str, pattern: str) -> int:
    """The 1-based line of the first match of ``pattern`` at a line's start, from the
    ``[tool.allocative]`` header on when there is one (else line 1)."""
    header = re.search(rf"^\s*\[tool\.{TABLE}\]", text, re.MULTILINE)
    start = 0 if header is None else header.start()
    found = re.compile(rf"^\s*{pattern}", re.MULTILINE).search(text, start)
    return 1 if found is None else text.count("\n", 0, found.start()) + 1


def unregistered_warnings(registered_types: list[type]) -> list[str]:
    """Warnings for classes that ``[tool.allocative] registered`` (of the pyproject.toml
    nearest the working directory) promises and nothing registered: only for classes whose
    module is imported, since only those can be in a measured tree. A bad table is one
    warning: the measured process never fails for it."""
    try:
        config = project_config(Path.cwd())
    except ConfigError as error:
        return [str(error)]
    if not config.registered:
        return []
    done = {f"{tp.__module__}.{tp.__qualname__}" for tp in registered_types}
    found = []
    for name in sorted(config.registered - done):
        module, _, qualname = name.rpartition(".")
        if module in sys.modules:
            found.append(
                f"[tool.{TABLE}] registered lists {name}, but nothing registered it: call "
                f"register({qualname}, fn) before measuring, or remove it from the list"
            )
    return found
