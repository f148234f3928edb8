"""Plain-text tables that fit a terminal: a heading, then ``bytes  share  label`` rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from allocative._render.frames import human_bytes, share, signed_bytes

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

    def paint(self, text: str, code: str) -> str:
        """``text`` in colour ``code`` when colours are on."""
        return f"{code}{text}{RESET}" if self.colour else text

    def heading(self, text: str) -> str:
        """A section heading."""
        return self.paint(text, BOLD)


def shorten(label: str, room: int) -> str:
    """``label`` cut from the left to ``room`` characters, marked with ``...``."""
    if len(label) <= room:
        return label
    return "..." + label[len(label) - room + 3 :] if room > 3 else label[-room:]


def shorten_stack(stack: str, room: int) -> str:
    """A stack cut to ``room`` characters: its root, ``...``, then its deepest frames."""
    if len(stack) <= room:
        return stack
    frames = stack.split(";")
    tail: list[str] = []
    for frame in reversed(frames[1:]):
        candidate = ";".join([frames[0], "...", frame, *tail])
        if len(candidate) > room:
            break
        tail.insert(0, frame)
    if not tail:
        return shorten(stack, room)
    return ";".join([frames[0], "...", *tail])


def size_rows(
    rows: Iterable[tuple[str, int]], total: int, style: Style, stacks: bool = False
) -> list[str]:
    """``  14.2 MiB  11.0%  label`` lines: bytes, share of ``total``, and the shortened label."""
    cut = shorten_stack if stacks else shorten
    lines = []
    for label, size in rows:
        prefix = f"  {human_bytes(size):>10}  {share(size, total):>6}  "
        lines.append(prefix + cut(label, style.width - len(prefix)))
    return lines


def change_rows(rows: Iterable[tuple[str, int, int]], style: Style) -> list[str]:
    """``  +1.5 KiB  2.0 KiB -> 3.5 KiB  label`` lines, growth red and shrinkage green."""
    lines = []
    for label, before, after in rows:
        delta = after - before
        prefix = (
            f"  {signed_bytes(delta):>11}  {human_bytes(before):>10} -> {human_bytes(after):>10}  "
        )
        line = prefix + shorten_stack(label, style.width - len(prefix))
        lines.append(style.paint(line, RED if delta > 0 else GREEN))
    return lines or ["  (no change)"]


def top(sizes: dict[str, int], count: int) -> list[tuple[str, int]]:
    """The ``count`` largest entries, largest first, ties by label."""
    return sorted(sizes.items(), key=lambda item: (-item[1], item[0]))[:count]
