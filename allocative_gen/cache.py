"""The results of files that needed no change, kept between runs, as black, ruff and mypy keep
theirs: a run over an unchanged project reads each file and parses none.

An entry is keyed by the file's path and the digest of its bytes, and holds the file's
messages (warnings, or errors that left it untouched) and the :class:`Record` of what
its processing read and probed: the files its bases were read from, every path asked
about while finding them, every installed module looked up. It is used only while each
of those answers is the same, so a field added to a base in another file, a new module
that now shadows another, or a package installed or removed re-processes the file. The
whole cache belongs to one generator: its key holds the digest of the generator's own
source, the versions of libcst and jinja2 and of Python; a cache with another key, or one
that cannot be read, is ignored and replaced, never trusted. A file that was rewritten,
or whose processing failed unexpectedly, is not cached.

The cache is the folder ``.allocative_cache`` beside the ``pyproject.toml`` nearest the
current folder (else in the current folder), or ``$ALLOCATIVE_CACHE_DIR``; ``--no-cache``
neither reads nor writes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, Final

from allocative._config import nearest_pyproject
from allocative_gen.lookups import FileSystem, Record, still_holds

FOLDER: Final = ".allocative_cache"
FILE: Final = "allocative-gen.json"
ENVIRONMENT: Final = "ALLOCATIVE_CACHE_DIR"
_FORMAT: Final = 1
_MAX_ENTRIES: Final = 200_000
_DEPENDENCIES: Final = ("libcst", "jinja2")


@dataclass(frozen=True)
class Entry:
    """A file's cached result: its messages after ``path:`` (``line: text``), whether they
    hold an error, and what the result depended on."""

    digest: str
    messages: tuple[str, ...]
    error: bool
    record: Record


def folder() -> Path:
    """Where the cache of a run started in the current folder lives."""
    chosen = os.environ.get(ENVIRONMENT)
    if chosen:
        return Path(chosen)
    here = Path.cwd()
    project = nearest_pyproject(here)
    return (project.parent if project is not None else here) / FOLDER


@cache
def generator_key() -> str:
    """The digest of everything a file's result depends on besides the file system: the
    generator's source, its template, the runtime's rules it reads, the versions of its
    libraries and of Python."""
    import allocative
    import allocative_gen

    hasher = hashlib.blake2b(digest_size=16)
    package = Path(allocative_gen.__file__).parent
    runtime = Path(allocative.__file__).parent
    sources = [*sorted(package.rglob("*.py")), *sorted(package.glob("templates/*"))]
    sources += [runtime / "_project.py", runtime / "__init__.py"]
    for source in sources:
        hasher.update(source.name.encode())
        hasher.update(source.read_bytes())
    for name in _DEPENDENCIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "missing"
        hasher.update(f"{name}={version}".encode())
    hasher.update(f"{sys.implementation.cache_tag} {sys.version}".encode())
    return hasher.hexdigest()


class Cache:
    """The cached results of one folder, for one generator (:func:`generator_key`)."""

    def __init__(self, where: Path | None) -> None:
        self._where = where
        self._entries: dict[str, dict[str, Any]] = {}
        self._changed = False
        if where is not None:
            self._entries = _load(where / FILE)

    def lookup(self, path: Path, digest: str, files: FileSystem) -> Entry | None:
        """The result cached for ``path`` with bytes of ``digest``, if what it depended on
        still holds."""
        data = self._entries.get(str(path.resolve()))
        if data is None:
            return None
        try:
            entry = Entry(
                data["digest"],
                tuple(data["messages"]),
                data["error"],
                Record.from_json(data["record"]),
            )
            valid = (
                entry.digest == digest
                and type(entry.error) is bool
                and all(isinstance(message, str) for message in entry.messages)
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            valid = False
        if not valid:
            return None
        return entry if still_holds(entry.record, files) else None

    def store(self, path: Path, entry: Entry) -> None:
        """Keep ``entry`` as ``path``'s result."""
        self._entries[str(path.resolve())] = {
            "digest": entry.digest,
            "messages": list(entry.messages),
            "error": entry.error,
            "record": entry.record.to_json(),
        }
        self._changed = True

    def save(self) -> None:
        """Write the cache if it changed; a cache that cannot be written is left as it was."""
        if self._where is None or not self._changed:
            return
        entries = self._entries
        if len(entries) > _MAX_ENTRIES:
            entries = dict(list(entries.items())[-_MAX_ENTRIES:])
        data = {"format": _FORMAT, "generator": generator_key(), "files": entries}
        try:
            self._where.mkdir(parents=True, exist_ok=True)
            ignore = self._where / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by allocative-gen.\n*\n", encoding="utf-8")
            _write(self._where / FILE, json.dumps(data, separators=(",", ":")).encode())
        except OSError:
            return


def _load(path: Path) -> dict[str, dict[str, Any]]:
    """The entries of the cache file at ``path``; none when it is missing, unreadable,
    malformed or another generator's."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    if data.get("format") != _FORMAT or data.get("generator") != generator_key():
        return {}
    files = data.get("files")
    if not isinstance(files, dict):
        return {}
    return {key: value for key, value in files.items() if isinstance(value, dict)}


def _write(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
