"""Measuring beside threads and hostile methods: the process never crashes, no figure is
impossible, nothing is skipped silently.

Other threads add and delete attributes, replace ``__dict__``s, grow and clear
dicts, lists, sets and deques, and drop and create objects, while the main
thread measures ``size_of``, the flame graph and ``retained_size`` in a loop for
a bounded time. Then the tree's own methods and visit functions do the same to
the tree being walked. Each scenario runs on both engines, and (``native``)
under Python 3.12 and 3.13, the debug allocator with ``-X dev``, and
AddressSanitizer.

A figure is possible when it is not negative, when the flame graph's frames sum
to its total, when no frame holds a negative count, and when ``retained_size``
lies between 0 and the tree's size. A measurement that raced a change it can
see (a container resized during its iteration, an instance's storage replaced)
says so in its warnings.
"""

from __future__ import annotations

import collections
import contextlib
import os
import random
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from allocative import FlameGraphBuilder, Visitor, retained_size, size_of

pytestmark = pytest.mark.native

SECONDS = float(os.environ.get("ALLOCATIVE_STRESS_SECONDS", "0.5"))
"""How long each scenario measures, per engine."""
CEILING = 64 * 1024 * 1024
"""More than any tree here can hold at any moment: a figure above it is impossible."""


class Record:
    """A class with a method of the form allocative-gen writes."""

    def __init__(self, i: int) -> None:
        self.name = f"record-{i:06d}"
        self.values = [i + 0.25, i + 0.5]
        self.meta = {"id": f"id-{i}", "score": i * 0.5}

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("name", self.name)
        visitor.visit_list("values", self.values, float)
        visitor.visit_dict("meta", self.meta, str, None)


class Plain:
    """An unmarked instance: measured attribute by attribute, from its managed storage; the
    record's method runs Python code between its attributes, where threads switch."""

    def __init__(self, i: int) -> None:
        self.label = f"plain-{i}"
        self.record = Record(i)
        self.items = [f"item-{i}-{j}" for j in range(3)]


class Slotted:
    """Slots and a ``__dict__``."""

    __slots__ = ("__dict__", "left", "right")

    def __init__(self, i: int) -> None:
        self.left = [i + 0.75]
        self.right = f"right-{i}"


class Forest:
    """What the threads change: every kind of container, and instances of each kind."""

    def __init__(self, n: int = 60) -> None:
        self.records = [Record(i) for i in range(n)]
        self.plain = [Plain(i) for i in range(n)]
        self.slotted = [Slotted(i) for i in range(n)]
        self.by_name = {f"key-{i}": Record(i) for i in range(n)}
        self.tags = {f"tag-{i}" for i in range(n)}
        self.queue = collections.deque(f"job-{i}" for i in range(n))
        self.nested = [[f"leaf-{i}-{j}" for j in range(4)] for i in range(n)]


Mutation = Callable[[Forest, random.Random, int], None]


def add_and_delete_attributes(forest: Forest, rng: random.Random, step: int) -> None:
    """New attribute names grow an instance's storage, then turn it into a ``__dict__`` (and
    free its values); a few instances, renewed often, take most changes, so that some
    change while they are walked."""
    if step % 16 == 0:
        forest.plain[step % 3] = Plain(step)
        return
    target = rng.choice(forest.plain[:3] if step % 4 else forest.plain + forest.slotted)
    name = f"extra{step % 40}"
    if step % 2:
        setattr(target, name, Record(step) if step % 4 == 1 else [f"extra-{step}"] * 3)
    else:
        with contextlib.suppress(AttributeError):  # never set, or deleted by the other thread
            delattr(target, name)


def replace_dicts(forest: Forest, rng: random.Random, step: int) -> None:
    """A new ``__dict__`` frees the old one and its values."""
    target = rng.choice(forest.plain)
    target.__dict__ = {"label": f"new-{step}", "items": [f"n-{step}"], "more": [step + 0.5]}


