"""allocative and its peers on five object trees, each tool timed against a plain walk.

For each workload (``workloads.py``) one *time* process builds the tree and
runs every tool on it, ``--repeat`` times each, and a second *memory* process
builds it again under tracemalloc, which gives the reference size of the tree
and the peak bookkeeping of the plain walk and of allocative's tools.

Peers read ``obj.__dict__``, which on Python 3.11+ creates a dict in every
instance that had none: the tools that leave the graph untouched (the plain
walk, allocative's) run first, and the ones that change it (guppy3, pympler,
objsize, in that order) after them. Each tool runs ``--repeat`` times, each
run just after a plain walk of the same objects; a tool's time is the median
of its runs' ratios to those walks, in CPU time. ``benchmarks/README.md``
explains every figure. Run ``--help`` for options.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workloads import Workload

Measure = Callable[[object], int]
ENGINES = ("python", "compiled")


def w1_tool(key: str) -> Measure:
    """The tool of ``w1.py`` of that name, imported and set up (imports allocative)."""
    import w1

    return w1.setup_tool(key)


@dataclass(frozen=True)
class Tool:
    """One row: how to set a tool up, and how it treats the graph it measures."""

    key: str
    title: str
    setup: Callable[[], Measure]
    traced: bool = False
    """Also run once under tracemalloc for its peak bookkeeping."""
    changes_graph: bool = False
    """It materialises ``__dict__``s: runs after every tool that leaves the graph untouched."""
    engine: str | None = None
    """``ALLOCATIVE_ENGINE`` for this row (its own processes); None: the run's ``--engine``."""


TOOLS = (
    Tool("plain", "plain walk", functools.partial(w1_tool, "plain"), traced=True),
    Tool("size_of", "size_of", functools.partial(w1_tool, "size_of"), traced=True),
    Tool("flamegraph", "flame graph", functools.partial(w1_tool, "flamegraph"), traced=True),
    Tool(
        "flamegraph_tree",
        "flame graph + FlameGraph objects",
        functools.partial(w1_tool, "flamegraph_tree"),
    ),
    Tool(
        "size_of_python",
        "size_of (pure engine)",
        functools.partial(w1_tool, "size_of"),
        traced=True,
        engine="python",
    ),
    Tool(
        "flamegraph_python",
        "flame graph (pure engine)",
        functools.partial(w1_tool, "flamegraph"),
        traced=True,
        engine="python",
    ),
    Tool("guppy", "guppy3", functools.partial(w1_tool, "guppy"), changes_graph=True),
    Tool("pympler", "pympler", functools.partial(w1_tool, "pympler"), changes_graph=True),
    Tool("objsize", "objsize", functools.partial(w1_tool, "objsize"), changes_graph=True),
)
TOOLS_BY_KEY = {tool.key: tool for tool in TOOLS}
BASELINE = TOOLS_BY_KEY["plain"]


# -- the workers: one process per workload -------------------------------------------------


def _workload(key: str) -> Workload:
    from workloads import WORKLOADS

    return next(workload for workload in WORKLOADS if workload.key == key)


def _run_order(tools: list[Tool]) -> list[Tool]:
    """Table order, except that every tool that changes the graph comes after those that don't."""
    return sorted(tools, key=lambda tool: tool.changes_graph)


def _timed_run(measure: Measure, root: object) -> dict[str, float]:
    """CPU and wall seconds and bytes of one measurement, after a collection (gc stays on).

    CPU time (``time.process_time``) is what ratios use: these walks run on one
    thread and do no I/O, so on an idle machine it is the wall time, and on a
    shared one it leaves out the time spent waiting for a CPU.
    """
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    size = measure(root)
    return {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall, "size": size}


def worker_time(workload: str, tools: list[Tool], repeat: int, quick: bool) -> dict[str, Any]:
    """Each tool's runs on one tree, each run just after a plain walk of the same graph.

    The tools that leave the graph untouched run first. Each run keeps the plain
    walk's times before it: the ratio of a pair is steadier than either time.
    """
    plain = BASELINE.setup()
    measures = {tool.key: tool.setup() for tool in _run_order(tools)}
    spec = _workload(workload)
    root = spec.build(spec.prepare(quick))
    runs: dict[str, list[dict[str, float]]] = {key: [] for key in measures}
    plain_sizes = []
    for key, measure in measures.items():
        for _ in range(repeat):
            baseline = _timed_run(plain, root)
            run = _timed_run(measure, root)
            runs[key].append(run | {"plain_cpu": baseline["cpu"], "plain_wall": baseline["wall"]})
            plain_sizes.append(int(baseline["size"]))
    return {"runs": runs, "plain_sizes": [*plain_sizes, plain(root)]}


def worker_memory(workload: str, tools: list[Tool], quick: bool) -> dict[str, Any]:
    """tracemalloc's count while the tree is built, and each traced tool's peak above it."""
    from w1 import count_objects

    measures = {tool.key: tool.setup() for tool in _run_order(tools) if tool.traced}
    spec = _workload(workload)
    prepared = spec.prepare(quick)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    root = spec.build(prepared)
    gc.collect()
    built = tracemalloc.get_traced_memory()[0] - before
    del prepared
    peaks, sizes = {}, {}
    for key, measure in measures.items():
        gc.collect()
        start = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        sizes[key] = measure(root)
        peaks[key] = tracemalloc.get_traced_memory()[1] - start
    tracemalloc.stop()
    return {"tracemalloc": built, "objects": count_objects(root), "peaks": peaks, "sizes": sizes}


