"""Renderers of a measurement: SVG flame graphs, speedscope, a terminal summary, JSON, diffs.

Nothing here is imported by ``import allocative``; ``FlameGraphOutput``'s
rendering methods and the ``allocative`` command import it on first use.
"""
