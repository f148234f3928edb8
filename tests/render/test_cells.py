"""Table cells and widths: long labels fit the width, and different labels never print the same."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocative import FlameGraphOutput
from allocative._flamegraph import FlameGraph
from allocative._render.cells import ELLIPSIS, label_cells, stack_cells
from allocative._render.table import MIN_WIDTH, Style

BIDS = "Exchange;bids;dict;value;PriceLevel;orders;list;Order;__dict__"
ASKS = "Exchange;asks;dict;value;PriceLevel;orders;list;Order;__dict__"


@pytest.mark.parametrize(
    ("stack", "room", "expected"),
    [
        ("Root;a;b;c", 20, "Root;a;b;c"),
        ("Catalogue;products;dict;value;Product;title;str", 31, "Catalogue;...;Product;title;str"),
        ("Catalogue;an_extremely_long_field_name", 20, "...y_long_field_name"),
        ("Shop;products;list;Product;price;Decimal", 30, "Shop;...;Product;price;Decimal"),
        ("A;b;C;d;E;f;G;h;I;j;K", 12, "A;...;I;j;K"),
    ],
)
def test_a_lone_long_stack_keeps_its_root_and_deepest_frames(
    stack: str, room: int, expected: str
) -> None:
    """Alone, a stack is cut in the middle at frame boundaries, or from the left if it must be."""
    assert stack_cells([stack], room) == [expected]
    assert len(expected) <= room


@pytest.mark.parametrize(
    ("room", "bids", "asks"),
    [
        (
            39,
            "Exchange;bids;...;list;Order;__dict__",
            "Exchange;asks;...;list;Order;__dict__",
        ),
        (
            55,
            "Exchange;bids;...;PriceLevel;orders;list;Order;__dict__",
            "Exchange;asks;...;PriceLevel;orders;list;Order;__dict__",
        ),
        (20, "Exchange;bids;...;__dict__", "Exchange;asks;...;__dict__"),
        (70, BIDS, ASKS),
    ],
)
def test_stacks_that_differ_in_the_middle_keep_the_frame_that_differs(
    room: int, bids: str, asks: str
) -> None:
    """Bids and asks differ in the second frame only: both cells keep it, whatever the room."""
    assert stack_cells([BIDS, ASKS], room) == [bids, asks]


def test_a_cell_passes_its_room_only_to_tell_rows_apart() -> None:
    """When no cut within the room tells two rows apart, the rows keep what differs, and pass it."""
    cells = stack_cells([BIDS, ASKS, "Exchange;fills;list;FillRecord;price;Decimal"], 12)
    assert cells == [
        "Exchange;bids;...;__dict__",
        "Exchange;asks;...;__dict__",
        "...e;Decimal",
    ]


def test_a_stack_that_continues_another_is_told_from_it() -> None:
    """A stack and a longer one through it print differently even when cut to the same frames."""
    short = "Root;x;A;y;B;z;Leaf"
    long = "Root;x;A;y;B;z;Leaf;more;Leaf"
    cells = stack_cells([short, long], 14)
    assert len(set(cells)) == 2


def test_labels_that_would_print_the_same_print_in_full() -> None:
    """Type and field labels cut from the left; two that would collide print whole."""
    labels = ["FirstVeryLongModelName.attributes", "SecondVeryLongModelName.attributes", "Short.x"]
    assert label_cells(labels, 20) == [*labels[:2], "Short.x"]
    assert label_cells(["OnlyOneVeryLongModelName.attributes"], 20) == ["...elName.attributes"]


FRAME = st.text(alphabet="ab.;", min_size=1, max_size=6).filter(lambda name: ";" not in name)
STACK = st.lists(st.sampled_from(["A", "bb", "Ccc", "...", "d"]) | FRAME, min_size=1, max_size=9)


@settings(max_examples=200, deadline=None)
@given(st.lists(STACK, min_size=1, max_size=12, unique_by=tuple), st.integers(0, 40))
def test_distinct_stacks_give_distinct_cells_at_any_room(paths: list[list[str]], room: int) -> None:
    """Whatever the stacks (frames named ``...`` included) and the room, no two cells are equal."""
    stacks = [";".join(path) for path in paths]
    cells = stack_cells(stacks, room)
    assert len(set(cells)) == len(cells)


@settings(max_examples=200, deadline=None)
@given(st.lists(STACK, min_size=1, max_size=12, unique_by=tuple), st.integers(4, 40))
def test_a_cell_shows_pieces_of_its_stack_in_order(paths: list[list[str]], room: int) -> None:
    """A cell is its stack with runs of frames (or a leading part) replaced by ``...``."""
    stacks = [";".join(path) for path in paths]
    for stack, cell in zip(stacks, stack_cells(stacks, room), strict=True):
        position = 0
        for piece in cell.split(ELLIPSIS):
            found = stack.find(piece, position)
            assert found >= 0, (stack, cell)
            position = found + len(piece)


@settings(max_examples=200, deadline=None)
@given(STACK, st.integers(4, 40))
def test_a_lone_stack_always_fits(path: list[str], room: int) -> None:
    """With no other row to tell it from, a stack's cell fits any room of four or more."""
    assert len(stack_cells([";".join(path)], room)[0]) <= room


