"""Golden folded snapshots: a measurement compared with a ``.folded`` file kept beside the test."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Final

from allocative._api import FlameGraphOutput
from allocative._render.errors import MalformedFolded
from allocative._testing import measure, report_width
from allocative.pytest import UPDATE_OPTION

FOLDER: Final = "allocative_snapshots"
"""The folder beside a test module that holds its snapshots, one subfolder per module."""

_NAME: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def snapshot_path(test_file: Path, name: str) -> Path:
    """Where the snapshot ``name`` of the tests in ``test_file`` lives.

    ``tests/test_book.py`` and ``"book"`` give ``tests/allocative_snapshots/test_book/book.folded``.
    """
    __tracebackhide__ = True
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        message = (
            "a snapshot name is letters, digits, '_', '-' and '.', not starting with '.' or '-'; "
            f"not {name!r}"
        )
        raise ValueError(message)
    return test_file.parent / FOLDER / test_file.stem / f"{name}.folded"


def compare(obj: object, path: Path, label: str) -> str | None:
    """The failure message when ``obj``'s folded flame graph differs from the file at ``path``.

    ``None`` when they are the same. ``label`` is how the message names the file.
    """
    after = measure(obj)
    if not path.exists():
        return (
            f"no snapshot {label} yet: run pytest {UPDATE_OPTION} to write it from this "
            f"measurement\n\n{after.summary(width=report_width())}"
        )
    text = path.read_text(encoding="utf-8")
    if text == after.folded():
        return None
    try:
        before = FlameGraphOutput.from_folded(text, label)
    except MalformedFolded as error:
        return f"{error}; run pytest {UPDATE_OPTION} to rewrite the snapshot"
    return (
        f"the measurement differs from the snapshot {label}\n\n"
        f"{after.diff_summary(before, width=report_width())}\n"
        f"If the change is expected, run pytest {UPDATE_OPTION} to rewrite the snapshot."
    )


def write(obj: object, path: Path) -> bool:
    """Write ``obj``'s folded flame graph to ``path`` (atomically); whether the file changed."""
    text = measure(obj).folded()
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
