"""The flame graph as a nested JSON tree (name, value, self, children), as d3 reads it."""

from __future__ import annotations

import json
from collections.abc import Sequence

from allocative._flamegraph import FlameGraph
from allocative._render.layout import ROOT_NAME, totals

FORMAT_VERSION = 1


def tree_json(graph: FlameGraph, warnings: Sequence[str] = (), engine: str = "") -> str:
    """``{"version", "total", "engine", "warnings", "tree"}``; children by key, no recursion.

    ``engine`` is the engine that measured, empty when unknown.

    Each node is ``{"name", "value" (total bytes), "self" (own bytes), "children"}``.
    """
    sums = totals(graph)
    head = json.dumps(
        {
            "version": FORMAT_VERSION,
            "total": sums[id(graph)],
            "engine": engine,
            "warnings": list(warnings),
        },
        ensure_ascii=False,
    )
    parts = [head[:-1], ', "tree": ']
    pending: list[tuple[str, FlameGraph] | str] = [(ROOT_NAME, graph)]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        name, node = item
        parts.append(
            f'{{"name": {json.dumps(name, ensure_ascii=False)}, "value": {sums[id(node)]}, '
            f'"self": {node.self_size}, "children": ['
        )
        pending.append("]}")
        keys = sorted(node.children)
        for position, key in reversed(list(enumerate(keys))):
            pending.append((key, node.children[key]))
            if position:
                pending.append(", ")
    parts.append("}\n")
    return "".join(parts)
