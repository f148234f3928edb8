"""Property: any list of records measures the same in runs as record by record.

Runs on the test runner's Python only (Hypothesis is not installed in the
other interpreters' environments); ``test_columns`` pins the shapes on all three.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

pytest.importorskip("hypothesis", reason="installed for the test runner's Python only")

from hypothesis import given, settings
from hypothesis import strategies as st

from allocative import _size_visitor as size_visitor
from allocative import size_of
from tests.runtime.test_columns import Rec

_RARE = 517
"""The draw (of 0 to 1000) that materialises a record's ``__dict__`` or repeats a record:
not a bound, which Hypothesis would draw too often."""


def _pool() -> list[Any]:
    """Values records draw from: each may end up in several records, fields and containers."""
    width = 12
    return [
        "s" * width, f"x{width}", "", "é", sys.intern("k" * width), b"b" * width, b"",
        width, 10**width + 1, -3, width + 0.5, [width + 0.25], {"k": width + 0.75}, None,
        (width, width + 1), {"kk" * width}, ["str", width], {width: "v" * width},
    ]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    picks=st.lists(
        st.tuples(
            *[st.integers(0, len(_pool()) + 3)] * 4, st.integers(0, 1000), st.integers(0, 1000)
        ),
        min_size=size_visitor._RUN_MIN,
        max_size=size_visitor._RUN_MIN + 40,
    )
)
def test_random_records_match_the_per_object_path(picks: list[tuple[int, ...]]) -> None:
    """Any mix of shared, fresh, lying and missing values: the same total as record by record."""
    records = _records(picks)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(size_visitor, "_RUN_MIN", sys.maxsize)
        expected = size_of(records)
    assert size_of(records) == expected


def _records(picks: list[tuple[int, ...]]) -> list[Any]:
    """Records of values drawn from the pool; the list is their only holder, as in a service."""
    pool = _pool()
    records: list[Any] = []
    for *fields, materialise, repeat_last in picks:
        values = [
            pool[i] if i < len(pool) else [i + 0.5, f"fresh-{i}-{len(records)}"] for i in fields
        ]
        record = Rec(*values)
        if materialise == _RARE:  # rare, as each one sends its whole run to the per-object path
            record.__dict__  # noqa: B018 - makes the instance dict
        records.append(records[-1] if repeat_last == _RARE and records else record)
    return records
