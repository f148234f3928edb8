"""The flame graph tree: frames keyed by name, each with the bytes it holds itself."""

from __future__ import annotations

from collections.abc import Iterator


class FlameGraph:
    """One frame of a flame graph and, below it, its children by key.

    ``self_size`` is the bytes held by this frame itself; ``total_size`` adds
    every descendant. Deep graphs (a long linked chain) are walked without
    recursion.
    """

    __slots__ = ("children", "self_size")

    def __init__(self, self_size: int = 0) -> None:
        self.children: dict[str, FlameGraph] = {}
        self.self_size = self_size

    def child(self, key: str) -> FlameGraph:
        """The child frame ``key``, created empty if missing."""
        node = self.children.get(key)
        if node is None:
            node = self.children[key] = FlameGraph()
        return node

    @property
    def total_size(self) -> int:
        """Bytes of this frame and all frames below it."""
        total = self.self_size
        pending = [self.children]
        while pending:
            for node in pending.pop().values():
                total += node.self_size
                if node.children:
                    pending.append(node.children)
        return total

    def add(self, other: FlameGraph) -> None:
        """Merge ``other`` into this graph: sizes of identical stacks add up."""
        pending = [(self, other)]
        while pending:
            into, source = pending.pop()
            into.self_size += source.self_size
            for key, child in source.children.items():
                pending.append((into.child(key), child))

    def add_stack(self, frames: list[str] | tuple[str, ...], size: int) -> None:
        """Add ``size`` bytes at the stack ``frames`` below this frame."""
        node = self
        for frame in frames:
            node = node.child(frame)
        node.self_size += size

    def stacks(self) -> Iterator[tuple[tuple[str, ...], int]]:
        """Each non-empty stack below this frame with its own bytes, children sorted by key."""
        pending: list[tuple[tuple[str, ...], FlameGraph]] = [((), self)]
        while pending:
            path, node = pending.pop()
            if node.self_size and path:
                yield path, node.self_size
            for key in sorted(node.children, reverse=True):
                pending.append(((*path, key), node.children[key]))

    def write(self) -> str:
        """Folded-stack text (``a;b;c 123`` lines) as flamegraph.pl, inferno, speedscope read."""
        return "".join(f"{';'.join(path)} {size}\n" for path, size in self.stacks())

    def __repr__(self) -> str:
        return f"FlameGraph(total_size={self.total_size}, children={len(self.children)})"
