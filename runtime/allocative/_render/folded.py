"""Reading folded-stack text (``a;b;c 123`` lines) back into a flame graph."""

from __future__ import annotations

from allocative._flamegraph import FlameGraph
from allocative._render.errors import MalformedFolded


def parse_folded(text: str, source: str = "<folded>") -> FlameGraph:
    """The flame graph of folded-stack ``text``; identical stacks add up, blank lines are skipped.

    A malformed line raises :class:`MalformedFolded` naming ``source`` and the line.
    """
    graph = FlameGraph()
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            frames, size = _parse_line(line, source, number)
            graph.add_stack(frames, size)
    return graph


def _parse_line(line: str, source: str, number: int) -> tuple[list[str], int]:
    stack, space, count = line.rstrip().rpartition(" ")
    if not space or not stack.strip():
        raise MalformedFolded(source, number, "expected 'frame;frame;... bytes'")
    if not count.isascii() or not count.isdigit():
        reason = f"the byte count {count!r} is not a non-negative integer"
        raise MalformedFolded(source, number, reason)
    frames = stack.split(";")
    if any(not frame for frame in frames):
        raise MalformedFolded(source, number, "empty frame name in the stack")
    return frames, int(count)
