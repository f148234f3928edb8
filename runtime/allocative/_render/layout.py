"""Placing frames: each frame's byte offset, width and depth, with too-narrow frames merged."""

from __future__ import annotations

from dataclasses import dataclass

from allocative._flamegraph import FlameGraph
from allocative._render.frames import FrameKind, step

ROOT_NAME = "all"


@dataclass(frozen=True, slots=True)
class Frame:
    """One placed frame; ``parent`` indexes the frame list (-1 for the root)."""

    index: int
    parent: int
    name: str
    kind: FrameKind
    depth: int
    start: int
    size: int
    node: FlameGraph | None


def totals(graph: FlameGraph) -> dict[int, int]:
    """Each node's total bytes by ``id(node)``, in one pass without recursion."""
    order: list[FlameGraph] = []
    pending = [graph]
    while pending:
        node = pending.pop()
        order.append(node)
        pending.extend(node.children.values())
    sums: dict[int, int] = {}
    for node in reversed(order):
        sums[id(node)] = node.self_size + sum(sums[id(c)] for c in node.children.values())
    return sums


def place(graph: FlameGraph, min_size: int) -> list[Frame]:
    """The frames of ``graph``, parents first, children by key, each of ``min_size`` bytes or more.

    Siblings smaller than ``min_size`` merge into one ``[N frames merged]`` frame
    after the others (drawn only if it is wide enough itself), as flamegraph.pl
    drops frames too narrow to see.
    """
    sums = totals(graph)
    frames = [Frame(0, -1, ROOT_NAME, FrameKind.ROOT, 0, 0, sums[id(graph)], graph)]
    pending: list[tuple[Frame, FlameGraph, bool]] = [(frames[0], graph, True)]
    while pending:
        parent, node, expect_type = pending.pop()
        start, depth = parent.start, parent.depth + 1
        wide, merged, merged_size = _split(node, sums, min_size)
        placed = []
        for key, child, size in wide:
            kind, next_expect = step(key, expect_type)
            frame = Frame(len(frames), parent.index, key, kind, depth, start, size, child)
            frames.append(frame)
            placed.append((frame, child, next_expect))
            start += size
        if merged and merged_size >= min_size:
            name = f"[{merged} frames merged]"
            kind = FrameKind.MERGED
            frames.append(
                Frame(len(frames), parent.index, name, kind, depth, start, merged_size, None)
            )
        pending.extend(reversed(placed))
    return frames


def _split(
    node: FlameGraph, sums: dict[int, int], min_size: int
) -> tuple[list[tuple[str, FlameGraph, int]], int, int]:
    """The children wide enough to draw, by key; and how many others there are, and their bytes."""
    wide = []
    merged = merged_size = 0
    for key in sorted(node.children):
        child = node.children[key]
        size = sums[id(child)]
        if size < min_size:
            merged, merged_size = merged + 1, merged_size + size
        else:
            wide.append((key, child, size))
    return wide, merged, merged_size
