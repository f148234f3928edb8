"""Memory that malloc never saw: numpy buffers and their views, an mmap, and an arena.

``tracemalloc`` and ``sys.getsizeof`` see none of this, or see it twice. The
runtime reports a numpy array's buffer under ``data`` (once, whichever view
reaches it first), an mmap's mapping under ``mapped``, and the arena below
reports its one big bytearray slice by slice with a custom visit function,
as the Rust crate's bumpalo support does. Run with
``python -m examples.outside_heap [OUT_DIR]``.
"""

from __future__ import annotations

import mmap
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

import numpy as np
import numpy.typing as npt

from allocative import FlameGraphBuilder, allocative, visit_with
from examples._report import out_dir, report

if TYPE_CHECKING:
    from allocative import Visitor


class Arena:
    """One big bytearray handed out in slices; each slice is remembered as (kind, offset, size)."""

    __slots__ = ("buffer", "slices", "top")

    def __init__(self, capacity: int) -> None:
        self.buffer = bytearray(capacity)
        self.slices: list[tuple[str, int, int]] = []
        self.top = 0

    def allocate(self, kind: str, data: bytes) -> memoryview:
        """Copy ``data`` into the next free slice and return a view of it."""
        start, end = self.top, self.top + len(data)
        if end > len(self.buffer):
            raise MemoryError("arena full")
        self.buffer[start:end] = data
        self.slices.append((kind, start, len(data)))
        self.top = end
        return memoryview(self.buffer)[start:end]


def visit_arena(arena: Arena, visitor: Visitor) -> None:
    """Report the arena's buffer by what its slices hold, and the free tail as a gap."""
    used: dict[str, int] = {}
    for kind, _, size in arena.slices:
        used[kind] = used.get(kind, 0) + size
    visitor.enter("bytearray", sys.getsizeof(arena.buffer) - len(arena.buffer))
    for kind in sorted(used):
        visitor.visit_simple(kind, used[kind])
    visitor.visit_simple("unused_capacity", len(arena.buffer) - arena.top)
    visitor.exit()
    visitor.visit_field("slices", arena.slices)


@allocative
@dataclass
class FeatureStore:
    """A model's features: a matrix and views into it, a memory-mapped index, an arena of rows."""

    matrix: npt.NDArray[np.float64]
    recent: npt.NDArray[np.float64]
    norms: npt.NDArray[np.float64]
    index: mmap.mmap
    arena: Annotated[Arena, visit_with(visit_arena)]
    names: list[str] = field(default_factory=list)

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_field("matrix", self.matrix)
        visitor.visit_field("recent", self.recent)
        visitor.visit_field("norms", self.norms)
        visitor.visit_field("index", self.index)
        visitor.visit_field_with("arena", self.arena, visit_arena)
        visitor.visit_list("names", self.names, str)


def build_store(rows: int = 4_000, columns: int = 64) -> FeatureStore:
    """A deterministic store; ``recent`` is a view of ``matrix``, so its buffer counts once."""
    matrix = np.arange(rows * columns, dtype=np.float64).reshape(rows, columns)
    arena = Arena(1 << 20)
    for row in range(rows):
        arena.allocate("keys", f"row-{row:05d}".encode())
        if row % 3 == 0:
            arena.allocate("payloads", bytes(96))
    index = mmap.mmap(-1, 1 << 21)
    return FeatureStore(
        matrix=matrix,
        recent=matrix[-500:],
        norms=np.linalg.norm(matrix, axis=1),
        index=index,
        arena=arena,
        names=[f"feature_{n}" for n in range(columns)],
    )


def main(argv: list[str]) -> int:
    """Measure the feature store, print its summary and write ``outside_heap.svg``."""
    folder = out_dir(argv)
    store = build_store()
    builder = FlameGraphBuilder()
    builder.visit_root(store)
    output = builder.finish()
    store.index.close()
    report(output, folder, "outside_heap", "FeatureStore: numpy, mmap and an arena")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
