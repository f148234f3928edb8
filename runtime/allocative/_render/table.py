"""Plain-text tables that fit a terminal: a heading, then ``bytes  share  label`` rows."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass

from allocative._render.cells import label_cells, stack_cells
from allocative._render.frames import human_bytes, share, signed_bytes

MIN_WIDTH = 60
"""The narrowest table: a diff row's figures take 41 columns and its label needs some room."""

BOLD = "\x1b[1m"
RED = "\x1b[31m"
GREEN = "\x1b[32m"
YELLOW = "\x1b[33m"
RESET = "\x1b[0m"


@dataclass(frozen=True, slots=True)
class Style:
    """How tables are written: the line width and whether ANSI colours are used."""

    width: int = 80
    colour: bool = False

    @classmethod
    def fitting(cls, width: int | None = None, colour: bool = False) -> Style:
        """A style ``width`` columns wide; ``None`` is the terminal's width (``COLUMNS`` first).

        A terminal narrower than :data:`MIN_WIDTH` gets :data:`MIN_WIDTH`; asking
        for less raises :class:`ValueError`.
        """
        if width is None:
            width = max(MIN_WIDTH, shutil.get_terminal_size().columns)
        elif width < MIN_WIDTH:
            message = f"a table needs a width of at least {MIN_WIDTH} columns, not {width}"
            raise ValueError(message)
        return cls(width, colour)

    def paint(self, text: str, code: str) -> str:
        """``text`` in colour ``code`` when colours are on."""
        return f"{code}{text}{RESET}" if self.colour else text

    def heading(self, text: str) -> str:
        """A section heading."""
        return self.paint(text, BOLD)


def size_rows(
    rows: Iterable[tuple[str, int]], total: int, style: Style, stacks: bool = False
) -> list[str]:
    """``  14.2 MiB  11.0%  label`` lines: bytes, share of ``total``, and the shortened label."""
    rows = list(rows)
    figures = [f"  {human_bytes(size):>10}  {share(size, total):>6}  " for _, size in rows]
    return _lines(figures, [label for label, _ in rows], style.width, stacks)


def change_rows(
    rows: Iterable[tuple[str, int, int]], style: Style, stacks: bool = False
) -> list[str]:
    """``  +1.5 KiB  2.0 KiB -> 3.5 KiB  label`` lines, growth red and shrinkage green."""
    rows = list(rows)
    if not rows:
        return ["  (no change)"]
    figures = [
        f"  {signed_bytes(after - before):>11}  {human_bytes(before):>10} -> "
        f"{human_bytes(after):>10}  "
        for _, before, after in rows
    ]
    lines = _lines(figures, [label for label, _, _ in rows], style.width, stacks)
    return [
        style.paint(line, RED if after > before else GREEN)
        for line, (_, before, after) in zip(lines, rows, strict=True)
    ]


def _lines(figures: list[str], labels: list[str], width: int, stacks: bool) -> list[str]:
    """Each row's figures and its label's cell, cut to what is left of the ``width``."""
    room = width - max(map(len, figures), default=0)
    cells = stack_cells(labels, room) if stacks else label_cells(labels, room)
    return [figure + cell for figure, cell in zip(figures, cells, strict=True)]


def top(sizes: dict[str, int], count: int) -> list[tuple[str, int]]:
    """The ``count`` largest entries, largest first, ties by label."""
    return sorted(sizes.items(), key=lambda item: (-item[1], item[0]))[:count]
