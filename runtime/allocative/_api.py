"""Measuring entry points: :func:`size_of` and :class:`FlameGraphBuilder`."""

from __future__ import annotations

from allocative import _engine, _registry
from allocative._flamegraph import FlameGraph
from allocative._protocols import Engine, PendingGraph
from allocative._walk import DEFAULT_MAX_DEPTH


def size_of(obj: object, *, allocator_overhead: bool = False) -> int:
    """Total bytes of ``obj``'s tree, each object counted once.

    With ``allocator_overhead`` the allocator's rounding of each block is added.
    """
    return _engine.new_engine(allocator_overhead=allocator_overhead).measure(obj)


def retained_size(obj: object, *, allocator_overhead: bool = False) -> int:
    """Bytes that would be freed if the caller's last reference to ``obj`` were dropped.

    What something outside ``obj``'s tree also holds stays, with all it reaches;
    cycles inside the tree are freed with it (by the garbage collector). The
    caller must hold ``obj`` in exactly one place: with more, nothing is freed.
    Raises :class:`RetainedSizeUnavailable` where reference counts cannot be
    trusted (the gate: PyPy, free-threaded and untested builds). The result is
    never negative and never more than ``obj``'s tree held; when the tree changed
    between the walks (a lazily filled cache, another thread) it is a bound, and
    a :class:`ChangedWhileMeasured` warning says so.
    """
    import warnings

    from allocative import _retained

    roots = [obj]
    # References to obj on the caller's side: the caller's own, this parameter, ``roots``.
    retention = _retained.retention(roots, 3, allocator_overhead=allocator_overhead)
    if retention.changed:
        warnings.warn(_retained.changed_warning(retention), _retained.ChangedWhileMeasured, 2)
    return retention.retained


class FlameGraphOutput:
    """A measurement: the flame graph, what could not be measured exactly, and the engine used.

    ``engine`` names the engine that measured (``"python"``, the reference
    engine); it is empty when unknown, as for a measurement read back from
    folded text. The compiled engine's tree becomes a :class:`FlameGraph` on
    first use of ``flamegraph``: a measurement that only needs its total never
    builds one Python object per frame.
    """

    def __init__(
        self,
        flamegraph: FlameGraph | PendingGraph,
        warnings: list[str] | None = None,
        engine: str = "python",
        *,
        retained: bool = False,
    ) -> None:
        self._graph: FlameGraph | None = None
        self._pending: PendingGraph | None = None
        if isinstance(flamegraph, FlameGraph):
            self._graph = flamegraph
        else:
            self._pending = flamegraph
        self.warnings = [] if warnings is None else warnings
        self.engine = engine
        self.retained = retained
        """Whether what stays is filed under ``[shared]`` (``FlameGraphBuilder(retained=True)``)."""

    @property
    def flamegraph(self) -> FlameGraph:
        """The flame graph, built from the engine's tree the first time it is read."""
        if self._graph is None:
            assert self._pending is not None
            self._graph = self._pending.graph()
            self._pending = None
        return self._graph

    @flamegraph.setter
    def flamegraph(self, graph: FlameGraph) -> None:
        self._graph, self._pending = graph, None

    @property
    def total_size(self) -> int:
        """Bytes of every root's tree."""
        if self._graph is None:
            assert self._pending is not None
            return self._pending.total()
        return self._graph.total_size

    def __repr__(self) -> str:
        return (
            f"FlameGraphOutput(total_size={self.total_size}, "
            f"warnings={len(self.warnings)}, engine={self.engine!r})"
        )

    def folded(self) -> str:
        """The flame graph as folded-stack text."""
        return self.flamegraph.write()

    # -- rendering: allocative._render loads on first use; SVGs need jinja2 ----------

    @classmethod
    def from_folded(cls, text: str, source: str = "<folded>") -> FlameGraphOutput:
        """A measurement read back from folded-stack text (``a;b;c 123`` lines).

        Folded text holds neither warnings nor the engine, so both are empty.
        """
        from allocative._render.folded import parse_folded

        return cls(parse_folded(text, source), engine="")

    def svg(self, title: str = "Memory flame graph") -> str:
        """A self-contained SVG flame graph that fits the window: zoom, search, warnings, engine."""
        from allocative._render.svg import flame_svg

        return flame_svg(self.flamegraph, title, self.warnings, self.engine)

    def speedscope(self, name: str = "allocative") -> str:
        """A speedscope file (the "sampled" format, weights in bytes)."""
        from allocative._render.speedscope import speedscope_json

        return speedscope_json(self.flamegraph, name)

    def summary(self, top: int = 10, *, width: int | None = None, colour: bool = False) -> str:
        """A summary for a terminal: total, largest stacks, by type, by field, gaps, warnings.

        ``width`` is in columns; ``None`` is the terminal's width (``COLUMNS`` first).
        """
        from allocative._render.summary import summary_text
        from allocative._render.table import Style

        style = Style.fitting(width, colour)
        return summary_text(self.flamegraph, self.warnings, top, style, self.engine, self.retained)

    def to_json(self) -> str:
        """The tree as JSON: version, total, engine, warnings and the nested tree d3 reads."""
        from allocative._render.json_tree import tree_json

        return tree_json(self.flamegraph, self.warnings, self.engine)

    def diff_svg(self, before: FlameGraphOutput, title: str = "Memory difference") -> str:
        """A differential SVG flame graph from ``before`` to this measurement."""
        from allocative._render.diff import diff_svg

        return diff_svg(before.flamegraph, self.flamegraph, title)

    def diff_summary(
        self,
        before: FlameGraphOutput,
        top: int = 10,
        *,
        width: int | None = None,
        colour: bool = False,
    ) -> str:
        """The largest changes from ``before`` to this measurement, by stack and by type.

        ``width`` is in columns; ``None`` is the terminal's width (``COLUMNS`` first).
        """
        from allocative._render.diff import diff_text
        from allocative._render.table import Style

        return diff_text(before.flamegraph, self.flamegraph, top, Style.fitting(width, colour))


