"""Allocator rounding: each kind's blocks, the overhead formula, and real allocator counters."""

from __future__ import annotations

import array
import collections
import decimal
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from allocative import FlameGraphBuilder, size_of
from allocative._resolve import resolve
from allocative._sizes import allocator_rounding
from tests.runtime.conftest import by_version, warm
from tests.runtime.test_accuracy_containers import (
    deque_that_shrank,
    floats,
    grown_array,
    grown_bytearray,
    keys,
)
from tests.runtime.test_accuracy_instances import Items, Three
from tests.runtime.test_accuracy_scalars import _non_ascii_with_utf8_cache, rt

pytestmark = pytest.mark.accuracy

ROOT = Path(__file__).resolve().parents[2]


def blocks(value: object) -> tuple[int, ...]:
    """The allocations the runtime says ``value`` is made of."""
    kind = resolve(type(value), {})
    assert kind.blocks is not None
    return kind.blocks(value)


def items_with_attribute() -> Items:
    """A list subclass instance whose attribute lives in a dict of its own."""
    return Items()


BLOCKS: dict[str, tuple[Any, dict[tuple[int, int], tuple[int, ...]]]] = {
    "float": (lambda: rt(0.5) * 3, dict.fromkeys([(3, 11), (3, 12), (3, 13)], (24,))),
    "list": (lambda: [None] * rt(10), dict.fromkeys([(3, 11), (3, 12), (3, 13)], (56, 80))),
    "empty list": (lambda: [], dict.fromkeys([(3, 11), (3, 12), (3, 13)], (56,))),
    "dict": (
        lambda: dict.fromkeys(keys(5)),
        dict.fromkeys([(3, 11), (3, 12), (3, 13)], (64, 120)),
    ),
    "set": (lambda: set(floats(5)), dict.fromkeys([(3, 11), (3, 12), (3, 13)], (216, 512))),
    "bytearray": (grown_bytearray, dict.fromkeys([(3, 11), (3, 12), (3, 13)], (56, 118))),
    "array": (grown_array, dict.fromkeys([(3, 11), (3, 12), (3, 13)], (80, 816))),
    "deque": (
        deque_that_shrank,
        dict.fromkeys([(3, 11), (3, 12), (3, 13)], (232,) + (528,) * 18),
    ),
    "str with utf-8 cache": (
        _non_ascii_with_utf8_cache,
        {(3, 11): (95, 43), (3, 12): (79, 43), (3, 13): (79, 43)},
    ),
    "Decimal with allocated digits": (
        lambda: decimal.Decimal("1." + "2345" * rt(20)),
        {(3, 11): (104, 40), (3, 12): (104, 40), (3, 13): (120, 40)},
    ),
    "instance": (Three, {(3, 11): (56, 40), (3, 12): (48, 40), (3, 13): (96,)}),
    "list subclass instance": (
        items_with_attribute,
        {(3, 11): (80, 32), (3, 12): (72, 32), (3, 13): (72, 32)},
    ),
}


@pytest.mark.parametrize("name", list(BLOCKS))
def test_blocks_are_the_separate_allocations(name: str) -> None:
    """Each kind's blocks: its struct first, then each buffer it allocated apart, pinned."""
    keep = warm(Three), warm(Items)
    build, figures = BLOCKS[name]
    value = build()
    assert blocks(value) == by_version(figures)
    del keep


def test_rounding_formula() -> None:
    """pymalloc rounds up to 16 up to 512 bytes; glibc malloc adds 8 and rounds up to 16."""
    requests = [1, 16, 24, 28, 33, 512, 513, 520, 521, 4096, 80056]
    rounded = [request + allocator_rounding(request) for request in requests]
    assert rounded == [16, 16, 32, 32, 48, 512, 528, 528, 544, 4112, 80064]


