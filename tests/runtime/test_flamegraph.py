"""The flame graph tree and its folded text: merged, sorted, complete, deterministic."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from allocative import FlameGraph, FlameGraphBuilder, Visitor, allocative, size_of
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).resolve().parents[2]


def test_add_stack_merges_identical_stacks() -> None:
    """Bytes added twice at the same stack land in one frame."""
    graph = FlameGraph()
    graph.add_stack(["A", "x", "list"], 10)
    graph.add_stack(["A", "x", "list"], 5)
    graph.add_stack(["A"], 7)
    assert graph.write() == "A 7\nA;x;list 15\n"
    assert graph.total_size == 22


def test_write_sorts_children_and_omits_empty_stacks() -> None:
    """Children come out sorted by key; frames with no own bytes print no line."""
    graph = FlameGraph()
    graph.add_stack(["R", "b"], 1)
    graph.add_stack(["R", "a", "deep"], 2)
    graph.child("R").child("empty")
    assert graph.write() == "R;a;deep 2\nR;b 1\n"


def test_add_merges_two_graphs() -> None:
    """add() sums the sizes of identical stacks and keeps the others."""
    left, right = FlameGraph(), FlameGraph()
    left.add_stack(["R", "a"], 1)
    right.add_stack(["R", "a"], 2)
    right.add_stack(["R", "b"], 3)
    left.add(right)
    assert left.write() == "R;a 3\nR;b 3\n"
    assert right.write() == "R;a 2\nR;b 3\n"


def test_deep_graph_is_written_without_recursion() -> None:
    """A 100,000-frame stack totals and merges without RecursionError."""
    graph = FlameGraph()
    graph.add_stack(["f"] * 100_000, 1)
    copy = FlameGraph()
    copy.add(graph)
    assert copy.total_size == 1


@allocative
@dataclass
class Line:
    sku: str
    quantity: int
    prices: list[float]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("sku", self.sku)
        visitor.visit_int("quantity", self.quantity)
        visitor.visit_list("prices", self.prices, float)


@allocative
@dataclass
class Order:
    id: int
    lines: list[Line]
    tags: dict[str, str]
    notes: deque[str] = field(default_factory=deque)
    parent: Order | None = None

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_int("id", self.id)
        visitor.visit_list("lines", self.lines, None)
        visitor.visit_dict("tags", self.tags, str, str)
        visitor.visit_field("notes", self.notes)


def fresh(text: str) -> str:
    """A run-time string: never interned, so it counts."""
    return "".join(list(text))


def build_orders() -> list[Order]:
    """A small, fully deterministic tree with sharing, gaps and a skipped back-reference."""
    warm_up_classes()
    orders = []
    for number in range(1000, 1003):
        lines = [
            Line(fresh(f"SKU-{number}-{i}"), number + i, [float(number + j) for j in range(i + 1)])
            for i in range(3)
        ]
        tags = {fresh("region"): fresh("emea"), fresh("channel"): fresh("web")}
        orders.append(Order(number, lines, tags, deque([fresh("created")])))
    orders[1].parent = orders[0]
    orders[2].lines.append(orders[0].lines[0])
    return orders


def warm_up_classes() -> None:
    """Make enough instances that the classes' attribute storage has settled.

    The first few dozen instances of a class get larger values arrays (see
    ``allocative._layout``); goldens must not depend on how many came before.
    """
    for _ in range(40):
        Order(0, [Line("", 0, [])], {})


def measure(root: object, **kwargs: object) -> str:
    builder = FlameGraphBuilder(**kwargs)  # type: ignore[arg-type]
    builder.visit_root(root)
    return builder.finish().folded()


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="golden sizes are CPython 3.11's")
@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("orders", build_orders),
        ("builtins", lambda: {fresh("d"): defaultdict(list), fresh("s"): {1000.5, 2000.5}}),
    ],
)
def test_folded_golden(name: str, build: object) -> None:
    """Exact folded output for representative trees (3.11 sizes)."""
    assert callable(build)
    assert_golden(GOLDEN / f"{name}.folded", measure(build()))


def test_folded_lines_sum_to_size_of() -> None:
    """The folded lines add up to size_of of the same root and to total_size."""
    orders = build_orders()
    folded = measure(orders)
    assert sum(int(line.rsplit(" ", 1)[1]) for line in folded.splitlines()) == size_of(orders)


def test_first_frame_is_root_type_or_given_name() -> None:
    """Every stack starts with the root's type name, or the name given to visit_root."""
    orders = build_orders()
    assert {line.split(";")[0].split(" ")[0] for line in measure(orders).splitlines()} == {"list"}
    builder = FlameGraphBuilder()
    builder.visit_root(orders, "orders")
    folded = builder.finish().folded()
    assert {line.split(";")[0].split(" ")[0] for line in folded.splitlines()} == {"orders"}


def test_gap_frames() -> None:
    """Spare list capacity and per-instance attribute storage appear as their own frames."""
    grown: list[float] = []
    for value in range(10):
        grown.append(value + 0.5)
    folded = measure(grown)
    assert f"list;unused_capacity {8 * 6}" in folded.splitlines()
    orders_folded = measure(build_orders())
    assert any(line.startswith("list;Order;__dict__ ") for line in orders_folded.splitlines())


def test_allocator_overhead_is_opt_in() -> None:
    """The allocator_overhead frame appears only when asked for, and adds to the total."""
    tree = [fresh("odd-length string!")]
    assert "allocator_overhead" not in measure(tree)
    with_overhead = measure(tree, allocator_overhead=True)
    assert "allocator_overhead" in with_overhead
    overhead_total = sum(int(line.rsplit(" ", 1)[1]) for line in with_overhead.splitlines())
    assert overhead_total == size_of(tree, allocator_overhead=True) > size_of(tree)


DETERMINISM_SCRIPT = """
from tests.runtime.test_flamegraph import build_orders, measure
print(measure(build_orders()), end="")
"""


def test_output_is_identical_across_hash_seeds() -> None:
    """Two processes with different string hash seeds write the same folded text."""
    outputs = set()
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", DETERMINISM_SCRIPT],
            cwd=ROOT,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_total_before_the_graph_is_built_equals_the_graph_total() -> None:
    """finish().total_size read first (the compiled engine's tree not yet a FlameGraph) is the
    graph's own total; the graph is built once and then kept."""
    records = [
        Order(i, [Line(fresh(f"s{i}"), i, [i / 3])], {fresh("k"): fresh("v")}) for i in range(50)
    ]
    builder = FlameGraphBuilder()
    builder.visit_root(records)
    output = builder.finish()
    total = output.total_size
    graph = output.flamegraph
    assert output.flamegraph is graph
    assert graph.total_size == total == size_of(records)


def test_a_frame_tree_becomes_a_graph_once() -> None:
    """The compiled engine's FrameTree gives its graph once; the engine starts a new tree."""
    core = pytest.importorskip("allocative._core", reason="the compiled engine is not built here")
    engine = core.Engine(frames=True)
    engine.visit_root([1.5, 2.5], None)
    tree, _ = engine.finish()
    assert len(tree) > 1 and tree.total() == size_of([1.5, 2.5])
    assert tree.graph().write() == "list 72\nlist;float 48\n"
    with pytest.raises(RuntimeError, match="already called"):
        tree.graph()
    assert tree.total() == 0
    engine.visit_root((3.5,), None)
    second, _ = engine.finish()
    assert second.graph().write() == "tuple 48\ntuple;float 24\n"
