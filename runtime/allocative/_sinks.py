"""Where an engine files the bytes it measures: a :class:`~allocative.FlameGraph` for a
flame graph, or a :class:`Sum` for ``size_of``.

The walk files every object the same way, under its frames (``node.child(name)``); a
Sum is its own child under every name, so that a walk into one counts every byte once,
at one place, and builds nothing.
"""

from __future__ import annotations

from allocative._flamegraph import FlameGraph


class Sum(FlameGraph):
    """A total: the frame that is its own child under every name."""

    __slots__ = ()

    def child(self, key: str) -> FlameGraph:
        """This very node, remembered under ``key`` so the next lookup of it is a dict hit."""
        self.children[key] = self
        return self

    @property
    def total_size(self) -> int:
        """The bytes counted."""
        return self.self_size

    def close(self) -> FlameGraph:
        """A plain frame holding the total, and no more reference to itself."""
        self.children.clear()
        return FlameGraph(self.self_size)