def grow_and_clear_containers(forest: Forest, rng: random.Random, step: int) -> None:
    """Lists, dicts, sets and deques grow, shrink and are emptied."""
    choice = step % 8
    if choice == 0:
        forest.nested.append([f"grown-{step}"] * 5)
    elif choice == 1 and len(forest.nested) > 30:
        del forest.nested[rng.randrange(len(forest.nested))]
    elif choice == 2:
        forest.by_name[f"grown-{step % 200}"] = Record(step)
    elif choice == 3:
        forest.by_name.pop(rng.choice(list(forest.by_name)), None)
    elif choice == 4:
        forest.tags.add(f"tag-{step % 300}")
        forest.tags.discard(f"tag-{rng.randrange(300)}")
    elif choice == 5:
        forest.queue.append(f"job-{step}")
        forest.queue.popleft()
    elif choice == 6:
        rng.choice(forest.nested).clear()
    else:
        rng.choice(forest.records).meta[f"m{step % 10}"] = step + 0.5


def drop_and_create(forest: Forest, rng: random.Random, step: int) -> None:
    """Objects the walk may have claimed are dropped; new ones take their place."""
    index = rng.randrange(len(forest.records))
    forest.records[index] = Record(step)
    forest.plain[rng.randrange(len(forest.plain))] = Plain(step)
    forest.slotted[rng.randrange(len(forest.slotted))].left = [step + 0.5] * 3


MUTATIONS: dict[str, Mutation] = {
    "attributes": add_and_delete_attributes,
    "dicts replaced": replace_dicts,
    "containers": grow_and_clear_containers,
    "objects churned": drop_and_create,
}


@pytest.fixture
def often() -> Iterator[None]:
    """Switch threads as often as the interpreter allows, so walks and changes interleave."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def possible(output: Any) -> None:
    """A flame graph no figure of which is impossible."""
    stacks = list(output.flamegraph.stacks())
    assert all(size > 0 for _, size in stacks)
    assert sum(size for _, size in stacks) == output.total_size
    assert 0 < output.total_size < CEILING


def measure_all_ways(holder: list[Forest], warnings: list[str]) -> None:
    """size_of, a flame graph and retained_size of the one forest, each checked."""
    total = size_of(holder[0])
    assert 0 < total < CEILING
    builder = FlameGraphBuilder()
    builder.visit_root(holder[0], "forest")
    output = builder.finish()
    possible(output)
    warnings.extend(output.warnings)
    retained = retained_size(holder[0])
    assert 0 <= retained < CEILING


def run_beside(mutate: Mutation, measure: Callable[[Forest], None]) -> int:
    """Run ``mutate`` in two threads while ``measure`` runs for SECONDS; measurements made."""
    forest = Forest()
    stop = threading.Event()
    failures: list[BaseException] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        step = 0
        try:
            while not stop.is_set():
                with contextlib.suppress(IndexError, KeyError):  # the threads raced on a choice
                    mutate(forest, rng, step)
                step += 1
        except BaseException as error:  # a mutation's own bug: report it, do not hang
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    done = 0
    deadline = time.monotonic() + SECONDS
    try:
        while time.monotonic() < deadline or done == 0:
            measure(forest)
            done += 1
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not failures, failures
    return done


@pytest.mark.parametrize("mutation", list(MUTATIONS))
@pytest.mark.usefixtures("often")
@pytest.mark.filterwarnings("ignore::allocative.ChangedWhileMeasured")
def test_measuring_beside_threads_that_change_the_tree(mutation: str) -> None:
    """Two threads change the forest while it is measured every way: no crash, every
    figure possible."""
    warnings: list[str] = []
    holder: list[Forest] = []

    def measure(forest: Forest) -> None:
        holder[:] = [forest]
        measure_all_ways(holder, warnings)

    assert run_beside(MUTATIONS[mutation], measure) > 0
    allowed = ("changed while", "attributes changed", "no __allocative__", "not visited by")
    assert all(any(text in warning for text in allowed) for warning in warnings), set(warnings)


class Hostile:
    """A method that changes the tree it is part of while it is being walked."""

    plan: str = "none"

    def __init__(self, parent: list[Any], i: int) -> None:
        self.parent = parent
        self.name = f"hostile-{i}"
        self.values = [i + 0.5, i + 1.5]
        self.spare = [f"spare-{i}"] * 4

    def __allocative__(self, visitor: Visitor) -> None:
        plan = type(self).plan
        visitor.visit_str("name", self.name)
        if plan == "replace own dict":
            self.__dict__ = {"name": self.name, "values": [9.5], "parent": self.parent}
        elif plan == "delete visited":
            self.__dict__.pop("spare", None)
        elif plan == "add many":
            for k in range(60):
                setattr(self, f"late{k}", [k + 0.5])
        elif plan == "clear parent":
            self.parent.clear()
        elif plan == "grow parent":
            self.parent.extend(Hostile(self.parent, k) for k in range(3))
            del self.parent[:3]
        visitor.visit_list("values", getattr(self, "values", []), float)
        visitor.visit_field_with("spare", getattr(self, "spare", None), drop_while_visiting)
        visitor.skip("parent")


def drop_while_visiting(value: Any, visitor: Visitor) -> None:
    """A visit function that empties the container it was given, after one visit."""
    if isinstance(value, list) and value:
        visitor.visit_item(value[0])
        value.clear()
        value.extend(f"again-{k}" for k in range(8))


PLANS = ("replace own dict", "delete visited", "add many", "clear parent", "grow parent")


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.filterwarnings("ignore::allocative.ChangedWhileMeasured")
def test_methods_that_change_the_tree_being_walked(
    plan: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each measurement of a fresh tree whose methods change it as they run: no crash,
    every figure possible, and a second measurement of the settled tree agrees with its
    own flame graph."""
    monkeypatch.setattr(Hostile, "plan", plan)
    deadline = time.monotonic() + SECONDS / 2
    rounds = 0
    while time.monotonic() < deadline or rounds == 0:
        tree: list[Any] = []
        tree.extend(Hostile(tree, i) for i in range(40))
        holder = [tree]
        assert 0 < size_of(holder[0]) < CEILING
        builder = FlameGraphBuilder()
        builder.visit_root(holder[0], "tree")
        possible_or_empty(builder.finish())
        assert 0 <= retained_size(holder[0]) < CEILING
        rounds += 1


