"""The compiled engine's seen set against a Python set of ids: bytes per object and time per add.

    python benchmarks/address_set.py [N ...]      (default: 100,000 1,000,000 10,000,000)

Each N is run on N fresh objects: the peak bytes tracemalloc saw while the
set was filled (the set object and its table; for the Python set, also the
int of each id), per object, and the median of 3 fills, per object.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable

from allocative._core import AddressSet

DEFAULT_SIZES = (100_000, 1_000_000, 10_000_000)


def fill_address_set(objects: list[object]) -> object:
    addresses = AddressSet()
    add = addresses.add
    for obj in objects:
        add(obj)
    return addresses


def fill_id_set(objects: list[object]) -> object:
    ids: set[int] = set()
    add = ids.add
    for obj in objects:
        add(id(obj))
    return ids


def peak_bytes(fill: Callable[[list[object]], object], objects: list[object]) -> int:
    """The most memory tracemalloc saw held while ``fill`` ran, beyond what was held before."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    kept = fill(objects)
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    del kept
    return peak


def seconds(fill: Callable[[list[object]], object], objects: list[object]) -> float:
    """The median time of 3 fills."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        kept = fill(objects)
        times.append(time.perf_counter() - start)
        del kept
    return statistics.median(times)


def main(sizes: list[int]) -> None:
    print(f"{'objects':>12} {'set':>11} {'peak B/obj':>11} {'ns/add':>8}")
    for size in sizes:
        objects = [object() for _ in range(size)]
        for name, fill in (("AddressSet", fill_address_set), ("set of ids", fill_id_set)):
            peak = peak_bytes(fill, objects) / size
            nanos = seconds(fill, objects) / size * 1e9
            print(f"{size:>12,} {name:>11} {peak:>11.1f} {nanos:>8.1f}")


if __name__ == "__main__":
    main([int(arg.replace(",", "").replace("_", "")) for arg in sys.argv[1:]] or [*DEFAULT_SIZES])
