"""What every example ends with: the summary on screen, the SVG and folded files in OUT_DIR."""

from __future__ import annotations

import sys
from pathlib import Path

from allocative import FlameGraphOutput


def out_dir(argv: list[str]) -> Path:
    """The output folder: the first argument, else ``out``; created if missing."""
    path = Path(argv[0] if argv else "out")
    path.mkdir(parents=True, exist_ok=True)
    return path


def report(output: FlameGraphOutput, folder: Path, name: str, title: str, top: int = 10) -> None:
    """Print ``output``'s summary and write ``NAME.svg`` and ``NAME.folded`` into ``folder``."""
    print(output.summary(top, colour=sys.stdout.isatty()), end="")
    svg = folder / f"{name}.svg"
    svg.write_text(output.svg(title=title), encoding="utf-8")
    folded = folder / f"{name}.folded"
    folded.write_text(output.folded(), encoding="utf-8")
    print(f"\nwrote {svg} and {folded}")
