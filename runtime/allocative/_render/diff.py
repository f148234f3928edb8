"""Comparing two measurements: a differential flame graph and a table of the largest changes."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from allocative._flamegraph import FlameGraph
from allocative._render.colours import delta_fill
from allocative._render.errors import EmptyGraph
from allocative._render.frames import GAPS, human_bytes, owning_type, signed_bytes
from allocative._render.layout import Frame, place, totals
from allocative._render.moves import EXPLANATION, Moves, describe, possible_moves, type_change
from allocative._render.svg import Geometry, below, draw, notes_box, page_height
from allocative._render.table import Style, change_rows
from allocative._render.templating import render_template

Change = tuple[int, int]


def combine(before: FlameGraph, after: FlameGraph) -> tuple[FlameGraph, dict[int, Change]]:
    """A tree with every stack of either side, each as large as its larger side.

    Returns the tree and, by ``id(node)``, each node's total bytes before and after.
    """
    before_sums, after_sums = totals(before), totals(after)
    combined = FlameGraph()
    changes: dict[int, Change] = {}
    pending: list[tuple[FlameGraph, FlameGraph | None, FlameGraph | None]] = [
        (combined, before, after)
    ]
    while pending:
        node, old, new = pending.pop()
        node.self_size = max(old.self_size if old else 0, new.self_size if new else 0)
        changes[id(node)] = (
            before_sums[id(old)] if old else 0,
            after_sums[id(new)] if new else 0,
        )
        keys = set(old.children if old else ()) | set(new.children if new else ())
        for key in sorted(keys):
            pending.append(
                (
                    node.child(key),
                    old.children.get(key) if old else None,
                    new.children.get(key) if new else None,
                )
            )
    return combined, changes


def diff_svg(
    before: FlameGraph,
    after: FlameGraph,
    title: str = "Memory difference",
    geometry: Geometry | None = None,
) -> str:
    """The differential flame graph: frames as wide as the larger side, red grew, blue shrank."""
    geometry = geometry or Geometry()
    combined, changes = combine(before, after)
    size = combined.total_size
    if size == 0:
        raise EmptyGraph("both flame graphs are empty: no stack holds any bytes")
    moves = possible_moves(_own_bytes(before), _own_bytes(after))
    notes = notes_box(f"Notes ({len(moves)})", [describe(item) for item in moves], geometry)
    framed = below(notes, geometry)
    frames = place(combined, geometry.min_size(size))

    def change(frame: Frame) -> Change | None:
        return changes[id(frame.node)] if frame.node is not None else None

    sides_of = [sides for sides in map(change, frames[1:]) if sides is not None]
    largest = max((abs(new - old) for old, new in sides_of), default=0)

    def fill(frame: Frame) -> str:
        sides = change(frame)
        return delta_fill(sides[1] - sides[0], largest) if sides else "rgb(215,215,215)"

    drawn = draw(frames, framed, fill, change, lambda frame: "#000")
    old, new = changes[id(combined)]
    legend = [
        ("grew", delta_fill(1, 1)),
        ("shrank", delta_fill(-1, 1)),
        ("unchanged", delta_fill(0, 1)),
    ]
    return render_template(
        "flamegraph.svg.j2",
        mode="diff",
        title=title,
        subtitle=f"{_total_change(old, new)}; frames as wide as the larger side",
        engine="",
        notes=notes,
        legend=legend,
        frames=drawn,
        total=size,
        geometry=geometry,
        height=page_height(drawn, framed),
    )


def _total_change(before: int, after: int) -> str:
    delta = after - before
    percent = f", {100 * delta / before:+.1f}%" if before else ""
    return f"{human_bytes(before)} -> {human_bytes(after)} ({signed_bytes(delta)}{percent})"


def _own_bytes(graph: FlameGraph) -> dict[tuple[str, ...], int]:
    return dict(graph.stacks())


def _by_type(stacks: dict[tuple[str, ...], int]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for path, size in stacks.items():
        owner = owning_type(path)
        sizes[owner] = sizes.get(owner, 0) + size
    return sizes


def _changes(
    before: dict[str, int], after: dict[str, int], count: int
) -> Iterable[tuple[str, int, int]]:
    rows = [(key, before.get(key, 0), after.get(key, 0)) for key in before.keys() | after.keys()]
    changed = [row for row in rows if row[1] != row[2]]
    changed.sort(key=lambda row: (-abs(row[2] - row[1]), row[0]))
    return changed[:count]


def diff_text(
    before: FlameGraph, after: FlameGraph, count: int = 10, style: Style | None = None
) -> str:
    """The largest changes between two measurements, by stack and by type, and of the gaps."""
    style = style or Style()
    old, new = _own_bytes(before), _own_bytes(after)
    if not old and not new:
        raise EmptyGraph("both flame graphs are empty: no stack holds any bytes")
    old_gaps = sum(size for path, size in old.items() if path[-1] in GAPS)
    new_gaps = sum(size for path, size in new.items() if path[-1] in GAPS)
    stack_rows = _changes(
        {";".join(k): v for k, v in old.items()}, {";".join(k): v for k, v in new.items()}, count
    )
    sections = [
        [style.heading(f"Total: {_total_change(sum(old.values()), sum(new.values()))}")],
        [style.heading(f"Gaps: {_total_change(old_gaps, new_gaps)}")],
        [
            style.heading("Largest changes by stack (own bytes)"),
            *change_rows(stack_rows, style, stacks=True),
        ],
        [
            style.heading("Largest changes by type"),
            *change_rows(_changes(_by_type(old), _by_type(new), count), style),
        ],
        _moves(possible_moves(old, new), count, style),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections if lines) + "\n"


MOVED_ROWS = 3
"""Stacks that grew, and stacks that shrank, listed per type in the section of possible moves."""


def _moves(found: list[Moves], count: int, style: Style) -> list[str]:
    """Growth that may be shared objects counted at another stack before; nothing if none."""
    if not found:
        return []
    lines = [style.heading("Growth that may have moved from another stack (shared objects)")]
    for moves in found[:count]:
        lines.append(f"  {type_change(moves)}")
        rows = moves.grew[:MOVED_ROWS] + moves.shrank[:MOVED_ROWS]
        lines += change_rows(rows, style, stacks=True)
    explanation = textwrap.wrap(EXPLANATION, style.width - 2, break_on_hyphens=False)
    return lines + [f"  {line}" for line in explanation]