NAME = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=";\n\r "),
    min_size=1,
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(NAME, min_size=1, max_size=10), min_size=2, max_size=20, unique_by=tuple),
    st.integers(MIN_WIDTH, 200),
)
def test_summary_prints_each_largest_stack_differently_at_any_width(
    paths: list[list[str]], width: int
) -> None:
    """The summary's largest stacks, and a diff's largest changes, are distinct at any width."""
    graph = FlameGraph()
    for index, path in enumerate(paths):
        graph.add_stack(path, 1000 + index)
    stacks = len(list(graph.stacks()))
    output = FlameGraphOutput(graph)
    summary = output.summary(top=stacks, width=width).split("\n\n")
    rows = section(summary, "Largest stacks (own bytes)")
    assert len(rows) == stacks
    assert len({row[20:] for row in rows}) == stacks
    diff = output.diff_summary(FlameGraphOutput(FlameGraph()), top=stacks, width=width)
    rows = section(diff.split("\n\n"), "Largest changes by stack (own bytes)")
    assert len({row.split(" ->", 1)[1][12:] for row in rows}) == stacks


def section(sections: list[str], heading: str) -> list[str]:
    lines = next(text for text in sections if text.startswith(heading)).splitlines()
    return lines[1:]


def test_the_issue_example_in_a_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    """At the terminal's 80 columns the bids and asks rows name their side."""
    monkeypatch.setenv("COLUMNS", "80")
    graph = FlameGraph()
    graph.add_stack(BIDS.split(";"), 4096)
    graph.add_stack(ASKS.split(";"), 2048)
    rows = section(FlameGraphOutput(graph).summary().split("\n\n"), "Largest stacks")
    assert rows == [
        "     4.0 KiB   66.7%  Exchange;bids;...;PriceLevel;orders;list;Order;__dict__",
        "     2.0 KiB   33.3%  Exchange;asks;...;PriceLevel;orders;list;Order;__dict__",
    ]


def test_width_none_is_the_terminal_and_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """``None`` reads ``COLUMNS`` (or the terminal); a narrower one than the minimum is widened."""
    monkeypatch.setenv("COLUMNS", "150")
    assert Style.fitting(None).width == 150
    monkeypatch.setenv("COLUMNS", "30")
    assert Style.fitting(None).width == MIN_WIDTH
    assert Style.fitting(100).width == 100


def test_a_width_below_the_minimum_is_refused(order: FlameGraphOutput) -> None:
    """Asking the API for fewer columns than a table needs raises one clear ValueError."""
    with pytest.raises(ValueError, match=r"^a table needs a width of at least 60 columns, not 40$"):
        order.summary(width=40)
    with pytest.raises(ValueError, match="at least 60 columns"):
        order.diff_summary(order, width=59)
