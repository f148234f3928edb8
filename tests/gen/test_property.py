"""Property: for random classes and values, size_of with generated methods equals reflection."""

from __future__ import annotations

from collections import deque
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import allocative
from tests.gen.exactness import twins

Typed = tuple[str, st.SearchStrategy[Any]]

SCALARS: list[Typed] = [
    ("int", st.integers(-(10**30), 10**30)),
    ("float", st.floats(allow_nan=False)),
    ("str", st.text(max_size=30)),
    ("bytes", st.binary(max_size=30)),
    ("bool", st.booleans()),
    ("None", st.none()),
    ("complex", st.complex_numbers(allow_nan=False, allow_infinity=False)),
]
HASHABLE = SCALARS[:5]


def _containers(inner: st.SearchStrategy[Typed]) -> st.SearchStrategy[Typed]:
    hashable = st.sampled_from(HASHABLE)
    return st.one_of(
        inner.map(lambda t: (f"list[{t[0]}]", st.lists(t[1], max_size=6))),
        inner.map(lambda t: (f"tuple[{t[0]}, ...]", st.lists(t[1], max_size=6).map(tuple))),
        st.tuples(inner, inner).map(
            lambda ts: (f"tuple[{ts[0][0]}, {ts[1][0]}]", st.tuples(ts[0][1], ts[1][1]))
        ),
        hashable.map(lambda t: (f"set[{t[0]}]", st.sets(t[1], max_size=6))),
        hashable.map(lambda t: (f"frozenset[{t[0]}]", st.frozensets(t[1], max_size=6))),
        st.tuples(hashable, inner).map(
            lambda ts: (
                f"dict[{ts[0][0]}, {ts[1][0]}]",
                st.dictionaries(ts[0][1], ts[1][1], max_size=6),
            )
        ),
        inner.map(lambda t: (f"Optional[{t[0]}]", st.one_of(st.none(), t[1]))),
        inner.map(lambda t: (f"deque[{t[0]}]", st.lists(t[1], max_size=6).map(deque))),
    )


TYPES = st.recursive(st.sampled_from(SCALARS), _containers, max_leaves=4)
ANY_VALUE = TYPES.flatmap(lambda t: t[1])


@st.composite
def field_value(draw: st.DrawFn) -> tuple[str, Any]:
    """A field's annotation and a value: mostly of that type, sometimes a lie."""
    annotation, values = draw(TYPES)
    if draw(st.integers(0, 4)) == 0:
        return annotation, draw(ANY_VALUE)
    return annotation, draw(values)


KINDS = {
    "dataclass": "@dataclass",
    "slots dataclass": "@dataclass(slots=True)",
    "attrs": "@attrs.define",
    "plain": "",
}
HEADER = """\
from collections import deque
from dataclasses import dataclass
from typing import Optional

import attrs

from allocative import allocative
"""


def class_code(kind: str, fields: list[str]) -> str:
    """The source of a module with one marked class ``Random`` of ``kind`` and ``fields``."""
    decorators = ["@allocative", KINDS[kind]] if KINDS[kind] else ["@allocative"]
    body = [f"    f{i}: {annotation}" for i, annotation in enumerate(fields)] or ["    pass"]
    return HEADER + "\n\n" + "\n".join([*decorators, "class Random:", *body]) + "\n"


def instance(module: Any, kind: str, values: list[Any]) -> Any:
    """An instance of the module's ``Random`` holding ``values``."""
    cls = module.Random
    arguments = {f"f{i}": value for i, value in enumerate(values)}
    if kind == "plain":
        obj = cls()
        for name, value in arguments.items():
            setattr(obj, name, value)
        return obj
    return cls(**arguments)


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(kind=st.sampled_from(sorted(KINDS)), fields=st.lists(field_value(), max_size=6))
def test_generated_size_equals_reflective_size(kind: str, fields: list[tuple[str, Any]]) -> None:
    """Generate, import, measure: the same values weigh the same with and without the method."""
    generated_module, plain_module = twins(
        class_code(kind, [annotation for annotation, _ in fields])
    )
    values = [value for _, value in fields]
    typed = instance(generated_module, kind, values)
    reflective = instance(plain_module, kind, values)
    assert allocative.size_of(typed) == allocative.size_of(reflective)