def test_overhead_is_the_rounding_of_each_block() -> None:
    """size_of with allocator_overhead adds the rounding of every block of every object."""
    numbers, table = floats(3), dict.fromkeys(keys(5))
    tree = [numbers, table, bytearray(rt(600))]
    values = [tree, *tree, *numbers, *table]
    rounding = [allocator_rounding(block) for value in values for block in blocks(value)]
    assert size_of(tree, allocator_overhead=True) == size_of(tree) + sum(rounding)
    containers = 8 + 8 + 8 + 0 + 0 + 8 + 8 + 23  # tree, numbers, table, bytearray: 2 blocks each
    keys_rounding = {(3, 11): 5 * 13, (3, 12): 5 * 5, (3, 13): 5 * 5}  # 51 -> 64, 43 -> 48
    figures = {version: containers + 3 * 8 + extra for version, extra in keys_rounding.items()}
    assert sum(rounding) == by_version(figures)


def test_overhead_is_its_own_frame() -> None:
    """The rounding is an ``allocator_overhead`` frame under the object's frame."""
    builder = FlameGraphBuilder(allocator_overhead=True)
    builder.visit_root(floats(2))
    folded = builder.finish().folded().splitlines()
    assert folded == [
        "list 72",
        "list;allocator_overhead 8",
        "list;float 48",
        "list;float;allocator_overhead 16",
        "list;unused_capacity 16",
    ]


ALLOCATOR_PROBE = r"""
import ctypes, gc, os, re, sys, tempfile
from allocative import size_of

class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in (
        "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split())]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = MallInfo2

def pymalloc_bytes():
    with tempfile.TemporaryFile() as f:
        saved = os.dup(2)
        os.dup2(f.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        f.seek(0)
        text = f.read().decode()
    return int(re.search(r"# bytes in allocated blocks\s*=\s*([\d,]+)", text)[1].replace(",", ""))

def in_use():
    info = libc.mallinfo2()
    return pymalloc_bytes() + info.uordblks

class Rec:
    def __init__(self, i):
        self.a = i * 1000
        self.b = f"name{i}"
        self.c = [i * 0.5] * (i % 7)

BUILDS = {
    "records": lambda: [Rec(i) for i in range(10000)],
    "dicts": lambda: [{f"k{j}": j * 1000 for j in range(i % 40)} for i in range(2000)],
    "strings": lambda: ["x" * (i * 37) for i in range(200)],
}
def grown(build):
    build()
    gc.collect()
    before = in_use()
    tree = build()
    gc.collect()
    return tree, in_use() - before

baseline = grown(lambda: None)[1]
tree, grew = grown(BUILDS[sys.argv[1]])
print(grew - baseline, size_of(tree, allocator_overhead=True))
"""

PROBE_SLACK = 1024
"""Bytes the probe's own bookkeeping (a temporary file, a regex match) may leave in use.

Its trees hold 0.7 to 4.8 MB, so this is within 0.15%.
"""


@pytest.mark.skipif(sys.platform != "linux", reason="glibc mallinfo2 and pymalloc stats")
@pytest.mark.skipif(
    "libasan" in os.environ.get("LD_PRELOAD", ""),
    reason="AddressSanitizer replaces malloc: glibc's counters see none of the blocks",
)
@pytest.mark.parametrize("tree", ["records", "dicts", "strings"])
def test_overhead_matches_the_allocators_own_counters(tree: str) -> None:
    """size_of(allocator_overhead=True) equals pymalloc's + glibc's bytes in use, to 1 KiB.

    glibc's per-thread cache and fastbins hide freed chunks from ``mallinfo2``;
    the probe turns them off with ``GLIBC_TUNABLES``.
    """
    env = dict(os.environ, PYTHONPATH=str(ROOT / "runtime"), PYTHONMALLOC="pymalloc")
    env["GLIBC_TUNABLES"] = "glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0"
    command = [sys.executable, "-c", ALLOCATOR_PROBE, tree]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    in_use, measured = map(int, out.split())
    assert abs(measured - in_use) <= PROBE_SLACK


def test_collections_kinds_have_blocks() -> None:
    """Every built-in kind reports its blocks, so the overhead frame never guesses."""
    values = [collections.OrderedDict(), collections.Counter(), array.array("b"), 1.5]
    assert all(sum(blocks(value)) == size_of(value) for value in values)
