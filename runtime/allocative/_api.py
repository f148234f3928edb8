"""Measuring entry points: :func:`size_of` and :class:`FlameGraphBuilder`."""

from __future__ import annotations

from dataclasses import dataclass, field

from allocative import _registry
from allocative._flamegraph import FlameGraph
from allocative._frame_visitor import DEFAULT_MAX_DEPTH, FrameVisitor
from allocative._size_visitor import SizeVisitor


def size_of(obj: object, *, allocator_overhead: bool = False) -> int:
    """Total bytes of ``obj``'s tree, each object counted once.

    With ``allocator_overhead`` the allocator's rounding of each block is added.
    """
    return SizeVisitor(allocator_overhead=allocator_overhead).measure(obj)


@dataclass
class FlameGraphOutput:
    """The result of a measurement: the flame graph and what could not be measured exactly."""

    flamegraph: FlameGraph
    warnings: list[str] = field(default_factory=list)

    @property
    def total_size(self) -> int:
        """Bytes of every root's tree."""
        return self.flamegraph.total_size

    def folded(self) -> str:
        """The flame graph as folded-stack text."""
        return self.flamegraph.write()


class FlameGraphBuilder:
    """Measures one or more roots into a single flame graph.

    Objects shared between roots are counted once, under the first root that
    reaches them. Roots with the same name merge into one frame.
    """

    def __init__(
        self, *, allocator_overhead: bool = False, max_depth: int = DEFAULT_MAX_DEPTH
    ) -> None:
        self._visitor: FrameVisitor | None = FrameVisitor(
            allocator_overhead=allocator_overhead, max_depth=max_depth
        )

    def _live(self) -> FrameVisitor:
        if self._visitor is None:
            raise RuntimeError("FlameGraphBuilder.finish() was already called")
        return self._visitor

    def visit_root(self, obj: object, name: str | None = None) -> None:
        """Measure ``obj``'s tree under the frame ``name`` (default: its type's name)."""
        self._live().visit_root(obj, name)

    def visit_global_roots(self) -> None:
        """Measure every root added with :func:`allocative.register_root`."""
        for name, obj in _registry.global_roots():
            self.visit_root(obj, name)

    def finish(self) -> FlameGraphOutput:
        """The flame graph and warnings; the builder keeps no reference to anything measured."""
        visitor = self._live()
        self._visitor = None
        visitor.release()
        return FlameGraphOutput(visitor.graph, visitor.finish_warnings())
