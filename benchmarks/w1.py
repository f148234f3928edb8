"""Benchmark graph W1: allocative next to its peers, in one run.

W1 (defined in CPYTHON_SIZES.md) is a list of 200,000 dataclass records
``Rec(name: str, n: int, vals: list[float] of 3 floats, meta: {"id": n, "score": float})``:
1,799,744 objects that the data owns (1,800,001 less 257 shared small ints).
Every tool measures the same graph, built the same way, in fresh subprocesses
so that one tool's side effects (peers materialise a ``__dict__`` per
instance) cannot change what the next tool sees:

* a *time* subprocess builds W1 (tracemalloc off), times the plain walk on it
  (which changes nothing), then runs the tool ``--repeat`` times (the first
  run sees the untouched graph) and reports the best times, the first run's
  size and the RSS still held after that first run;
* a *memory* subprocess builds W1 under tracemalloc (which gives the
  reference size), then runs the tool once with tracemalloc still on and
  reports the traced memory left behind and the tool's traced peak.

Tools run one after another, never in parallel. Run ``--help`` for options;
``benchmarks/README.md`` explains every column.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import json
import os
import platform
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allocative import FlameGraphBuilder, Visitor, size_of

RECORDS = 200_000
TOOLS = ("plain", "size_of", "flamegraph", "pympler", "objsize", "guppy")
TITLES = {
    "plain": "plain walk (id set + get_referents + getsizeof)",
    "size_of": "allocative size_of",
    "flamegraph": "allocative FlameGraphBuilder",
    "pympler": "pympler asizeof.asizeof",
    "objsize": "objsize get_deep_size",
    "guppy": "guppy3 hpy().iso(x).domisize",
}


@dataclass
class Rec:
    """One W1 record."""

    name: str
    n: int
    vals: list[float]
    meta: dict[str, Any]

    # Hand-written, of the form allocative-gen emits.
    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)
        visitor.visit_int("n", self.n)
        visitor.visit_list("vals", self.vals, float)
        visitor.visit_dict("meta", self.meta, str, None)


def build_w1(records: int) -> list[Rec]:
    """W1: every str, int and float is a fresh object; each list holds exactly 3 items."""
    return [
        Rec(f"record-{i:07d}", i, [i + 0.25, i + 0.5, i + 0.75], {"id": i, "score": i * 0.5})
        for i in range(records)
    ]


# -- the tools: each setup imports what it needs and returns measure(obj) -> bytes ----------

Measure = Callable[[object], int]


def plain_walk(root: object) -> int:
    """Bytes by ``sys.getsizeof`` of everything reachable, each object once, iteratively.

    Classes and modules are not followed (``gc.get_referents`` of an instance
    returns its class, and from there the whole interpreter is reachable).
    """
    getsizeof = sys.getsizeof
    get_referents = gc.get_referents
    skip = (type, type(sys))
    seen: set[int] = set()
    add = seen.add
    stack = [root]
    pop = stack.pop
    extend = stack.extend
    total = 0
    while stack:
        obj = pop()
        key = id(obj)
        if key in seen or isinstance(obj, skip):
            continue
        add(key)
        total += getsizeof(obj)
        extend(get_referents(obj))
    return total


def _flamegraph(root: object) -> int:
    builder = FlameGraphBuilder()
    builder.visit_root(root)
    return builder.finish().total_size


def setup_tool(tool: str) -> Measure:
    """Import the tool and return its measuring function (done before any baseline is taken)."""
    if tool == "plain":
        return plain_walk
    if tool == "size_of":
        return size_of
    if tool == "flamegraph":
        return _flamegraph
    if tool == "pympler":
        from pympler import asizeof

        measure: Measure = asizeof.asizeof
        return measure
    if tool == "objsize":
        import objsize  # type: ignore[import-untyped]

        measure = objsize.get_deep_size
        return measure
    if tool == "guppy":
        from guppy import hpy  # type: ignore[import-untyped]

        heap = hpy()

        def domisize(root: object) -> int:
            # The bytes of everything that is reachable only through ``root``.
            return int(heap.iso(root).domisize)

        return domisize
    raise ValueError(f"unknown tool {tool!r}")


def _malloc_trim() -> None:
    """Return memory that glibc keeps on its free lists to the system (no-op elsewhere)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def rss() -> int:
    """Resident set size of this process after ``gc.collect()`` and ``malloc_trim(0)``."""
    gc.collect()
    _malloc_trim()
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def worker_time(tool: str, records: int, repeat: int) -> dict[str, Any]:
    """Time ``tool`` on a fresh W1 and the plain walk just before it; RSS left by its first run.

    The plain walk changes nothing in the graph, so it runs first, in the same
    process on the same graph: the ratio of the two is steadier than times taken
    minutes apart on a busy machine.
    """
    measure = setup_tool(tool)
    gc.collect()
    before_build = rss()
    w1 = build_w1(records)
    gc.collect()
    rss_built = rss()
    baseline = []
    for _ in range(repeat if tool != "plain" else 0):
        gc.collect()
        start = time.perf_counter()
        plain_walk(w1)
        baseline.append(time.perf_counter() - start)
    times = []
    sizes = []
    rss_left = 0
    for run in range(repeat):
        gc.collect()
        before = rss()
        start = time.perf_counter()
        size = measure(w1)
        times.append(time.perf_counter() - start)
        sizes.append(size)
        if run == 0:
            gc.collect()
            rss_left = rss() - before
    del w1
    return {
        "tool": tool,
        "times": times,
        "plain_times": baseline or times,
        "size": sizes[0],
        "sizes": sizes,
        "rss_build": rss_built - before_build,
        "rss_left": rss_left,
    }


