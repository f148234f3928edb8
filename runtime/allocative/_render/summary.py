"""The terminal summary: total, largest stacks, bytes by type and by field, gaps, warnings."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from allocative._flamegraph import FlameGraph
from allocative._render.errors import EmptyGraph
from allocative._render.frames import (
    GAPS,
    OUTSIDE,
    FrameKind,
    class_fields,
    classify,
    human_bytes,
    owning_type,
    share,
)
from allocative._render.table import RED, YELLOW, Style, size_rows, top
from allocative._retained import SHARED, retained_line

Stack = tuple[tuple[str, ...], int]
GAP_NAMES = {
    "unused_capacity": "unused capacity",
    "__dict__": "__dict__",
    "allocator_overhead": "allocator overhead",
}


def summary_text(
    graph: FlameGraph,
    warnings: Sequence[str] = (),
    count: int = 10,
    style: Style | None = None,
    engine: str = "",
    retained: bool = False,
) -> str:
    """The summary of ``graph`` for a terminal, ``count`` rows per table.

    The header names the ``engine`` that measured, when it is known. A retained
    graph (``retained``, or any ``[shared]`` frame) says how much would be freed.
    """
    style = style or Style()
    stacks = list(graph.stacks())
    total = sum(size for _, size in stacks)
    if total == 0:
        raise EmptyGraph("the flame graph is empty: no stack holds any bytes")
    size = f"{human_bytes(total)} ({total:,} bytes)"
    header = [style.heading(f"Total: {size} in {len(stacks):,} stacks")]
    if engine:
        header.append(f"Measured by the {engine} engine")
    shared = [(path, size) for path, size in stacks if SHARED in path]
    if shared or retained:
        line = retained_line(total, sum(size for _, size in shared))
        header.append(line[:1].upper() + line[1:])
    sections = [
        header,
        _largest_stacks(stacks, total, count, style),
        _largest_shared(shared, total, count, style),
        _by_type(stacks, total, count, style),
        _by_field(stacks, total, count, style),
        _gaps(stacks, total, count, style),
        _outside(stacks, total, style),
        _warnings(warnings, style),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections if lines) + "\n"


def _largest_stacks(stacks: list[Stack], total: int, count: int, style: Style) -> list[str]:
    return _ranked(stacks, total, count, style, "Largest stacks (own bytes)")


def _largest_shared(shared: list[Stack], total: int, count: int, style: Style) -> list[str]:
    if not shared:
        return []
    heading = "Largest shared stacks (held from outside: not freed with the roots)"
    return _ranked(shared, total, count, style, heading)


def _ranked(stacks: list[Stack], total: int, count: int, style: Style, heading: str) -> list[str]:
    """The ``count`` largest stacks under ``heading``, largest first."""
    ranked = sorted(stacks, key=lambda item: (-item[1], item[0]))[:count]
    rows = [(";".join(path), size) for path, size in ranked]
    return [style.heading(heading), *size_rows(rows, total, style, stacks=True)]


def _by_type(stacks: list[Stack], total: int, count: int, style: Style) -> list[str]:
    sizes: dict[str, int] = {}
    for path, size in stacks:
        owner = owning_type(path)
        sizes[owner] = sizes.get(owner, 0) + size
    heading = style.heading("Bytes by type (own bytes and gaps)")
    return [heading, *size_rows(top(sizes, count), total, style)]


def _by_field(stacks: list[Stack], total: int, count: int, style: Style) -> list[str]:
    sizes: dict[str, int] = {}
    for path, size in stacks:
        for label in class_fields(path):
            sizes[label] = sizes.get(label, 0) + size
    if not sizes:
        return []
    heading = style.heading("Bytes by field (everything below Class.field)")
    return [heading, *size_rows(top(sizes, count), total, style)]


def gap_source(path: Sequence[str]) -> str:
    """Where a gap stack's bytes come from: ``Product.attributes: dict (unused_capacity)``."""
    owner_path = path[:-1]
    if not owner_path:
        return path[-1]
    owner = owner_path[-1]
    kinds = list(classify(owner_path))
    fields = class_fields(owner_path)
    if kinds[-1] is FrameKind.TYPE or not fields:
        return f"{owner} ({path[-1]})"
    return f"{fields[-1]}: {owner} ({path[-1]})"


def _gaps(stacks: list[Stack], total: int, count: int, style: Style) -> list[str]:
    by_kind: dict[str, int] = {}
    by_source: dict[str, int] = {}
    for path, size in stacks:
        if path[-1] in GAPS:
            name = GAP_NAMES[path[-1]]
            by_kind[name] = by_kind.get(name, 0) + size
            source = gap_source(path)
            by_source[source] = by_source.get(source, 0) + size
    gaps = sum(by_kind.values())
    if not gaps:
        return [style.heading("Gaps: none")]
    lines = [style.heading(f"Gaps: {human_bytes(gaps)}, {share(gaps, total)} of the total")]
    lines += [
        style.paint(f"  {name} {human_bytes(size)}, {share(size, total)}", RED)
        for name, size in top(by_kind, len(by_kind))
    ]
    lines.append(style.heading("Largest sources of gaps"))
    return lines + size_rows(top(by_source, count), total, style)


def _outside(stacks: list[Stack], total: int, style: Style) -> list[str]:
    size = sum(size for path, size in stacks if path[-1] in OUTSIDE)
    if not size:
        return []
    text = f"Outside the Python heap (mapped, data): {human_bytes(size)}, {share(size, total)}"
    return [style.heading(text)]


MAX_WARNINGS = 5
"""Warnings the summary prints; the others are counted (``FlameGraphOutput.warnings`` has all)."""


def _warnings(warnings: Sequence[str], style: Style) -> list[str]:
    if not warnings:
        return []
    lines = [style.heading(f"Warnings ({len(warnings)})")]
    for warning in warnings[:MAX_WARNINGS]:
        wrapped = textwrap.wrap(warning, style.width - 4, break_on_hyphens=False)
        lines += [
            style.paint(f"  {'-' if i == 0 else ' '} {line}", YELLOW)
            for i, line in enumerate(wrapped)
        ]
    hidden = len(warnings) - MAX_WARNINGS
    if hidden > 0:
        lines.append(style.paint(f"  ... and {hidden:,} more", YELLOW))
    return lines
