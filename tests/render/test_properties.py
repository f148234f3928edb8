"""Properties over arbitrary flame graphs: folded text round-trips, every renderer copes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from allocative import FlameGraphOutput
from allocative._flamegraph import FlameGraph

FRAME = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=";\n\r"),
    min_size=1,
    max_size=30,
).filter(lambda name: name.strip() == name)
STACKS = st.lists(
    st.tuples(st.lists(FRAME, min_size=1, max_size=8), st.integers(min_value=1, max_value=2**40)),
    min_size=1,
    max_size=30,
)


def graph_of(stacks: list[tuple[list[str], int]]) -> FlameGraph:
    graph = FlameGraph()
    for frames, size in stacks:
        graph.add_stack(frames, size)
    return graph


@settings(max_examples=60, deadline=None)
@given(STACKS)
def test_folded_text_round_trips(stacks: list[tuple[list[str], int]]) -> None:
    """Reading what the runtime writes gives the same stacks back."""
    folded = graph_of(stacks).write()
    assert FlameGraphOutput.from_folded(folded).folded() == folded


@settings(max_examples=40, deadline=None)
@given(STACKS)
def test_every_renderer_copes_with_any_names(stacks: list[tuple[list[str], int]]) -> None:
    """Any frame names give well-formed XML and JSON, and a summary within 80 columns.

    Only a largest-stack row may pass them, when no shorter cell tells it from another row.
    """
    output = FlameGraphOutput(graph_of(stacks))
    ET.fromstring(output.svg())
    assert json.loads(output.to_json())["total"] == output.total_size
    assert sum(json.loads(output.speedscope())["profiles"][0]["weights"]) == output.total_size
    sections = output.summary(width=80).split("\n\n")
    rows = [
        line for text in sections if text.startswith("Largest stacks") for line in text.split("\n")
    ]
    assert all(len(line) <= 80 or line in rows for text in sections for line in text.split("\n"))
