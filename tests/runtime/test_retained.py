"""retained_size against the truth: the bytes tracemalloc sees freed when the reference goes.

Each case builds a structure and what holds part of it from outside, keeps the
structure in exactly one place, asks for its retained size, drops that one
reference, collects, and compares with the bytes freed. Every engine, and
(``accuracy``) Python 3.11, 3.12 and 3.13.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

import allocative
from allocative import FlameGraphBuilder, Visitor, retained_size, size_of
from allocative import allocative as mark
from allocative._retained import SHARED, shared_size
from tests.runtime.conftest import drain_free_lists, warm

pytestmark = pytest.mark.accuracy

Build = Callable[[], tuple[object, object]]
"""Makes (the structure, what outside it holds part of it)."""


def fresh(text: str) -> str:
    """A run-time string: never interned, so it counts."""
    return "".join(list(text))


@dataclass
class Record:
    name: str
    values: list[float]


@mark
@dataclass
class Entry:
    key: str
    payload: list[float]
    parent: Entry | None = None

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("key", self.key)
        visitor.visit_list("payload", self.payload, float)
        visitor.visit_field("parent", self.parent)


def _freed(holder: list[object]) -> int:
    """Bytes traced before minus after dropping ``holder[0]`` and collecting."""
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    holder[0] = None
    gc.collect()
    return before - tracemalloc.get_traced_memory()[0]


def retained_and_freed(build: Build) -> tuple[int, int, int]:
    """(size_of, retained_size, bytes freed) for the structure ``build`` makes."""
    warm = list(build())
    retained_size(warm[0])  # one-time caches (kinds, shared keys) are not part of it
    _freed([None])
    del warm
    callbacks = gc.callbacks[:]
    gc.callbacks.clear()  # Hypothesis times each collection: its callback allocates and frees
    held = drain_free_lists()
    tracemalloc.get_traced_memory()
    tracemalloc.start()
    try:
        # A bytearray's bytes are exactly sys.getsizeof's; the rest is what the reads
        # themselves allocate meanwhile.
        offset = sys.getsizeof(bytearray(1000)) - _freed([bytearray(1000)])
        holder = list(build())
        total = size_of(holder[0])
        predicted = retained_size(holder[0])
        freed = _freed(holder) + offset
    finally:
        tracemalloc.stop()
        gc.callbacks[:] = callbacks
        del held
    return total, predicted, freed


def records(count: int) -> list[Record]:
    return [Record(fresh(f"record {i}"), [i + 0.5, i + 0.25]) for i in range(count)]


def no_sharing() -> tuple[object, object]:
    return records(500), None


def indexed_records() -> tuple[object, object]:
    tree = records(500)
    return tree, {record.name: record for record in tree[::10]}


def indexed_strings() -> tuple[object, object]:
    tree = records(500)
    return tree, [record.name for record in tree[::3]]


def cycle_inside() -> tuple[object, object]:
    first: list[object] = [fresh("a" * 300)]
    second: list[object] = [first, 1.5e300]
    first.append(second)
    return {"cycle": first, "other": [fresh("b" * 200)]}, None


def cycle_through_outside() -> tuple[object, object]:
    outside: list[object] = []
    tree: list[object] = [outside, fresh("c" * 500), [2.5, 3.5]]
    outside.append(tree)
    return {"tree": tree, "own": [fresh("d" * 100)]}, outside


def closure_outside() -> tuple[object, object]:
    data = [fresh("e" * 1000), 4.5]
    return [data, [fresh("f" * 50)]], lambda: data


def weak_references() -> tuple[object, object]:
    tree = records(50)
    watchers = [weakref.ref(record) for record in tree]
    return tree, watchers


def dict_shared_by_two_caches() -> tuple[object, object]:
    shared = {fresh(f"k{i}"): fresh(f"v{i}") for i in range(100)}
    first = {"table": shared, "own": [fresh("g" * 80)]}
    second = {"table": shared}
    return first, second


def small_and_empty() -> tuple[object, object]:
    return [7, -3, (), "", b"", [fresh("h" * 40), 100, 1000.5]], None


def marked_chain() -> tuple[object, object]:
    node: Entry | None = None
    for i in range(200):
        node = Entry(fresh(f"entry {i}"), [i + 0.5] * 3, node)
    assert node is not None
    keep = node
    for _ in range(100):
        assert keep.parent is not None
        keep = keep.parent
    return node, keep


def types_and_modules() -> tuple[object, object]:
    return [int, sys, weakref, Record, fresh("j" * 120), [2.5]], None


def held_by_a_running_frame() -> tuple[object, object]:
    """A suspended generator outside keeps part of the tree in its frame's local."""
    tree = records(30)

    def watch(part: list[Record]) -> Any:
        yield len(part)

    watcher = watch([*tree[5:8], tree[20]])
    next(watcher)
    return tree, watcher


