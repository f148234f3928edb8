"""The speedscope file (the "sampled" format): one sample per stack, weighted by its bytes."""

from __future__ import annotations

import json
from typing import Any

from allocative._flamegraph import FlameGraph
from allocative._render.errors import EmptyGraph

SCHEMA = "https://www.speedscope.app/file-format-schema.json"


def speedscope_json(graph: FlameGraph, name: str = "allocative") -> str:
    """A speedscope file of ``graph``: frames shared by index, weights in bytes."""
    frame_index: dict[str, int] = {}
    samples: list[list[int]] = []
    weights: list[int] = []
    for path, size in graph.stacks():
        samples.append([frame_index.setdefault(frame, len(frame_index)) for frame in path])
        weights.append(size)
    if not weights:
        raise EmptyGraph("the flame graph is empty: no stack holds any bytes")
    document: dict[str, Any] = {
        "$schema": SCHEMA,
        "exporter": "allocative",
        "name": name,
        "activeProfileIndex": 0,
        "shared": {"frames": [{"name": frame} for frame in frame_index]},
        "profiles": [
            {
                "type": "sampled",
                "name": name,
                "unit": "bytes",
                "startValue": 0,
                "endValue": sum(weights),
                "samples": samples,
                "weights": weights,
            }
        ],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
