"""``benchmarks/trees.py`` runs end to end on tiny trees, and allocative's two tools agree."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from allocative_gen.cli import main as allocative_gen

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
WORKLOADS = ["w1", "parse", "json", "ast", "service"]


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    """``trees.py --quick`` for allocative's tools (and the plain walk that every ratio needs)."""
    command = [
        sys.executable,
        str(BENCHMARKS / "trees.py"),
        "--quick",
        "--tools",
        "size_of,flamegraph",
        "--json",
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_every_workload_is_built_and_measured(report: dict[str, Any]) -> None:
    """All five trees are built, counted and measured by both tools, one run each."""
    assert list(report["workloads"]) == WORKLOADS
    for workload in report["workloads"].values():
        assert workload["objects"] > 1_000
        assert workload["tracemalloc"] > 0
        assert set(workload["tools"]) == {"size_of", "flamegraph"}
        for row in workload["tools"].values():
            assert len(row["cpu"]) == len(row["plain_cpu"]) == len(row["wall"]) == 1
            assert row["peak_per_object"] > 0


def test_quick_w1_has_its_exact_object_count(report: dict[str, Any]) -> None:
    """W1 of 2,000 records: 9 objects a record and the list, less the 257 small ints shared."""
    assert report["workloads"]["w1"]["objects"] == 2_000 * 9 + 1 - 257


@pytest.mark.parametrize("workload", WORKLOADS)
def test_size_of_equals_the_flame_graph_total(report: dict[str, Any], workload: str) -> None:
    """On every tree, size_of and the flame graph total the same bytes, tracemalloc on or off."""
    tools = report["workloads"][workload]["tools"]
    size = tools["size_of"]["size"]
    assert size > 0
    assert tools["flamegraph"]["size"] == size
    assert tools["size_of"]["size_traced_run"] == tools["flamegraph"]["size_traced_run"] == size


def test_benchmark_methods_are_generated() -> None:
    """The marked classes of the benchmarks carry current generated methods."""
    assert allocative_gen(["--check", str(BENCHMARKS)]) == 0
