"""Annotations that lie at run time: the generated method stays exact (same bytes as reflection)."""

from __future__ import annotations

import pytest

import allocative
from tests.gen.exactness import build, twins

CODE = """\
from dataclasses import dataclass

from allocative import allocative


@allocative
@dataclass
class Lies:
    ratio: float
    names: list[str]
    label: str
    table: dict[str, int]
    ids: set[int]
    many: tuple[float, ...]
    blob: bytes
    count: int
"""


class Label(str):
    """A str subclass with an attribute of its own."""


def _label() -> Label:
    label = Label("subclass " * 5)
    label.note = [f"note {i}" for i in range(5)]  # type: ignore[attr-defined]
    return label


LIES = {
    "float holding a big int": {"ratio": 10**30},
    "list[str] holding None, ints and lists": {
        "names": [None, 10**25, [f"x{i}" for i in range(9)]]
    },
    "str holding a subclass instance": {"label": _label()},
    "str holding bytes": {"label": b"bytes " * 9},
    "dict[str, int] holding floats and lists": {"table": {1.5: [1.0, 2.0], "k" * 3: 2.5}},
    "set[int] holding strings": {"ids": {f"s{i}" * 4 for i in range(6)}},
    "tuple[float, ...] holding lists": {"many": ([1.5, 2.5], f"{3}" * 40, 4.5)},
    "bytes holding a bytearray": {"blob": bytearray(b"z" * 100)},
    "int holding a float": {"count": 2.75},
    "list[str] holding a list subclass": {
        "names": type("Names", (list,), {})([f"n{i}" for i in range(4)])
    },
    "None where a list is declared": {"names": None},
}
DEFAULTS = {
    "ratio": 0.5,
    "names": ["a b c"],
    "label": "label",
    "table": {},
    "ids": set(),
    "many": (),
    "blob": b"",
    "count": 0,
}


@pytest.mark.parametrize("lie", list(LIES))
def test_lying_field_measures_like_reflection(lie: str) -> None:
    """size_of with the generated method equals the reflective measurement of the same values."""
    generated_module, plain_module = twins(CODE)
    values = {**DEFAULTS, **LIES[lie]}
    typed = build(generated_module, "Lies", values)
    reflective = build(plain_module, "Lies", values)
    assert allocative.size_of(typed) == allocative.size_of(reflective)


def test_lying_values_still_show_under_their_field_frames() -> None:
    """A float field holding an int shows its bytes under the field's frame with the int's type."""
    generated_module, _ = twins(CODE)
    instance = build(generated_module, "Lies", {**DEFAULTS, "ratio": 10**30})
    builder = allocative.FlameGraphBuilder()
    builder.visit_root(instance)
    assert "Lies;ratio;int 40\n" in builder.finish().flamegraph.write()