@mark
@dataclass
class Tally:
    n: int
    score: float
    meta: dict[str, object]
    values: list[float]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_int("n", self.n)
        visitor.visit_float("score", self.score)
        visitor.visit_dict("meta", self.meta, str, None)
        visitor.visit_list("values", self.values, float)


@dataclass
class Pair:
    first: object
    second: object


def values_held_twice() -> tuple[object, object]:
    """Each value held by two or more places in the tree (a typed field, a dict entry, list
    elements, an unmarked instance's attributes, two attributes of one instance); some also
    held outside, which keeps them."""
    tree: list[object] = []
    for i in range(300):
        n, score = 10**6 + i, i + 0.5
        values = [score, score]
        tree.append(Tally(n, score, {"id": n, "score": score}, values))
        tree.append(Pair(n, score))
        tree.append(Pair(values, values))
    tallies = [tally for tally in tree if isinstance(tally, Tally)]
    outside = [tally.n for tally in tallies[::7]] + [tally.score for tally in tallies[::5]]
    return tree, outside


def closures_inside() -> tuple[object, object]:
    """Functions made at run time that only the tree holds: their captured data, defaults
    and attributes go with it."""

    def make(i: int) -> Any:
        data = [fresh(f"captured {i}") * 5, i + 0.5]

        def lookup(key: str = fresh(f"default {i}")) -> Any:
            return data, key

        lookup.note = [fresh("note")]  # type: ignore[attr-defined]
        return lookup

    return [make(i) for i in range(20)] + [lambda x=[fresh("lambda")]: x], None  # noqa: B008


class Counter:
    def __init__(self) -> None:
        self.counts = [fresh("count") for _ in range(20)]

    def bump(self) -> int:
        return len(self.counts)


SETTLED = warm(Counter)
"""Instances made first, so that Counter's attribute storage has settled."""


def bound_methods_inside() -> tuple[object, object]:
    """A bound method holds its object: the tree holds only the methods."""
    return [Counter().bump for _ in range(10)], None


def root_held_twice() -> tuple[object, object]:
    tree = records(20)
    return tree, tree


CASES: dict[str, Build] = {
    "no sharing": no_sharing,
    "records in an outside index": indexed_records,
    "strings in an outside list": indexed_strings,
    "cycle inside": cycle_inside,
    "cycle through an outside object": cycle_through_outside,
    "held by a closure outside": closure_outside,
    "weak references outside": weak_references,
    "dict shared by two caches": dict_shared_by_two_caches,
    "small ints and empty values": small_and_empty,
    "marked chain, held halfway": marked_chain,
    "types and modules": types_and_modules,
    "held by a running frame": held_by_a_running_frame,
    "values held twice inside, some outside": values_held_twice,
    "root held twice": root_held_twice,
    "closures inside": closures_inside,
    "bound methods inside": bound_methods_inside,
}


@pytest.mark.parametrize("build", CASES.values(), ids=CASES.keys())
def test_retained_size_is_what_dropping_frees(build: Build) -> None:
    """Exactly the bytes tracemalloc sees freed."""
    total, predicted, freed = retained_and_freed(build)
    assert predicted == freed
    assert 0 <= predicted <= total


def test_no_sharing_retains_everything() -> None:
    """A tree nothing else refers to is freed whole: retained == size_of."""
    total, predicted, _ = retained_and_freed(no_sharing)
    assert predicted == total


def test_what_an_index_holds_stays() -> None:
    """Every tenth record in an outside index: those records (and their strings, lists
    and floats) stay; the list and the other records go."""
    tree = records(500)
    index = {record.name: record for record in tree[::10]}
    kept = sum(size_of(record) for record in index.values())
    assert retained_size(tree) == size_of(tree) - kept


INTERNED_ARE_MORTAL = sys.version_info[:2] != (3, 12)
"""3.12 makes every interned string immortal; 3.11 and 3.13 free one no one holds."""


def test_interned_strings_count_zero_as_in_size_of() -> None:
    """An interned string counts zero, as in size_of (the interpreter's): where the tree
    held the last reference to one, dropping it frees that string too, beyond the figure."""
    name = sys.intern(fresh("an interned name"))
    size = sys.getsizeof(name)
    del name

    def build() -> tuple[object, object]:
        return [sys.intern(fresh("an interned name")), [fresh("i" * 30)]], None

    total, predicted, freed = retained_and_freed(build)
    assert predicted == total
    assert freed - predicted == (size if INTERNED_ARE_MORTAL else 0)


