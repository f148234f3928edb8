"""Objects and methods that would steer the engines wrong: each is measured exactly or
refused, never followed into memory the runtime does not own.

- An object freed during the walk never lends its address to a new one that the
  walk would then skip: every address the engines keep holds its object.
- A metaclass that computes ``__qualname__``, ``__flags__``, ``__dict__`` or
  ``__basicsize__`` decides nothing: the runtime asks the type object itself.
- A slot descriptor put into a class's namespace from another class is not a slot.
- Sizes no object has (a lying ``__sizeof__``, a visit function's report) never wrap
  into a negative total: negative reports are refused, sums past 63 bits raise.
"""

from __future__ import annotations

import sys
from typing import Any, ClassVar

import pytest

from allocative import FlameGraphBuilder, Visitor, size_of
from allocative._constants import TOTAL_OVERFLOW
from tests.runtime.conftest import traced, warm

pytestmark = [pytest.mark.native, pytest.mark.accuracy]

BIG = 400_000
"""Items of the list allocated where a freed one was."""


class Reuser:
    """Drops a shared list during its own visit, then makes a new list (which takes the
    freed list's address from the interpreter's free list) and visits it."""

    def __init__(self) -> None:
        shared = [0.25]
        self.first: Any = shared
        self.second: Any = shared
        self.later: Any = None

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_field("first", self.first)
        freed = id(self.first)
        self.first = self.second = None  # the last references: the list would be freed
        self.later = [0.5 for _ in range(BIG)]
        type(self).reused = id(self.later) == freed
        visitor.visit_field("later", self.later)
        visitor.skip("second")

    reused = False


def test_an_address_freed_during_the_walk_stands_for_its_object_alone() -> None:
    """The new list is counted: the engine holds the dropped one, so the new one cannot
    take its address; without that, the new list would be skipped as seen."""
    warm(Reuser)
    reuser = Reuser()
    total = size_of(reuser)
    assert not Reuser.reused
    first = sys.getsizeof([0.25]) + sys.getsizeof(0.25)
    later = sys.getsizeof(reuser.later) + sys.getsizeof(0.5)
    assert total >= sys.getsizeof(reuser) + first + later


class LyingMeta(type):
    """Says anything about its classes, through every attribute lookup on them."""

    LIES: ClassVar[dict[str, object]] = {
        "__qualname__": "Computed",
        "__name__": "Computed",
        "__flags__": 0xFFFFFFFF,
        "__basicsize__": 1 << 40,
        "__itemsize__": 8,
        "__dictoffset__": 1 << 20,
        "__mro__": (int, object),
        "__dict__": {"__slots__": ("nowhere",)},
    }

    def __getattribute__(cls, name: str) -> Any:
        lies = type.__getattribute__(LyingMeta, "LIES")
        if name in lies:
            return lies[name]
        return super().__getattribute__(name)


class Lied(metaclass=LyingMeta):
    """A plain class whose metaclass lies about it."""

    def __init__(self, i: int) -> None:
        self.name = f"lied-{i:04d}"
        self.values = [i + 0.5, i + 1.5]


class Honest:
    """The same class without the lies."""

    def __init__(self, i: int) -> None:
        self.name = f"lied-{i:04d}"
        self.values = [i + 0.5, i + 1.5]


def test_a_lying_metaclass_decides_nothing() -> None:
    """Instances measure exactly, named as the class statement named them, with the
    same bytes as an honest class's."""
    warm(Lied, 0)
    warm(Honest, 0)
    lied, built = traced(lambda: [Lied(i) for i in range(200)])
    honest = [Honest(i) for i in range(200)]
    assert size_of(lied) == built
    assert size_of(lied) == size_of(honest)
    builder = FlameGraphBuilder()
    builder.visit_root(lied, "root")
    folded = builder.finish().folded()
    assert "root;Lied;name;str" in folded
    assert "Computed" not in folded


class Donor:
    """A class with a slot far into its instances."""

    __slots__ = tuple(f"s{i}" for i in range(64))


class Thief:
    """Claims one of its slots is the donor's last one, past the end of its instances."""

    __slots__ = ("x",)

    def __init__(self) -> None:
        self.x = "thief's own value"


Thief.x = Donor.__dict__["s63"]  # type: ignore[assignment, attr-defined]


def test_a_borrowed_slot_descriptor_is_not_read() -> None:
    """The descriptor made for another class does not apply: nothing is read through it,
    and the instance is measured by what it really holds."""
    thief = Thief.__new__(Thief)
    assert size_of(thief) == sys.getsizeof(thief)
    builder = FlameGraphBuilder()
    builder.visit_root(thief, "root")
    assert builder.finish().total_size == sys.getsizeof(thief)


class Liar:
    """A ``__sizeof__`` no object can have."""

    def __sizeof__(self) -> int:
        return 2**62


def test_sizes_past_63_bits_raise_never_wrap() -> None:
    """Three lying objects pass 2**63 - 1 bytes in all: OverflowError, never a negative."""
    liars = [Liar() for _ in range(3)]
    with pytest.raises(OverflowError, match="pass 2"):
        size_of(liars)
    builder = FlameGraphBuilder()
    builder.visit_root(liars, "root")
    with pytest.raises(OverflowError) as raised:
        builder.finish()
    assert str(raised.value) == TOTAL_OVERFLOW
    assert 2**62 < size_of(liars[:1]) < 2**62 + 1000


class Reporter:
    """Reports sizes from its method, as a visit of memory that is not an object."""

    sizes: tuple[object, ...] = ()

    def __allocative__(self, visitor: Visitor) -> None:
        for size in type(self).sizes:
            visitor.visit_simple("arena", size)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sizes", "error"),
    [
        ((-1,), "ValueError: a reported size must not be negative"),
        ((2**70,), "OverflowError: the sizes reported"),
        ((2**61, 2**61, 2**61), "OverflowError: the sizes reported"),
        ((1.5,), "TypeError: a reported size must be an int, not float"),
    ],
    ids=["negative", "huge", "in all", "float"],
)
def test_reported_sizes_are_checked(
    sizes: tuple[object, ...], error: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad report fails the method with its error; what it reported before stays, and no
    total is ever negative."""
    monkeypatch.setattr(Reporter, "sizes", sizes)
    builder = FlameGraphBuilder()
    builder.visit_root(Reporter(), "root")
    output = builder.finish()
    assert any(f"raised {error}" in warning for warning in output.warnings), output.warnings
    assert output.total_size >= sys.getsizeof(Reporter())
    assert all(size >= 0 for _, size in output.flamegraph.stacks())
