"""Reading folded-stack text back into a flame graph."""

from __future__ import annotations

import pytest

from allocative import FlameGraphOutput, MalformedFolded
from allocative._render.folded import parse_folded
from tests.render.conftest import ORDER_FOLDED


def test_folded_text_round_trips() -> None:
    """Parsing the runtime's folded output and writing it again gives the same text."""
    assert parse_folded(ORDER_FOLDED).write() == ORDER_FOLDED


def test_identical_stacks_add_up_and_blank_lines_are_skipped() -> None:
    """Repeated stacks merge, as flamegraph.pl merges them; blank lines and CRLF are accepted."""
    graph = parse_folded("a;b 3\r\n\n  \na;b 4\na 1\n")
    assert graph.write() == "a 1\na;b 7\n"


def test_frames_may_contain_spaces() -> None:
    """Only the last space separates the count, so ``[visit failed]`` frames survive."""
    graph = parse_folded("Foo;[visit failed];int 28\n")
    assert list(graph.stacks()) == [(("Foo", "[visit failed]", "int"), 28)]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("nocount", "expected 'frame;frame;... bytes'"),
        (" 12", "expected 'frame;frame;... bytes'"),
        ("a;b x", "the byte count 'x' is not a non-negative integer"),
        ("a;b -3", "the byte count '-3' is not a non-negative integer"),
        ("a;b 1.5", "the byte count '1.5' is not a non-negative integer"),
        ("a;;b 3", "empty frame name in the stack"),
    ],
)
def test_malformed_line_names_its_source_and_line(line: str, reason: str) -> None:
    """A bad line raises with ``path:line: reason``, counting lines from 1."""
    with pytest.raises(MalformedFolded) as caught:
        parse_folded(f"a 1\n{line}\n", "x.folded")
    assert str(caught.value) == f"x.folded:2: {reason}"
    assert caught.value.line == 2


def test_from_folded_gives_a_measurement_without_warnings() -> None:
    """``FlameGraphOutput.from_folded`` reads a file's text into a measurement."""
    output = FlameGraphOutput.from_folded("a;b 3\n")
    assert output.total_size == 3
    assert output.warnings == []
