"""The SVG flame graph: one self-contained file, drawn from the ``flamegraph.svg.j2`` template."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from allocative._flamegraph import FlameGraph
from allocative._render.colours import LEGEND, SHARED_LEGEND, kind_fill, text_fill
from allocative._render.errors import EmptyGraph
from allocative._render.frames import human_bytes
from allocative._render.layout import Frame, place
from allocative._render.templating import render_template
from allocative._retained import retained_line, shared_size

CHAR_WIDTH = 7.2
"""Width of one character of the 12px monospace font, to fit labels in frames and wrap notes."""
NOTE_LINE = 15
"""Height of a line of the notes box (the warnings of a flame graph, the notes of a diff)."""
MAX_NOTES = 5
"""Notes shown in the box; the others are counted on its last line, and listed in its tooltip."""


@dataclass(frozen=True, slots=True)
class Geometry:
    """The drawing's size: its width, the frame height and the narrowest frame drawn.

    ``width`` is the width drawn for viewers that run no script (an ``<img>``,
    an image viewer) and the one narrow frames are merged at; in a browser the
    script redraws the graph to fit the window.
    """

    width: int = 1200
    frame_height: int = 16
    min_width: float = 0.5
    pad: int = 10
    top: int = 72
    bottom: int = 34

    @property
    def usable(self) -> int:
        """Width of the full-width frame."""
        return self.width - 2 * self.pad

    def min_size(self, total: int) -> int:
        """Bytes of the narrowest frame drawn for a graph of ``total`` bytes."""
        return max(1, math.ceil(total * self.min_width / self.usable))


@dataclass(frozen=True, slots=True)
class DrawnFrame:
    """A frame as the template draws it: placed, labelled and coloured."""

    frame: Frame
    x: str
    y: str
    w: str
    tx: str
    ty: str
    label: str
    fill: str
    text: str
    change: tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class Notes:
    """The box of notes above the frames: a heading and each note wrapped to the box."""

    heading: str
    notes: list[tuple[str, list[str]]]
    hidden: list[str]
    y: int
    height: int

    @property
    def bottom(self) -> int:
        """Where the frames may start below the box."""
        return self.y + self.height + 10


def wrap_words(text: str, columns: int) -> list[str]:
    """``text`` broken at spaces into lines of ``columns`` characters; a longer word stands alone.

    The SVG's script wraps by the same rule when it fits the graph to the window.
    """
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > columns:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]


def note_columns(usable: int) -> int:
    """Characters of a note's line in a box ``usable`` pixels wide, after its bullet."""
    return max(20, int((usable - 12) / CHAR_WIDTH) - 2)


def notes_box(heading: str, notes: Sequence[str], geometry: Geometry) -> Notes | None:
    """The notes box at the top of the drawing, or ``None`` when there is nothing to say."""
    if not notes:
        return None
    shown = [(note, wrap_words(note, note_columns(geometry.usable))) for note in notes[:MAX_NOTES]]
    lines = 1 + sum(len(wrapped) for _, wrapped in shown) + (len(notes) > MAX_NOTES)
    y = geometry.top - 2
    return Notes(heading, shown, list(notes[MAX_NOTES:]), y, lines * NOTE_LINE + 8)


def fit_label(name: str, width: float) -> str:
    """``name`` cut with ``..`` to fit ``width`` pixels; empty when under 3 characters fit."""
    room = int((width - 6) / CHAR_WIDTH)
    if room < 3:
        return ""
    return name if len(name) <= room else name[: room - 2] + ".."


def draw(
    frames: Sequence[Frame],
    geometry: Geometry,
    fill: Callable[[Frame], str],
    change: Callable[[Frame], tuple[int, int] | None] = lambda frame: None,
    text: Callable[[Frame], str] = lambda frame: text_fill(frame.kind),
) -> list[DrawnFrame]:
    """Pixel positions, labels and colours of placed frames; the root sits at the bottom."""
    total = frames[0].size
    depth = max(frame.depth for frame in frames)
    scale = geometry.usable / total
    drawn = []
    for frame in frames:
        width = frame.size * scale
        x = geometry.pad + frame.start * scale
        y = geometry.top + (depth - frame.depth) * geometry.frame_height
        drawn.append(
            DrawnFrame(
                frame=frame,
                x=f"{x:.2f}",
                y=str(y),
                w=f"{width:.2f}",
                tx=f"{x + 3:.2f}",
                ty=str(y + geometry.frame_height - 5),
                label=fit_label(frame.name, width),
                fill=fill(frame),
                text=text(frame),
                change=change(frame),
            )
        )
    return drawn


def page_height(drawn: Sequence[DrawnFrame], geometry: Geometry) -> int:
    """Height of the drawing for these frames."""
    depth = max(item.frame.depth for item in drawn)
    return geometry.top + (depth + 1) * geometry.frame_height + geometry.bottom


def below(notes: Notes | None, geometry: Geometry) -> Geometry:
    """``geometry`` with its frames moved below the notes box, if there is one."""
    return replace(geometry, top=notes.bottom) if notes else geometry


def flame_svg(
    graph: FlameGraph,
    title: str = "Memory flame graph",
    warnings: Sequence[str] = (),
    engine: str = "",
    geometry: Geometry | None = None,
) -> str:
    """The SVG flame graph of ``graph``: frames sized by bytes and coloured by kind.

    The warnings show in a box above the frames; the subtitle names the ``engine``.
    """
    geometry = geometry or Geometry()
    total = graph.total_size
    if total == 0:
        raise EmptyGraph("the flame graph is empty: no stack holds any bytes")
    notes = notes_box(f"Warnings ({len(warnings)})", warnings, geometry)
    framed = below(notes, geometry)
    frames = place(graph, geometry.min_size(total))
    drawn = draw(frames, framed, lambda frame: kind_fill(frame.kind, frame.name))
    stacks = sum(1 for _ in graph.stacks())
    subtitle = f"{human_bytes(total)} ({total:,} bytes) in {stacks:,} stacks"
    if engine:
        subtitle += f", measured by the {engine} engine"
    kinds = list(LEGEND)
    shared = shared_size(graph)
    if shared:
        subtitle += f"; {retained_line(total, shared)}"
        kinds.append(SHARED_LEGEND)
    legend = [(label, kind_fill(kind, "")) for label, kind in kinds]
    return render_template(
        "flamegraph.svg.j2",
        mode="flame",
        title=title,
        subtitle=subtitle,
        engine=engine,
        notes=notes,
        legend=legend,
        frames=drawn,
        total=total,
        geometry=geometry,
        height=page_height(drawn, framed),
    )
