"""One file's outcome, and the test that tells a file with no marked class: no libcst here,
so that a run whose files are all cached or unmarked never loads the generator."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from allocative_gen.lookups import Record

MARKER_BYTES = b"allocative"
"""A file whose bytes do not contain this has no marked class and is not parsed."""


@dataclass
class FileOutcome:
    """The result of one file: whether it changed, messages, whether an error occurred, diff."""

    path: Path
    changed: bool = False
    error: bool = False
    messages: list[str] = field(default_factory=list)
    diff: str = ""
    tracebacks: list[str] = field(default_factory=list)
    """Tracebacks of internal errors, printed with ``--traceback``."""
    digest: str | None = None
    """The digest of the bytes the file was processed from."""
    record: Record | None = None
    """What the result depended on, when it may be cached: the file needed no change and
    nothing failed unexpectedly (:mod:`allocative_gen.cache`)."""
