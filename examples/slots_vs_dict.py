"""The cost of ``__dict__`` instances against ``__slots__`` classes and ``slots=True`` dataclasses.

The same 50,000 points are stored three ways and measured as three roots of
one flame graph: the ``__dict__`` frames (per-instance attribute storage) show
what the plain class pays. Run with ``python -m examples.slots_vs_dict [OUT_DIR]``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from allocative import FlameGraphBuilder, allocative
from examples._report import out_dir, report

if TYPE_CHECKING:
    from allocative import Visitor


@allocative
class DictPoint:
    """A plain class: attributes live in per-instance storage (``__dict__``)."""

    def __init__(self, x: float, y: float, label: str) -> None:
        self.x = x
        self.y = y
        self.label = label

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_float("x", self.x)
        visitor.visit_float("y", self.y)
        visitor.visit_str("label", self.label)


@allocative
class SlotsPoint:
    """A ``__slots__`` class: attributes live in the instance itself."""

    __slots__ = ("label", "x", "y")

    def __init__(self, x: float, y: float, label: str) -> None:
        self.x = x
        self.y = y
        self.label = label

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_float("x", self.x)
        visitor.visit_float("y", self.y)
        visitor.visit_str("label", self.label)


@allocative
@dataclass(slots=True)
class DataPoint:
    """A ``slots=True`` dataclass: the same layout as ``SlotsPoint``, written for you."""

    x: float
    y: float
    label: str

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_float("x", self.x)
        visitor.visit_float("y", self.y)
        visitor.visit_str("label", self.label)


def coordinates(count: int) -> list[tuple[float, float, str]]:
    """``count`` deterministic points with short labels."""
    return [(n * 0.5, n * 0.25, f"p{n}") for n in range(count)]


def main(argv: list[str]) -> int:
    """Measure three lists of the same points, print the summary and bytes per point."""
    folder = out_dir(argv)
    count = 50_000
    builder = FlameGraphBuilder()
    lists: dict[str, list[object]] = {
        "dict_points": [DictPoint(*point) for point in coordinates(count)],
        "slots_points": [SlotsPoint(*point) for point in coordinates(count)],
        "dataclass_points": [DataPoint(*point) for point in coordinates(count)],
    }
    for name, points in lists.items():
        builder.visit_root(points, name)
    output = builder.finish()
    report(output, folder, "slots_vs_dict", "50,000 points: __dict__ vs __slots__", top=6)
    print()
    for name, node in sorted(output.flamegraph.children.items()):
        print(f"{name:>16}: {node.total_size / count:6.1f} bytes per point")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