def possible_or_empty(output: Any) -> None:
    """A flame graph whose figures are possible; a tree its methods emptied may be tiny."""
    stacks = list(output.flamegraph.stacks())
    assert all(size > 0 for _, size in stacks)
    assert sum(size for _, size in stacks) == output.total_size < CEILING


class Parent:
    """Unmarked: measured attribute by attribute, reading its storage between visits."""

    def __init__(self, i: int) -> None:
        self.first = f"first-{i}"
        self.child = Child(self)
        self.last = [f"last-{i}-{k}" for k in range(4)]


class Child:
    """Changes its parent's storage from inside the parent's measurement."""

    plan: str = "grow"

    def __init__(self, parent: Parent) -> None:
        self.parent = parent
        self.values = [0.5, 1.5]

    def __allocative__(self, visitor: Visitor) -> None:
        parent = self.parent
        if type(self).plan == "grow":
            for k in range(40):  # past the shared keys: a __dict__ is made, the values freed
                setattr(parent, f"grown{k}", [k + 0.5])
        elif type(self).plan == "replace":
            parent.__dict__ = {"first": "replaced", "last": [9.5] * 9}
        else:
            del parent.last
        visitor.visit_list("values", self.values, float)
        visitor.skip("parent")


@pytest.mark.parametrize("plan", ["grow", "replace", "delete"])
@pytest.mark.filterwarnings("ignore::allocative.ChangedWhileMeasured")
def test_a_child_changing_its_parents_storage_mid_walk(
    plan: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parent's storage is read again after each attribute's visit: never through a
    pointer the child's method freed. The rest is measured, by name or without one."""
    monkeypatch.setattr(Child, "plan", plan)
    for round_ in range(20):
        holder = [[Parent(round_ * 100 + i) for i in range(10)]]
        builder = FlameGraphBuilder()
        builder.visit_root(holder[0], "parents")
        output = builder.finish()
        possible_or_empty(output)
        assert "parents;Parent;child;Child;values;list" in output.folded()
        holder = [[Parent(round_ * 100 + i) for i in range(10)]]
        assert 0 < size_of(holder[0]) < CEILING
        holder = [[Parent(round_ * 100 + i) for i in range(10)]]
        assert 0 <= retained_size(holder[0]) < CEILING
