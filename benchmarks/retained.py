"""retained_size against the bytes really freed, and its cost beside size_of and guppy3.

For each workload (``workloads.py``; W1 with every tenth record also held by
an outside index) two processes build the same tree:

- a *freed* process builds it under tracemalloc, keeps it in one place, asks
  ``retained_size``, drops it, collects, and reads how many bytes went: the
  truth the figure is compared with;
- a *time* process times ``size_of`` and ``retained_size`` in turns (``--repeat``
  rounds, median, CPU time; retained_size's cost is the median of its ratio to
  size_of within a round), then guppy3's ``hpy().iso(x).domisize`` once (last:
  it materialises ``__dict__``s), each after a plain walk of the same objects.

``benchmarks/README.md`` has the latest figures. Run ``--help`` for options.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from typing import Any

WORKLOADS = ("w1", "parse", "service")
INDEX_EVERY = 10


def builder(key: str, quick: bool) -> Any:
    """A function making (the tree, what holds part of it from outside: W1's index of every
    tenth record); the workload is prepared once."""
    from workloads import WORKLOADS as ALL

    spec = next(workload for workload in ALL if workload.key == key)
    prepared = spec.prepare(quick)
    return lambda: _build(key, spec.build(prepared))


def _build(key: str, tree: object) -> tuple[object, object]:
    if key == "w1":
        assert isinstance(tree, list)
        return tree, {index: record for index, record in enumerate(tree[::INDEX_EVERY])}
    return tree, None


def worker_freed(key: str, quick: bool) -> dict[str, int]:
    """retained_size and the bytes tracemalloc sees freed when the one reference goes."""
    from allocative import retained_size, size_of

    build = builder(key, quick)
    holder = list(build())  # warm: imports, caches, shared keys
    retained_size(holder[0])
    del holder
    gc.collect()
    tracemalloc.start()
    holder = list(build())
    gc.collect()
    total = size_of(holder[0])
    retained = retained_size(holder[0])
    # A bytearray's bytes are exactly sys.getsizeof's: the rest is what the reads allocate.
    offset = sys.getsizeof(bytearray(1000)) - _freed([bytearray(1000)])
    freed = _freed(holder) + offset
    tracemalloc.stop()
    return {"size_of": total, "retained": retained, "freed": freed}


def _freed(holder: list[object]) -> int:
    """Bytes traced before minus after dropping ``holder[0]`` and collecting."""
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    holder[0] = None
    gc.collect()
    return before - tracemalloc.get_traced_memory()[0]


def _cpu(measure: Any, holder: list[object]) -> tuple[float, int]:
    """One timed run on ``holder[0]``: the root stays held in that one place (retained_size
    must not see this function's own reference as one from outside)."""
    gc.collect()
    start = time.process_time()
    size = measure(holder[0])
    return time.process_time() - start, int(size)


def worker_time(key: str, quick: bool, repeat: int) -> dict[str, Any]:
    """Each tool's CPU time as a ratio to a plain walk just before it; guppy3 last.

    size_of and retained_size take turns, so that retained_size's cost against size_of
    is the median of ratios within one round: the machine's speed drifts between rounds
    (the plain walk's time varies by a third on a shared machine), not within one.
    """
    import w1

    from allocative import retained_size, size_of

    plain = w1.setup_tool("plain")
    holder = list(builder(key, quick)())
    tools = {"size_of": size_of, "retained": retained_size}
    runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name in tools}
    for _ in range(repeat):
        for name, measure in tools.items():
            base, _ = _cpu(plain, holder)
            spent, size = _cpu(measure, holder)
            runs[name].append((spent, spent / base, size))
    figures: dict[str, Any] = {
        name: {
            "seconds": statistics.median(spent for spent, _, _ in done),
            "ratio": statistics.median(ratio for _, ratio, _ in done),
            "size": done[-1][2],
        }
        for name, done in runs.items()
    }
    figures["retained"]["per_size_of"] = statistics.median(
        retained[0] / sized[0]
        for sized, retained in zip(runs["size_of"], runs["retained"], strict=True)
    )
    base, _ = _cpu(plain, holder)
    spent, size = _cpu(w1.setup_tool("guppy"), holder)
    figures["guppy"] = {"ratio": spent / base, "seconds": spent, "size": size}
    figures["plain_seconds"] = base
    return figures


def _worker(mode: str, key: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", mode, "--workload", key]
    command += ["--repeat", str(args.repeat)] + (["--quick"] if args.quick else [])
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{key}: the {mode} worker failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _error(figure: int, truth: int) -> str:
    return f"{(figure - truth) * 100 / truth:+.2f}%" if truth else "n/a"


def main(argv: list[str] | None = None) -> None:
    """Entry point: ``python benchmarks/retained.py [--workloads w1,parse,service] [--quick]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", default=",".join(WORKLOADS), help="comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs, median kept (3)")
    parser.add_argument("--quick", action="store_true", help="tiny trees, for a smoke run")
    parser.add_argument("--json", action="store_true", help="print every figure as JSON")
    parser.add_argument("--worker", choices=("time", "freed"), help=argparse.SUPPRESS)
    parser.add_argument("--workload", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker == "freed":
        print(json.dumps(worker_freed(args.workload, args.quick)))
        return
    if args.worker == "time":
        print(json.dumps(worker_time(args.workload, args.quick, max(args.repeat, 1))))
        return
    keys = [key for key in args.workloads.split(",") if key]
    unknown = sorted(set(keys) - set(WORKLOADS))
    if unknown:
        raise SystemExit(f"unknown workloads: {', '.join(unknown)} (known: {', '.join(WORKLOADS)})")
    report = {
        key: {"freed": _worker("freed", key, args), "time": _worker("time", key, args)}
        for key in keys
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    from allocative import engine

    print(f"Python {platform.python_version()}, {engine()}, median of {args.repeat}")
    header = (
        "workload  size_of B      freed B        retained B     error    "
        "retained/size_of  size_of/plain  retained/plain  guppy3/plain  guppy3 error"
    )
    print(header)
    for key, figures in report.items():
        freed, timed = figures["freed"], figures["time"]
        retained_cost = timed["retained"]["per_size_of"]
        print(
            f"{key:8}  {freed['size_of']:>12,}  {freed['freed']:>12,}  {freed['retained']:>12,}  "
            f"{_error(freed['retained'], freed['freed']):>7}  {retained_cost:>16.2f}  "
            f"{timed['size_of']['ratio']:>13.2f}  {timed['retained']['ratio']:>14.2f}  "
            f"{timed['guppy']['ratio']:>12.2f}  "
            f"{_error(timed['guppy']['size'], freed['freed']):>12}"
        )


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