class FlameGraphBuilder:
    """Measures one or more roots into a single flame graph.

    Objects shared between roots are counted once, under the first root that
    reaches them. Roots with the same name merge into one frame.

    With ``retained``, the bytes that would stay if the caller dropped its
    reference to every root (held from outside the tree, see
    :func:`retained_size`) are filed under a ``[shared]`` frame below their
    root's frame, at the stacks where they are met; the roots are measured at
    :meth:`finish`, and are held until then.
    """

    def __init__(
        self,
        *,
        allocator_overhead: bool = False,
        max_depth: int = DEFAULT_MAX_DEPTH,
        retained: bool = False,
    ) -> None:
        self._engine = _engine.engine()
        self._overhead = allocator_overhead
        self._max_depth = max_depth
        self._retained: tuple[list[object], list[str | None]] | None = None
        if retained:
            from allocative import _retained

            _retained.check_available()
            self._retained = ([], [])
        self._visitor: Engine | None = self._frame_engine()

    def _frame_engine(self) -> Engine:
        return _engine.new_engine(
            frames=True, allocator_overhead=self._overhead, max_depth=self._max_depth
        )

    def _live(self) -> Engine:
        if self._visitor is None:
            raise RuntimeError("FlameGraphBuilder.finish() was already called")
        return self._visitor

    def visit_root(self, obj: object, name: str | None = None) -> None:
        """Measure ``obj``'s tree under the frame ``name`` (default: its type's name)."""
        visitor = self._live()
        if self._retained is None:
            visitor.visit_root(obj, name)
        else:
            self._retained[0].append(obj)
            self._retained[1].append(name)

    def visit_global_roots(self) -> None:
        """Measure every root added with :func:`allocative.register_root`."""
        for name, obj in _registry.global_roots():
            self.visit_root(obj, name)

    def finish(self) -> FlameGraphOutput:
        """The flame graph and warnings; the builder keeps no reference to anything measured."""
        visitor = self._live()
        self._visitor = None
        retained = self._retained is not None
        if self._retained is None:
            graph, warnings = visitor.finish()
        else:
            roots, names = self._retained
            self._retained = None
            graph, warnings = self._retained_graph(visitor, roots, names)
        notice = self._engine.notice
        if notice is not None:
            warnings.insert(0, notice)
        return FlameGraphOutput(graph, warnings, engine=self._engine.name, retained=retained)

    def _retained_graph(
        self, full: Engine, roots: list[object], names: list[str | None]
    ) -> tuple[FlameGraph, list[str]]:
        """The full graph, and the graph of what goes with the roots: the difference is
        what stays, filed under ``[shared]`` (see allocative._retained)."""
        from allocative import _retained

        # References to each root on the caller's side: the caller's own and ``roots``.
        retention = _retained.retention(roots, 2, allocator_overhead=self._overhead)
        gone = self._frame_engine()
        gone._exclude_claimed(retention.survivors)
        retention.survivors.release()
        # One walk after the other: an engine holds what it claimed until it finishes,
        # and the second must see the counts the tree alone gives.
        for index in range(len(roots)):
            full.visit_root(roots[index], names[index])
        whole, warnings = full.finish()
        for index in range(len(roots)):
            gone.visit_root(roots[index], names[index])
        roots.clear()
        freed, _ = gone.finish()
        graph, unplaced = _retained.file_shared(_graph(whole), _graph(freed))
        if unplaced:
            warnings.append(_retained.unplaced_warning(unplaced))
        if retention.changed:
            warnings.append(_retained.changed_warning(retention))
        return graph, warnings


def _graph(graph: FlameGraph | PendingGraph) -> FlameGraph:
    return graph if isinstance(graph, FlameGraph) else graph.graph()
