"""Table cells: labels cut to fit their room, and never two different labels printed the same.

A long stack keeps its root and its deepest frames and elides the middle
with ``...``. When two rows would then print the same, each keeps the frames
where it leaves the other (``Exchange;bids;...`` against ``Exchange;asks;...``)
even if the cell must pass its room; a row that still clashes prints in full.
Telling rows apart matters more than the width.
"""

from __future__ import annotations

from collections.abc import Sequence

ELLIPSIS = "..."
PARTIAL = 10
"""The fewest characters of a long frame's end worth showing where the whole frame does not fit."""
_FULL = None
"""A row's state once nothing shorter tells it apart: the label printed in full."""


def shorten(label: str, room: int) -> str:
    """``label`` cut from the left to ``room`` characters, marked with ``...``."""
    if len(label) <= room:
        return label
    return ELLIPSIS + label[len(label) - room + 3 :] if room > 3 else label[-room:]


def label_cells(labels: Sequence[str], room: int) -> list[str]:
    """Each label cut from the left to ``room``; labels that would print the same print in full."""
    cells = [shorten(label, room) for label in labels]
    while clashes := [row for rows in _clashes(cells) for row in rows if cells[row] != labels[row]]:
        for row in clashes:
            cells[row] = labels[row]
    return cells


def stack_cells(stacks: Sequence[str], room: int) -> list[str]:
    """Each ``;``-joined stack as a cell of ``room`` characters if it is told apart in that room.

    Distinct stacks always give distinct cells (the last resort is the whole stack).
    """
    paths = [stack.split(";") for stack in stacks]
    kept: list[frozenset[int] | None] = [frozenset()] * len(paths)
    while True:
        cells = [
            ";".join(path) if keep is _FULL else _stack_cell(path, keep, room)
            for path, keep in zip(paths, kept, strict=True)
        ]
        before = list(kept)
        for rows in _clashes(cells):
            for row in rows:
                kept[row] = _telling(paths, row, rows, kept[row])
        if kept == before:
            return cells


def _clashes(cells: Sequence[str]) -> list[list[int]]:
    """The groups of rows (two or more) whose cells are the same text."""
    rows_of: dict[str, list[int]] = {}
    for row, cell in enumerate(cells):
        rows_of.setdefault(cell, []).append(row)
    return [rows for rows in rows_of.values() if len(rows) > 1]


def _telling(
    paths: Sequence[Sequence[str]], row: int, rows: Sequence[int], keep: frozenset[int] | None
) -> frozenset[int] | None:
    """``keep`` plus the frames where ``row``'s stack leaves each other stack of ``rows``.

    ``_FULL`` when that adds nothing: only the whole stack can tell the row apart.
    """
    if keep is _FULL:
        return _FULL
    path = paths[row]
    more = set(keep)
    for other in rows:
        if other != row:
            split = _common_prefix(path, paths[other])
            if split < len(path):
                more.add(split)
    return frozenset(more) if more != keep else _FULL


def _common_prefix(first: Sequence[str], second: Sequence[str]) -> int:
    for index, (one, two) in enumerate(zip(first, second, strict=False)):
        if one != two:
            return index
    return min(len(first), len(second))


def _stack_cell(path: Sequence[str], telling: frozenset[int], room: int) -> str:
    """The root, the ``telling`` frames and as many of the deepest frames as fit in ``room``.

    With nothing to tell apart and no room even for the root and the last
    frame, the stack is cut from the left; with frames to tell apart, it
    keeps them all and may pass ``room``.
    """
    whole = ";".join(path)
    if len(whole) <= room:
        return whole
    keep = {0, len(path) - 1} | telling
    cell = _joined(path, keep)
    if len(cell) > room:
        return shorten(whole, room) if not telling else cell
    for index in range(len(path) - 2, 0, -1):
        if index in keep:
            continue
        longer = _joined(path, keep | {index})
        if len(longer) > room:
            return _with_end_of(path, keep, index, room - len(cell))
        keep.add(index)
        cell = longer
    return cell


def _with_end_of(path: Sequence[str], keep: set[int], index: int, spare: int) -> str:
    """The kept frames with the end of frame ``index`` (which does not fit) in ``spare`` columns.

    ``dict;...;__dict__`` becomes ``dict;...OrderBookLevel;__dict__``: the end
    of a long type or field name next to the tail says more than nothing. Ends
    shorter than :data:`PARTIAL` are left out as noise.
    """
    cell = _joined(path, keep)
    shown = min(spare, len(path[index]) - 1)
    if shown < PARTIAL:
        return cell
    head = _joined(path, {kept for kept in keep if kept < index})
    tail = ";".join(path[index + 1 :])
    return f"{head};{ELLIPSIS}{path[index][-shown:]};{tail}"


def _joined(path: Sequence[str], keep: set[int]) -> str:
    """The kept frames joined by ``;``, each run of left-out frames written ``...``.

    A single left-out frame no longer than ``...`` is written as itself.
    """
    parts: list[str] = []
    previous = -1
    for index in sorted(keep):
        gap = index - previous - 1
        if gap == 1 and len(path[previous + 1]) <= len(ELLIPSIS):
            parts.append(path[previous + 1])
        elif gap:
            parts.append(ELLIPSIS)
        parts.append(path[index])
        previous = index
    return ";".join(parts)
