"""A diff explains growth that may be shared objects now counted at another stack."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from allocative import FlameGraphBuilder, FlameGraphOutput
from allocative._render.moves import possible_moves

BEFORE = """\
Exchange 48
Exchange;fills;list 88
Exchange;fills;list;FillRecord 320
Exchange;orders;list 120
Exchange;orders;list;Order 480
Exchange;orders;list;Order;price;Decimal 1040
Exchange;orders;list;Order;qty;int 320
"""

AFTER = """\
Exchange 48
Exchange;fills;list 88
Exchange;fills;list;FillRecord 320
Exchange;fills;list;FillRecord;price;Decimal 520
Exchange;orders;list 56
"""


def stacks(text: str) -> dict[tuple[str, ...], int]:
    return dict(FlameGraphOutput.from_folded(text).flamegraph.stacks())


def test_removing_orders_explains_why_fill_records_grew() -> None:
    """Fills' prices were counted under the orders that met them first; the diff says so."""
    before, after = FlameGraphOutput.from_folded(BEFORE), FlameGraphOutput.from_folded(AFTER)
    section = after.diff_summary(before, width=80).split("\n\n")[-1]
    assert section == (
        "Growth that may have moved from another stack (shared objects)\n"
        "  Decimal: -520 B in all\n"
        "       +520 B         0 B ->      520 B  Exchange;...;FillRecord;price;Decimal\n"
        "     -1.0 KiB     1.0 KiB ->        0 B  Exchange;...;list;Order;price;Decimal\n"
        "  These stacks grew while their type did not grow in all. An object is counted\n"
        "  once, where the traversal first meets it: when the stack that met a shared\n"
        "  object first no longer reaches it, the next stack that does counts it and\n"
        "  grows without any new allocation. Two folded files cannot tell this from freed\n"
        "  objects and new ones of the same type.\n"
    )


def test_growth_of_a_type_that_grew_in_all_is_not_explained_away(
    order: FlameGraphOutput, order_after: FlameGraphOutput
) -> None:
    """More lines and more strings are new bytes: no note, as the types grew in all."""
    assert possible_moves(stacks(order.folded()), stacks(order_after.folded())) == []
    assert "may have moved" not in order_after.diff_summary(order, width=80)


def test_a_pure_move_reads_unchanged_in_all() -> None:
    """Bytes that left one stack for another of the same type, and no more, read "unchanged"."""
    before = stacks("A;x;Blob 100\nA;y;Blob 0\nA;z;Blob 7\n")
    after = stacks("A;y;Blob 100\nA;z;Blob 7\n")
    [moves] = possible_moves(before, after)
    assert (moves.owner, moves.change, moves.moved) == ("Blob", 0, 100)
    assert moves.grew == [("A;y;Blob", 0, 100)]
    assert moves.shrank == [("A;x;Blob", 100, 0)]
    text = FlameGraphOutput.from_folded("A;y;Blob 100\n").diff_summary(
        FlameGraphOutput.from_folded("A;x;Blob 100\n"), width=80
    )
    assert "  Blob: unchanged in all\n" in text


def test_types_are_listed_by_the_bytes_that_may_have_moved() -> None:
    """Several types: the one with the most growth comes first; gap frames count for their owner."""
    before = stacks("R;a;S 10\nR;a;Big 500\nR;a;Big;__dict__ 50\n")
    after = stacks("R;b;S 10\nR;b;Big 400\nR;b;Big;__dict__ 40\n")
    assert [(moves.owner, moves.moved) for moves in possible_moves(before, after)] == [
        ("Big", 440),
        ("S", 10),
    ]


def test_the_diff_svg_notes_the_possible_move() -> None:
    """The differential flame graph shows the same explanation in its notes box."""
    svg = FlameGraphOutput.from_folded(AFTER).diff_svg(FlameGraphOutput.from_folded(BEFORE))
    notes = [
        text.get("data-text")
        for text in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")
        if text.get("class") == "note"
    ]
    assert notes == [
        "Exchange;fills;list;FillRecord;price;Decimal grew by +520 B, but Decimal did not grow "
        "in all (-520 B; Exchange;orders;list;Order;price;Decimal -1.0 KiB): possibly shared "
        "objects that another stack counted before, where the traversal met them first"
    ]


class Order:
    def __init__(self, number: int) -> None:
        self.number = number
        self.price = Decimal(f"{100 + number}.25")


class FillRecord:
    def __init__(self, order: Order) -> None:
        self.price = order.price


class Exchange:
    def __init__(self) -> None:
        self.orders = [Order(number) for number in range(300)]
        self.fills = [FillRecord(order) for order in self.orders[::3]]


def measure(root: object) -> FlameGraphOutput:
    builder = FlameGraphBuilder()
    builder.visit_root(root)
    return builder.finish()


def test_a_live_exchange_losing_its_orders() -> None:
    """Measured for real: the fills' shared prices move to them, and the diff names that."""
    exchange = Exchange()
    before = measure(exchange)
    exchange.orders = []
    after = measure(exchange)
    [decimal] = [
        moves
        for moves in possible_moves(
            dict(before.flamegraph.stacks()), dict(after.flamegraph.stacks())
        )
        if moves.owner == "Decimal"
    ]
    assert decimal.moved > 0
    assert [stack for stack, _, _ in decimal.grew] == [
        "Exchange;fills;list;FillRecord;price;Decimal"
    ]
    assert [stack for stack, _, _ in decimal.shrank] == ["Exchange;orders;list;Order;price;Decimal"]
    assert decimal.change == -2 * decimal.moved  # 100 prices kept of 300, all of one size


def test_an_object_filling_its_spare_capacity_is_no_move() -> None:
    """Bytes that go from ``dict;unused_capacity`` to ``dict`` stay in one object: no note."""
    before = stacks("Book;dict 2200\nBook;dict;unused_capacity 1100\nBook;dict;key;str 5000\n")
    after = stacks("Book;dict 2520\nBook;dict;unused_capacity 780\nBook;dict;key;str 6000\n")
    assert possible_moves(before, after) == []
