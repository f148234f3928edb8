"""What the generator asks of the file system while it finds bases, answered once per run and
recorded per file: what a cached result depends on.

Finding a base reads other files and asks whether files exist (``pkg/queue.py``, then
``pkg/queue/__init__.py``...) and where an installed module is. Each answer is kept for
the run (files the run writes keep their names, so the answers hold) and, while a file is
being processed, recorded in its :class:`Record`. A cached result is reused only while
every recorded answer is still the same (:func:`still_holds`). No libcst here: a warm run
checks records without loading the generator.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib.machinery import PathFinder
from pathlib import Path
from typing import Any


def digest(data: bytes) -> str:
    """The content key of a file's bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass
class Record:
    """The answers one file's processing depended on: whether each probed path is a file,
    where each installed module is (None: not found), and the digest of each file read
    (None: it could not be read)."""

    probes: dict[str, bool] = field(default_factory=dict)
    installed: dict[str, str | None] = field(default_factory=dict)
    reads: dict[str, str | None] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The record as JSON data."""
        return {"probes": self.probes, "installed": self.installed, "reads": self.reads}

    @classmethod
    def from_json(cls, data: Any) -> Record:
        """A record from :meth:`to_json`'s data; raises on anything else."""
        probes, installed, reads = data["probes"], data["installed"], data["reads"]
        record = cls(dict(probes), dict(installed), dict(reads))
        if not all(isinstance(key, str) and type(value) is bool for key, value in probes.items()):
            raise ValueError("malformed probes")
        for answers in (record.installed, record.reads):
            if not all(isinstance(value, str | None) for value in answers.values()):
                raise ValueError("malformed answers")
        return record


class FileSystem:
    """The file system as the generator sees it during one run: answers kept, and recorded
    into :attr:`record` while a file is processed."""

    def __init__(self) -> None:
        self._files: dict[str, bool] = {}
        self._installed: dict[str, str | None] = {}
        self._digests: dict[str, str | None] = {}
        self.record: Record | None = None

    def is_file(self, path: Path) -> bool:
        """Whether ``path`` is a file."""
        key = str(path)
        found = self._files.get(key)
        if found is None:
            found = self._files[key] = path.is_file()
        if self.record is not None:
            self.record.probes[key] = found
        return found

    def installed(self, module: str) -> Path | None:
        """The source file of an installed module, found without importing anything."""
        if module not in self._installed:
            found = _importable(module)
            self._installed[module] = None if found is None else str(found)
        answer = self._installed[module]
        if self.record is not None:
            self.record.installed[module] = answer
        return None if answer is None else Path(answer)

    def read(self, path: Path) -> bytes | None:
        """The bytes of ``path`` (None: it cannot be read), recorded by their digest."""
        try:
            data = path.read_bytes()
        except OSError:
            data = None
        self.note_read(path, None if data is None else digest(data))
        return data

    def note_read(self, path: Path, key: str | None) -> None:
        """Record that the bytes of ``path`` with digest ``key`` were read."""
        self._digests.setdefault(str(path), key)
        if self.record is not None:
            self.record.reads[str(path)] = key

    def digest_of(self, path: str) -> str | None:
        """The digest of ``path``'s bytes now (None: it cannot be read), once per run."""
        if path not in self._digests:
            try:
                self._digests[path] = digest(Path(path).read_bytes())
            except OSError:
                self._digests[path] = None
        return self._digests[path]


def still_holds(record: Record, files: FileSystem) -> bool:
    """Whether every answer in ``record`` is still the one the file system gives."""
    return (
        all(files.is_file(Path(path)) == found for path, found in record.probes.items())
        and all(
            _as_str(files.installed(module)) == found for module, found in record.installed.items()
        )
        and all(files.digest_of(path) == key for path, key in record.reads.items())
    )


def _as_str(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _importable(module: str) -> Path | None:
    """The source file of an installed module, found without importing anything."""
    search: list[str] | None = None
    spec = None
    parts = module.split(".")
    for index in range(len(parts)):
        try:
            spec = PathFinder.find_spec(".".join(parts[: index + 1]), search)
        except (ImportError, ValueError):
            return None
        if spec is None:
            return None
        search = list(spec.submodule_search_locations or [])
    if spec is None or spec.origin is None or not spec.origin.endswith((".py", ".pyi")):
        return None
    return Path(spec.origin)
