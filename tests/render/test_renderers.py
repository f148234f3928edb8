"""The speedscope, JSON, summary and diff renderers' behaviour beyond the golden files."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from allocative import EmptyGraph, FlameGraphOutput
from allocative._flamegraph import FlameGraph
from allocative._render.diff import combine
from allocative._render.summary import MAX_WARNINGS


def test_speedscope_samples_are_the_stacks_weighted_by_bytes(order: FlameGraphOutput) -> None:
    """Each folded stack is one sample; weights are its bytes and add up to the total."""
    document = json.loads(order.speedscope())
    frames = [frame["name"] for frame in document["shared"]["frames"]]
    profile = document["profiles"][0]
    assert profile["type"] == "sampled"
    assert profile["unit"] == "bytes"
    stacks = [
        (tuple(frames[i] for i in sample), weight)
        for sample, weight in zip(profile["samples"], profile["weights"], strict=True)
    ]
    assert stacks == list(order.flamegraph.stacks())
    assert profile["endValue"] == order.total_size


def test_json_tree_nests_totals(order: FlameGraphOutput) -> None:
    """The JSON tree holds every node's total and own bytes, children by name."""
    document = json.loads(order.to_json())
    assert document["total"] == 9786
    assert document["warnings"] == order.warnings
    root = document["tree"]
    assert (root["name"], root["value"]) == ("all", 9786)
    order_node = root["children"][0]
    assert [child["name"] for child in order_node["children"]] == [
        "__dict__",
        "blob",
        "lines",
        "tags",
    ]
    assert order_node["self"] == 48


def test_json_tree_of_a_deep_chain_needs_no_recursion() -> None:
    """A 100,000-frame-deep stack is written and read back without a RecursionError."""
    graph = FlameGraph()
    graph.add_stack(["Node", "next"] * 50_000, 56)
    text = FlameGraphOutput(graph).to_json()
    assert text.count('"name": "next"') == 50_000


@pytest.mark.parametrize(
    ("width", "row"),
    [
        (60, "...LongTypeName;field_with_a_long_name"),
        (80, "VeryLongTypeName;...eryLongTypeName;field_with_a_long_name"),
        (100, "VeryLongTypeName;...d_with_a_long_name;VeryLongTypeName;field_with_a_long_name"),
    ],
)
def test_summary_fits_the_width_asked(width: int, row: str) -> None:
    """Long stacks and warnings are cut or wrapped so no line passes the width.

    A stack keeps its root and its deepest frames, and the end of the next
    frame if ten characters or more of it fit; or its end alone if even its
    root and its last frame do not fit.
    """
    graph = FlameGraph()
    graph.add_stack(["VeryLongTypeName", "field_with_a_long_name"] * 8, 1000)
    output = FlameGraphOutput(graph, ["w" * 30 + " " + "x" * 100 + " and some more words " * 5])
    lines = output.summary(width=width).splitlines()
    assert max(map(len, lines)) <= width
    assert lines[4] == f"      1000 B  100.0%  {row}"


def test_summary_has_no_colour_unless_asked(order: FlameGraphOutput) -> None:
    """Plain text by default; ANSI codes only with ``colour=True``."""
    assert "\x1b[" not in order.summary()
    assert "\x1b[1m" in order.summary(colour=True)


def test_summary_gap_line_reads_size_and_share(order: FlameGraphOutput) -> None:
    """Each gap kind is one line: ``unused capacity 160 B, 1.6%``."""
    assert "  unused capacity 160 B, 1.6%\n" in order.summary()


def test_empty_graph_cannot_be_summarised() -> None:
    """Summaries and speedscope files of an empty graph raise EmptyGraph."""
    with pytest.raises(EmptyGraph):
        FlameGraphOutput(FlameGraph()).summary()
    with pytest.raises(EmptyGraph):
        FlameGraphOutput(FlameGraph()).speedscope()


def test_combined_tree_takes_the_larger_side_per_stack() -> None:
    """The diff layout holds every stack of both sides, each as large as its larger side."""
    before, after = FlameGraph(), FlameGraph()
    before.add_stack(["A", "gone"], 10)
    after.add_stack(["A", "new"], 7)
    before.add_stack(["A"], 5)
    after.add_stack(["A"], 9)
    combined, changes = combine(before, after)
    assert combined.write() == "A 9\nA;gone 10\nA;new 7\n"
    assert changes[id(combined.children["A"])] == (15, 16)


def test_diff_summary_lists_nothing_when_nothing_changed(order: FlameGraphOutput) -> None:
    """Comparing a measurement with itself reports no change in either table."""
    text = order.diff_summary(order)
    assert text.count("(no change)") == 2


def test_importing_allocative_loads_no_renderer() -> None:
    """Measuring and folding need neither jinja2 nor the renderers."""
    code = (
        "import sys, allocative\n"
        "b = allocative.FlameGraphBuilder(); b.visit_root([1.5]); b.finish().folded()\n"
        "print(sorted(m for m in sys.modules if 'jinja2' in m or '_render' in m))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


def test_summary_shows_the_first_warnings_and_counts_the_rest() -> None:
    """A measurement with many warnings prints five of them and says how many more."""
    output = FlameGraphOutput.from_folded("a;b 10\n")
    output.warnings = [f"Class{i}.field is not visited" for i in range(12)]
    text = output.summary(width=100)
    assert "Warnings (12)" in text
    assert "Class4.field" in text
    assert "Class5.field" not in text
    assert f"... and {12 - MAX_WARNINGS:,} more" in text
