"""The SVG flame graph: one self-contained file, drawn from the ``flamegraph.svg.j2`` template."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from allocative._flamegraph import FlameGraph
from allocative._render.colours import LEGEND, kind_fill, text_fill
from allocative._render.errors import EmptyGraph
from allocative._render.frames import human_bytes
from allocative._render.layout import Frame, place
from allocative._render.templating import render_template

CHAR_WIDTH = 7.2
"""Width of one character of the 12px monospace label font, to fit labels in frames."""


@dataclass(frozen=True, slots=True)
class Geometry:
    """The drawing's size: its width, the frame height and the narrowest frame drawn."""

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


def flame_svg(
    graph: FlameGraph,
    title: str = "Memory flame graph",
    warnings: Sequence[str] = (),
    geometry: Geometry | None = None,
) -> str:
    """The SVG flame graph of ``graph``: frames sized by bytes and coloured by kind."""
    geometry = geometry or Geometry()
    total = graph.total_size
    if total == 0:
        raise EmptyGraph("the flame graph is empty: no stack holds any bytes")
    frames = place(graph, geometry.min_size(total))
    drawn = draw(frames, geometry, lambda frame: kind_fill(frame.kind, frame.name))
    stacks = sum(1 for _ in graph.stacks())
    subtitle = f"{human_bytes(total)} ({total:,} bytes) in {stacks:,} stacks"
    if warnings:
        subtitle += f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
    legend = [(label, kind_fill(kind, "")) for label, kind in LEGEND]
    return render_template(
        "flamegraph.svg.j2",
        mode="flame",
        title=title,
        subtitle=subtitle,
        warnings=list(warnings),
        legend=legend,
        frames=drawn,
        total=total,
        geometry=geometry,
        height=page_height(drawn, geometry),
    )
