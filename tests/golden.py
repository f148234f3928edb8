"""One golden-file mechanism for every kind of expected output in the tests.

Run ``pytest --update-golden`` (or set ``ALLOCATIVE_UPDATE_GOLDEN=1``) to rewrite
the golden files from the current output; review the diff before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

UPDATE_ENV = "ALLOCATIVE_UPDATE_GOLDEN"


def updating() -> bool:
    """Whether this run rewrites golden files instead of comparing with them."""
    return os.environ.get(UPDATE_ENV) == "1"


def assert_golden(path: Path, actual: str) -> None:
    """Compare ``actual`` with the golden file at ``path``, or rewrite it when updating."""
    if updating():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
        return
    if not path.exists():
        message = f"{path}: golden file missing; run pytest --update-golden to create it"
        raise AssertionError(message)
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{path}: output differs from the golden file"