# -- the parent: runs the workers one after another and combines their figures --------------


def run_worker(args: list[str], engine: str | None) -> dict[str, Any]:
    """Run this script as a worker subprocess and return its JSON result."""
    command = [sys.executable, os.path.abspath(__file__), *args]
    if engine:
        command += ["--engine", engine]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"worker failed: {' '.join(args)}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def engine_groups(tools: list[Tool], engine: str | None) -> dict[str | None, list[Tool]]:
    """The tools by the engine their process runs with, in table order."""
    groups: dict[str | None, list[Tool]] = {}
    for tool in tools:
        groups.setdefault(tool.engine or engine, []).append(tool)
    return groups


def tool_row(runs: list[dict[str, float]], reference: int) -> dict[str, Any]:
    """One tool's times, ratios to the plain walk before each run, and sizes, on one workload."""
    sizes = [int(run["size"]) for run in runs]
    return {
        "cpu": [run["cpu"] for run in runs],
        "plain_cpu": [run["plain_cpu"] for run in runs],
        "ratio": statistics.median(run["cpu"] / run["plain_cpu"] for run in runs),
        "wall": [run["wall"] for run in runs],
        "plain_wall": [run["plain_wall"] for run in runs],
        "wall_ratio": statistics.median(run["wall"] / run["plain_wall"] for run in runs),
        "sizes": sizes,
        "size": sizes[0],
        "vs_tracemalloc": 100.0 * (sizes[0] - reference) / reference,
    }


def add_peak(row: dict[str, Any], key: str, traced: dict[str, Any]) -> None:
    """The tool's peak bookkeeping from the memory worker, if it was traced."""
    if key in traced["peaks"]:
        row["peak"] = traced["peaks"][key]
        row["peak_per_object"] = traced["peaks"][key] / traced["objects"]
        row["size_traced_run"] = traced["sizes"][key]


def run_workload(key: str, tools: list[Tool], args: argparse.Namespace) -> dict[str, Any]:
    """Time and memory workers of every engine group for one workload."""
    common = ["--workload", key, *(["--quick"] if args.quick else [])]
    result: dict[str, Any] = {"tools": {}}
    start = time.perf_counter()
    for engine, group in engine_groups(tools, args.engine).items():
        names = ["--tools", ",".join(tool.key for tool in group)]
        print(f"{key}: timing {','.join(t.key for t in group)} ...", file=sys.stderr, flush=True)
        timed = run_worker(
            ["--worker", "time", *common, *names, "--repeat", str(args.repeat)], engine
        )
        print(f"{key}: tracemalloc ...", file=sys.stderr, flush=True)
        traced = run_worker(["--worker", "memory", *common, *names], engine)
        for tool in group:
            row = tool_row(timed["runs"][tool.key], traced["tracemalloc"])
            add_peak(row, tool.key, traced)
            result["tools"][tool.key] = row | {"engine": engine}
        first = next(iter(timed["runs"].values()))
        result.setdefault("plain_cpu", statistics.median(run["plain_cpu"] for run in first))
        result.setdefault("plain_sizes", timed["plain_sizes"])
        result.setdefault("objects", traced["objects"])
        result.setdefault("tracemalloc", traced["tracemalloc"])
    result["seconds"] = time.perf_counter() - start
    return result


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            lines = [line for line in cpuinfo if line.startswith("model name")]
        return lines[0].split(":", 1)[1].strip() if lines else platform.processor()
    except OSError:
        return platform.processor()


def collect(workloads: list[str], tools: list[Tool], args: argparse.Namespace) -> dict[str, Any]:
    """Every workload's figures, one workload after another, never in parallel."""
    start = time.perf_counter()
    if "parse" in workloads:
        from marked_libcst import CopyError, ensure_copy

        try:
            copy = ensure_copy()
        except CopyError as error:
            raise SystemExit(f"parse: {error}") from None
        print(f"parse: the marked copy of libcst is in {copy}", file=sys.stderr, flush=True)
    results = {key: run_workload(key, tools, args) for key in workloads}
    return {
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {_cpu_model()}",
        "engine": args.engine,
        "repeat": args.repeat,
        "quick": args.quick,
        "seconds": time.perf_counter() - start,
        "workloads": results,
    }


# -- the report ------------------------------------------------------------------------------