def worker_memory(tool: str, records: int) -> dict[str, Any]:
    """Reference size of W1 by tracemalloc; traced memory the tool leaves and peaks at."""
    measure = setup_tool(tool)
    gc.collect()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    w1 = build_w1(records)
    gc.collect()
    built = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    size = measure(w1)
    peak = tracemalloc.get_traced_memory()[1]
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return {
        "tool": tool,
        "tracemalloc": built - start,
        "size": size,
        "traced_left": after - built,
        "traced_peak": peak - built,
        "objects": count_objects(w1),
    }


def count_objects(root: object) -> int:
    """Objects of W1's tree that its data owns (as the plain walk finds them, less shared ones)."""
    from allocative._layout import is_interned

    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, type) or obj is None:
            continue
        if type(obj) is int and -5 <= obj <= 256:
            continue
        if type(obj) is str and is_interned(obj):
            continue
        seen.add(id(obj))
        stack.extend(gc.get_referents(obj))
    return len(seen)


# -- the parent: runs the workers and prints the table --------------------------------------


def run_worker(args: list[str]) -> dict[str, Any]:
    """Run this script as a worker subprocess and return its JSON result."""
    command = [sys.executable, os.path.abspath(__file__), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"worker failed: {' '.join(args)}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def collect(tools: list[str], records: int, repeat: int, quiet: bool) -> dict[str, Any]:
    """Run every tool's time and memory workers, one at a time, and combine their results."""
    rows: dict[str, dict[str, Any]] = {}
    for tool in tools:
        if not quiet:
            print(f"  {tool}: timing ...", file=sys.stderr, flush=True)
        timed = run_worker(
            ["--worker", "time", "--tool", tool, "--records", str(records), "--repeat", str(repeat)]
        )
        if not quiet:
            print(f"  {tool}: memory ...", file=sys.stderr, flush=True)
        traced = run_worker(["--worker", "memory", "--tool", tool, "--records", str(records)])
        rows[tool] = {
            **timed,
            **{k: v for k, v in traced.items() if k != "size"},
            "size_traced_run": traced["size"],
        }
    references = {row["tracemalloc"] for row in rows.values()}
    reference = min(references)
    for row in rows.values():
        row["time"] = min(row["times"])
        row["plain_time"] = min(row["plain_times"])
        row["ratio"] = row["time"] / row["plain_time"]
        row["vs_tracemalloc"] = 100.0 * (row["size"] - reference) / reference
        row["peak_per_object"] = row["traced_peak"] / row["objects"]
    return {
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
        "records": records,
        "repeat": repeat,
        "objects": next(iter(rows.values()))["objects"],
        "tracemalloc": reference,
        "tracemalloc_all_equal": len(references) == 1,
        "rss_build": min(row["rss_build"] for row in rows.values()),
        "tools": rows,
    }


def _mb(n: float) -> str:
    return f"{n / 1e6:+.1f} MB"


def print_table(report: dict[str, Any]) -> None:
    """The human-readable table."""
    print(
        f"W1: {report['records']:,} records, {report['objects']:,} objects; Python "
        f"{report['python']} ({report['machine']}); best of {report['repeat']}"
    )
    print(
        f"tracemalloc while building: {report['tracemalloc']:,} B"
        f"{'' if report['tracemalloc_all_equal'] else ' (differed between workers: min shown)'}"
        f"; RSS growth while building: {report['rss_build']:,} B"
    )
    header = (
        f"{'tool':<47} {'time s':>7} {'plain s':>7} {'x plain':>7} {'size B':>12} {'vs tm':>7} "
        f"{'left traced':>12} {'left RSS':>10} {'peak/obj':>9}"
    )
    print(header)
    print("-" * len(header))
    for tool, row in report["tools"].items():
        ratio = f"{row['ratio']:.2f}"
        peak = f"{row['peak_per_object']:.1f} B"
        print(
            f"{TITLES[tool]:<47} {row['time']:>7.2f} {row['plain_time']:>7.2f} {ratio:>7} "
            f"{row['size']:>12,} "
            f"{row['vs_tracemalloc']:>+6.1f}% {_mb(row['traced_left']):>12} "
            f"{_mb(row['rss_left']):>10} {peak:>9}"
        )
    notes = [
        f"{TITLES[t]}: sizes differ between runs {row['sizes']}"
        for t, row in report["tools"].items()
        if len(set(row["sizes"])) > 1
    ]
    notes += [
        f"{TITLES[t]}: time and memory workers disagree on size "
        f"({row['size']:,} vs {row['size_traced_run']:,})"
        for t, row in report["tools"].items()
        if row["size"] != row["size_traced_run"]
    ]
    for note in notes:
        print(f"note: {note}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: ``python benchmarks/w1.py [--records N] [--repeat K] [--json]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=RECORDS, help="records in W1 (200,000)")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per tool; best is kept")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--tools", default=",".join(TOOLS), help=f"comma-separated subset of {','.join(TOOLS)}"
    )
    parser.add_argument("--worker", choices=("time", "memory"), help=argparse.SUPPRESS)
    parser.add_argument("--tool", choices=TOOLS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker == "time":
        print(json.dumps(worker_time(args.tool, args.records, args.repeat)))
        return
    if args.worker == "memory":
        print(json.dumps(worker_memory(args.tool, args.records)))
        return
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    report = collect(tools, args.records, max(args.repeat, 1), quiet=args.json)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)


if __name__ == "__main__":
    main()