def test_root_held_elsewhere_frees_nothing() -> None:
    tree = records(10)
    alias = tree
    assert retained_size(tree) == 0
    del alias
    assert retained_size(tree) == size_of(tree)


def test_unavailable_where_reference_counts_are_not_trusted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Behind the gate it says so; it never guesses."""
    monkeypatch.setattr("allocative._retained.REFUSAL", "this is a free-threaded build")
    with pytest.raises(allocative.RetainedSizeUnavailable, match="free-threaded"):
        retained_size([1.5])


@pytest.mark.parametrize("build", CASES.values(), ids=CASES.keys())
def test_retained_flame_graph_agrees_with_retained_size(build: Build) -> None:
    """FlameGraphBuilder(retained=True): every byte of the tree, and under [shared] (below
    the root's frame only) exactly what retained_size says stays."""
    obj, outside = build()
    retained = retained_size(obj)
    builder = FlameGraphBuilder(retained=True)
    builder.visit_root(obj, "root")
    output = builder.finish()
    graph = output.flamegraph
    assert output.retained
    assert output.total_size == size_of(obj)
    assert output.total_size - shared_size(graph) == retained
    for path, _ in graph.stacks():
        assert SHARED not in path or path.index(SHARED) == 1
    del outside


def test_retained_flame_graph_files_an_index_under_shared() -> None:
    """An outside index's records are under root;[shared];Record, at the stacks where the
    records are met; the summary says how much would be freed and lists the shared stacks."""
    tree = records(100)
    index = {record.name: record for record in tree[::10]}
    builder = FlameGraphBuilder(retained=True)
    builder.visit_root(tree, "records")
    output = builder.finish()
    stacks = dict(output.flamegraph.stacks())
    record = size_of(tree[0]) - size_of(tree[0].name) - size_of(tree[0].values)
    assert (
        stacks[("records", SHARED, "Record")]
        + stacks.get(("records", SHARED, "Record", "__dict__"), 0)
        == 10 * record
    )
    assert stacks[("records", SHARED, "Record", "name", "str")] == sum(
        size_of(r.name) for r in index.values()
    )
    summary = output.summary(width=120)
    shared = shared_size(output.flamegraph)
    assert f"({shared * 100 / output.total_size:.1f}% held from outside)" in summary
    assert "Largest shared stacks" in summary


def test_retained_flame_graph_is_unavailable_behind_the_gate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("allocative._retained.REFUSAL", "PyPy is not CPython")
    with pytest.raises(allocative.RetainedSizeUnavailable, match="PyPy"):
        FlameGraphBuilder(retained=True)


def test_allocator_overhead_is_retained_with_the_blocks() -> None:
    """With allocator_overhead, what goes takes its rounding with it: a tree nothing else
    holds retains all of size_of's figure, and an index keeps its records' share."""
    tree = records(200)
    assert retained_size(tree, allocator_overhead=True) == size_of(tree, allocator_overhead=True)
    index = tree[::10]
    kept = sum(size_of(record, allocator_overhead=True) for record in index)
    assert retained_size(tree, allocator_overhead=True) == (
        size_of(tree, allocator_overhead=True) - kept
    )


class Lazy:
    """Held from outside; its method fills a cache on every visit, so each walk of
    ``retained_size`` finds it bigger than the one before."""

    def __init__(self) -> None:
        self.cache: list[str] = []

    def __allocative__(self, visitor: Visitor) -> None:
        self.cache.append(fresh("x" * 100_000))
        visitor.visit_list("cache", self.cache, str)


def test_a_tree_changing_between_walks_gives_a_bound_and_says_so() -> None:
    """More stays than the tree first held: the figure is clamped to 0, never negative,
    and a ChangedWhileMeasured warning says it is a bound."""
    lazy = Lazy()
    tree = [lazy, [fresh("own")]]
    with pytest.warns(allocative.ChangedWhileMeasured, match="changed while it was measured"):
        retained = retained_size(tree)
    assert retained == 0
    builder = FlameGraphBuilder(retained=True)
    builder.visit_root(tree, "root")
    output = builder.finish()
    assert any("changed while it was measured" in warning for warning in output.warnings)
    assert all(size >= 0 for _, size in output.flamegraph.stacks())
    del lazy
