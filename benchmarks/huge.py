"""Deep and huge trees: a 10,000,000-object tree and a 1,000,000-long chain.

Measures each with ``size_of`` and the flame graph of the engine that measures
(the compiled one where it is built; ``--engine python`` for the other) and
reports the time, the total, and the engine's own bookkeeping: the peak of its
seen set, stack and journal, and, for the flame graph, the frame tree it
builds. Nothing here asserts a figure; the tests check the totals.

    .venv/bin/python benchmarks/huge.py                 # 10,000,000 objects, about a minute
    .venv/bin/python benchmarks/huge.py --objects 1000000
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import tracemalloc
from dataclasses import dataclass
from typing import Any

OBJECTS_PER_RECORD = 10
"""A record, its name, its list, the list's 5 floats, its dict, the dict's int value."""


@dataclass
class Record:
    """A record of the huge tree, with the method allocative-gen writes."""

    name: str
    values: list[float]
    meta: dict[str, int]

    def __allocative__(self, visitor: Any) -> None:
        visitor.visit_str("name", self.name)
        visitor.visit_list("values", self.values, float)
        visitor.visit_dict("meta", self.meta, str, int)


@dataclass
class Link:
    """One link of the chain."""

    value: float
    next: Link | None

    def __allocative__(self, visitor: Any) -> None:
        visitor.visit_float("value", self.value)
        visitor.visit_field("next", self.next)


def huge(objects: int) -> list[list[Record]]:
    """About ``objects`` objects: records in lists of 1,000."""
    records = objects // OBJECTS_PER_RECORD
    return [
        [
            Record(f"record-{start + i}", [start + i + j * 0.5 for j in range(5)], {"n": 1000 + i})
            for i in range(min(1000, records - start))
        ]
        for start in range(0, records, 1000)
    ]


def chain(length: int) -> Link:
    head = None
    for index in range(length):
        head = Link(index + 0.5, head)
    assert head is not None
    return head


def measure(name: str, value: object, objects: int) -> None:
    import allocative
    from allocative import FlameGraphBuilder, size_of

    gc.collect()
    start = time.process_time()
    total = size_of(value)
    sized = time.process_time() - start
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    size_of(value)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    gc.collect()
    start = time.process_time()
    builder = FlameGraphBuilder()
    builder.visit_root(value)
    output = builder.finish()
    drawn = time.process_time() - start
    assert output.total_size == total
    print(
        f"{name}: {objects:,} objects, {total:,} B; {allocative.engine()}\n"
        f"  size_of {sized:.2f} s, traced peak {peak / objects:.1f} B per object\n"
        f"  flame graph {drawn:.2f} s, {len(output.folded().splitlines()):,} stacks"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=10_000_000)
    parser.add_argument("--chain", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=("python", "compiled"))
    args = parser.parse_args()
    if args.engine:
        os.environ["ALLOCATIVE_ENGINE"] = args.engine
    tree = huge(args.objects)
    measure("huge tree", tree, args.objects)
    del tree
    head = chain(args.chain)
    measure("chain", head, 2 * args.chain)
    print(f"Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
