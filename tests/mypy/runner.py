"""Run mypy with the allocative plugin in-process and return its messages, one per line."""

from __future__ import annotations

from pathlib import Path

from mypy import api

from allocative_mypy import _written

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """\
[mypy]
plugins = allocative_mypy
python_version = 3.11
show_error_codes = True
"""


def write_config(folder: Path, extra: str = "") -> Path:
    """A mypy.ini in ``folder`` that enables the plugin (plus ``extra`` lines)."""
    path = folder / "mypy.ini"
    path.write_text(CONFIG + extra, encoding="utf-8")
    return path


def run_mypy(
    folder: Path, *paths: str, flags: tuple[str, ...] = (), cache: Path | None = None
) -> list[str]:
    """mypy's messages for ``paths`` (relative to ``folder``), shown relative to ``folder``."""
    config = folder / "mypy.ini"
    if not config.exists():
        write_config(folder)
    cache_args = ["--cache-dir", str(cache)] if cache else ["--no-incremental"]
    options = ["--config-file", str(config), "--no-error-summary", "--no-color-output"]
    targets = [str(folder / path) for path in paths]
    try:
        stdout, stderr, _ = api.run([*options, *cache_args, *flags, *targets])
    finally:
        _written.release()  # the next test's gc.collect() need not walk this build's trees
    assert not stderr, stderr
    prefix = f"{folder}/"
    return [line.replace(prefix, "") for line in stdout.splitlines() if line]
