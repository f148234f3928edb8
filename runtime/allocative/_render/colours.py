"""Frame colours: one family per frame kind, and red/blue for growth/shrinkage in a diff."""

from __future__ import annotations

import zlib
from typing import Final

from allocative._render.frames import FrameKind

# (base red, green, blue) and how far each channel varies with the frame's name.
_FAMILIES: Final[dict[FrameKind, tuple[tuple[int, int, int], tuple[int, int, int]]]] = {
    FrameKind.ROOT: ((200, 200, 200), (0, 0, 0)),
    FrameKind.TYPE: ((235, 130, 40), (20, 60, 30)),
    FrameKind.BUILTIN: ((90, 150, 215), (40, 40, 25)),
    FrameKind.FIELD: ((165, 205, 95), (40, 30, 40)),
    FrameKind.GAP: ((214, 39, 40), (0, 0, 0)),
    FrameKind.OUTSIDE: ((150, 110, 210), (20, 20, 20)),
    FrameKind.PROBLEM: ((110, 110, 110), (0, 0, 0)),
    FrameKind.MERGED: ((215, 215, 215), (0, 0, 0)),
    FrameKind.SHARED: ((40, 170, 170), (0, 0, 0)),
}
_DARK: Final = frozenset({FrameKind.GAP, FrameKind.PROBLEM})

LEGEND: Final = (
    ("user type", FrameKind.TYPE),
    ("built-in", FrameKind.BUILTIN),
    ("field", FrameKind.FIELD),
    ("gap", FrameKind.GAP),
    ("outside the heap", FrameKind.OUTSIDE),
)
SHARED_LEGEND: Final = ("held from outside", FrameKind.SHARED)
"""The legend entry a retained flame graph adds."""


def kind_fill(kind: FrameKind, name: str) -> str:
    """The fill of a frame: its kind's colour, varied a little (deterministically) by name."""
    (red, green, blue), (dr, dg, db) = _FAMILIES[kind]
    vary = zlib.crc32(name.encode("utf-8"))
    red += (vary & 0xFF) * dr // 255
    green += ((vary >> 8) & 0xFF) * dg // 255
    blue += ((vary >> 16) & 0xFF) * db // 255
    return f"rgb({min(red, 255)},{min(green, 255)},{min(blue, 255)})"


def text_fill(kind: FrameKind) -> str:
    """The label colour that reads on a frame of ``kind``."""
    return "#fff" if kind in _DARK else "#000"


def delta_fill(delta: int, largest: int) -> str:
    """Red for growth, blue for shrinkage, stronger for larger changes; near white for none."""
    if delta == 0 or largest == 0:
        return "rgb(235,235,235)"
    strength = min(abs(delta) / largest, 1.0)
    light = 255 - round(165 * strength**0.5)
    if delta > 0:
        return f"rgb(255,{light},{light})"
    return f"rgb({light},{light},255)"