def _table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]
    print(title)
    for line in [header, ["-" * w for w in widths], *rows]:
        cells = [line[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(line[1:], widths[1:], strict=True)
        ]
        print("  ".join(cells).rstrip())
    print()


def _cells(
    report: dict[str, Any], keys: list[str], cell: Callable[[dict[str, Any]], str]
) -> list[list[str]]:
    rows = []
    for name, workload in report["workloads"].items():
        tools = workload["tools"]
        rows.append([name] + [cell(tools[key]) if key in tools else "" for key in keys])
    return rows


def print_report(report: dict[str, Any], keys: list[str]) -> None:
    """The human-readable tables: time, totals, bookkeeping; then anything odd."""
    from workloads import WORKLOADS

    titles = [TOOLS_BY_KEY[key].title for key in keys]
    print(
        f"Python {report['python']} ({report['machine']}), {report['date']}; "
        f"median of {report['repeat']}; {report['seconds']:.0f} s in all"
    )
    for workload in WORKLOADS:
        if workload.key in report["workloads"]:
            print(f"  {workload.key}: {workload.title}")
    print()
    rows = _cells(report, keys, lambda row: f"{row['ratio']:.2f}")
    for row, workload in zip(rows, report["workloads"].values(), strict=True):
        row[1:1] = [f"{workload['objects']:,}", f"{workload['plain_cpu']:.2f}"]
    _table(
        "CPU time, as a ratio to the plain walk just before each run (median)",
        ["workload", "objects", "plain s", *titles],
        rows,
    )
    rows = _cells(report, keys, lambda row: f"{row['vs_tracemalloc']:+.2f}%")
    for row, workload in zip(rows, report["workloads"].values(), strict=True):
        row.insert(1, f"{workload['tracemalloc']:,}")
    _table(
        "Totals against tracemalloc's count while the tree was built",
        ["workload", "tracemalloc B", *titles],
        rows,
    )
    _table(
        "Totals in bytes (each tool's first run)",
        ["workload", *titles],
        _cells(report, keys, lambda row: f"{row['size']:,}"),
    )
    traced = [key for key in keys if TOOLS_BY_KEY[key].traced]
    _table(
        "Bookkeeping: tracemalloc peak during the run above the memory before it, per object",
        ["workload", *[TOOLS_BY_KEY[key].title for key in traced]],
        _cells(report, traced, lambda row: f"{row['peak_per_object']:.1f} B"),
    )
    for note in notes(report):
        print(f"note: {note}")


def notes(report: dict[str, Any]) -> list[str]:
    """Disagreements worth a look: sizes that moved, our two tools apart, the graph grown."""
    found = []
    for name, workload in report["workloads"].items():
        tools = workload["tools"]
        for key, row in tools.items():
            if len(set(row["sizes"])) > 1:
                found.append(f"{name}: {key} sizes differ between runs: {row['sizes']}")
            if row.get("size_traced_run", row["size"]) != row["size"]:
                found.append(f"{name}: {key} measured {row['size_traced_run']:,} under tracemalloc")
        ours = [tools[key]["size"] for key in ("size_of", "flamegraph") if key in tools]
        if len(set(ours)) > 1:
            found.append(f"{name}: size_of and the flame graph differ")
        grown = workload["plain_sizes"][-1] - workload["plain_sizes"][0]
        if grown:
            found.append(
                f"{name}: the tools grew the graph by {grown:,} B (plain walk, last vs first)"
            )
    return found


# -- command line ---------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Options of the parent and (hidden) of its workers."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", help="comma-separated subset of w1,parse,json,ast,service")
    keys = ",".join(TOOLS_BY_KEY)
    parser.add_argument("--tools", default=keys, help=f"comma-separated subset of {keys}")
    parser.add_argument(
        "--repeat", type=int, help="timed runs per tool, median kept (3; --quick 1)"
    )
    parser.add_argument("--quick", action="store_true", help="tiny trees, for a smoke run")
    parser.add_argument("--json", action="store_true", help="print every figure as JSON")
    parser.add_argument("--engine", choices=ENGINES, help="sets ALLOCATIVE_ENGINE for the workers")
    parser.add_argument("--worker", choices=("time", "memory"), help=argparse.SUPPRESS)
    parser.add_argument("--workload", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.repeat = max(args.repeat or (1 if args.quick else 3), 1)
    tools = [key for key in args.tools.split(",") if key]
    unknown = sorted(set(tools) - set(TOOLS_BY_KEY))
    if unknown:
        parser.error(f"unknown tools: {', '.join(unknown)}")
    args.tools = [tool for tool in TOOLS if tool.key in tools]
    return args


def main(argv: list[str] | None = None) -> None:
    """Entry point: ``python benchmarks/trees.py [--workloads ...] [--tools ...] [--quick]``."""
    args = parse_args(argv)
    if args.engine:
        # Before allocative is imported: the workers import it (through w1.py) only below.
        os.environ["ALLOCATIVE_ENGINE"] = args.engine
    if args.worker == "time":
        print(json.dumps(worker_time(args.workload, args.tools, args.repeat, args.quick)))
        return
    if args.worker == "memory":
        print(json.dumps(worker_memory(args.workload, args.tools, args.quick)))
        return
    from workloads import WORKLOADS

    known = [w.key for w in WORKLOADS]
    chosen = args.workloads.split(",") if args.workloads else known
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise SystemExit(f"unknown workloads: {', '.join(unknown)} (known: {', '.join(known)})")
    report = collect([k for k in known if k in chosen], args.tools, args)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report, [tool.key for tool in args.tools])


if __name__ == "__main__":
    main()
