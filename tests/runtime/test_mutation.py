"""A container another thread changes during a measurement: only it is visited again.

The rule: the failure re-visits exactly the container that changed, from a copy
and under its own frames; the owner's other fields keep their names and
options; the warning names ``Class.field``; the total is the total without
mutation. A second thread inserts and deletes a key in a loop while the same
tree is measured many times.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from allocative import FlameGraphBuilder, Visitor, size_of
from allocative._constants import CHANGED

MEASUREMENTS = 40

pytestmark = pytest.mark.native


class FillRecord:
    """A record in the book: a price and a venue name."""

    def __init__(self, i: int) -> None:
        self.price = i + 0.25
        self.venue = f"venue-{i}"

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_float("price", self.price)
        visitor.visit_str("venue", self.venue)


class Book:
    """The issue's owner: a dict of records beside fields with names, ``skip``, ``opaque``."""

    def __init__(self, n: int) -> None:
        self.name = f"book-{n}" * 10
        self.by_id = {1000 + i: FillRecord(i) for i in range(n)}
        self.cache = [f"cached-{i}" for i in range(100)]
        self.handle = [f"handle-{i}" for i in range(100)]
        self.tail = [i + 0.5 for i in range(50)]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)
        visitor.visit_dict("by_id", self.by_id, int, None)
        visitor.skip("cache")
        visitor.visit_opaque("handle", self.handle)
        visitor.visit_list("tail", self.tail, float)


def churn(target: dict[int, Any], rounds: int, pause: bool = False) -> None:
    """Insert and delete one key: the dict's size changes, its content does not.

    With ``pause`` the thread lets others run while the key is in (and out).
    """
    for _ in range(rounds):
        target[-1] = None
        if pause:
            time.sleep(0)
        del target[-1]
        if pause:
            time.sleep(0)


@pytest.fixture
def book() -> Iterator[Book]:
    """A book whose dict table has reached the size its churn keeps it at."""
    value = Book(2000)
    churn(value.by_id, 20000)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, so the walks and the churn interleave
    yield value
    sys.setswitchinterval(interval)


def folded(book: Book) -> tuple[dict[str, int], list[str]]:
    builder = FlameGraphBuilder()
    builder.visit_root(book)
    output = builder.finish()
    pairs = (line.rsplit(" ", 1) for line in output.folded().splitlines())
    return {stack: int(size) for stack, size in pairs}, output.warnings


def test_a_dict_changed_by_another_thread_is_measured_again_alone(book: Book) -> None:
    """Many measurements during a churn: each total is the quiet total, each frame keeps its
    name, ``skip`` and ``opaque`` hold, and the warning names ``Book.by_id``."""
    quiet_total = size_of(book)
    quiet, warnings = folded(book)
    assert warnings == []
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            churn(book.by_id, 100, pause=True)

    worker = threading.Thread(target=run)
    worker.start()
    try:
        sizes = [size_of(book) for _ in range(MEASUREMENTS)]
        graphs = [folded(book) for _ in range(MEASUREMENTS)]
    finally:
        stop.set()
        worker.join()
    assert sizes == [quiet_total] * MEASUREMENTS
    changed = 0
    for found, warnings in graphs:
        assert sum(found.values()) == quiet_total
        assert set(found) - {"Book;by_id;dict;unused_capacity"} <= set(quiet)
        assert found["Book;handle;list"] == quiet["Book;handle;list"]
        assert found["Book;tail;list;float"] == quiet["Book;tail;list;float"]
        assert (
            found["Book;by_id;dict;value;FillRecord;venue;str"]
            == (quiet["Book;by_id;dict;value;FillRecord;venue;str"])
        )
        assert not any("cache" in stack for stack in found)
        assert warnings in ([], [f"Book.by_id: {CHANGED}"])
        changed += bool(warnings)
    assert changed, "the churn never met a walk: the test did not exercise the rule"
