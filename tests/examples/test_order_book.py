"""The order-book example pins its memory the way a user's service would: a folded snapshot
of its layout, and a budget that says where the bytes went when it is exceeded."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from allocative import FlameGraphBuilder, size_of
from allocative.pytest import assert_size_at_most
from examples.order_book import Book, build_book

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True, scope="module")
def settled() -> list[Book]:
    """Small books built first: a class's first few dozen instances get bigger attribute
    storage while its shared keys settle, and a snapshot must not depend on how many
    books the process built before (README, "What a measurement promises")."""
    return [build_book(levels=1, orders_per_level=1) for _ in range(40)]


def test_book_layout(allocative_snapshot: Callable[[object, str], None]) -> None:
    """Every stack of the book and its bytes, against the snapshot beside this test."""
    allocative_snapshot(build_book(), "book")


def test_book_budget() -> None:
    """The book of 50 levels a side and 20 orders a level stays within 1 MiB."""
    assert assert_size_at_most(build_book(), "1 MiB") == size_of(build_book())


def test_a_doubled_book_fails_its_budget_saying_where_the_bytes_went() -> None:
    """Twice the orders per level breaks the budget, and the message names the stacks."""
    with pytest.raises(AssertionError) as failure:
        assert_size_at_most(build_book(orders_per_level=40), "1 MiB")
    assert "PriceLevel;orders;deque;Order" in str(failure.value)


@pytest.mark.allocative_budget(book="1 MiB")
def test_book_fixture_is_held_to_its_budget(book: Book) -> None:
    book.by_id.clear()


@pytest.fixture
def book() -> Book:
    return build_book()


def test_every_field_kind_is_measured_without_a_warning() -> None:
    """Dataclass, attrs, pydantic, NamedTuple, Enum, generic, numpy and stdlib fields: all
    measured, none by reflection, no warning."""
    builder = FlameGraphBuilder()
    builder.visit_root(build_book())
    output = builder.finish()
    assert output.warnings == []
    stacks = output.folded()
    for stack in (
        "Book;venue;Venue;address;IPv4Address",
        "Book;mid_prices;ndarray",
        "Book;recent;Page;items;list",
        "Book;asks;OrderedDict;value;PriceLevel;orders;deque;Order;fills;list;Fill",
        "Book;bids;OrderedDict;value;PriceLevel;orders;deque;Order;placed;datetime",
    ):
        assert stack in stacks, stack


def test_the_example_runs_and_prints_its_summary() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "examples.order_book"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Total: ")
