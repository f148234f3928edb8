"""Random classes, marked and unmarked: exact against tracemalloc, every attribute named.

Hypothesis draws classes (a built-in base or none, ``__slots__`` or not,
declared fields, a generated-style method that visits some of them and skips
others, or none) and instances that get extra attributes after construction.
Whatever is drawn, ``size_of`` equals what tracemalloc saw the build keep, the
flame graph agrees, and every attribute holding bytes shows under its name.
"""

from __future__ import annotations

import collections
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocative import FlameGraphBuilder, size_of
from tests.runtime.conftest import traced

pytestmark = pytest.mark.accuracy

BASES: dict[str, str] = {
    "object": "object",
    "list": "list",
    "dict": "dict",
    "set": "set",
    "Exception": "Exception",
    "deque": "collections.deque",
}
NAMES = ["alpha", "beta", "gamma", "delta", "epsilon", "_zeta", "__eta"]
INSTANCES = 40
"""Instances per build: enough for a class's shared keys to settle (about 28)."""


@st.composite
def class_specs(draw: st.DrawFn) -> dict[str, Any]:
    fields = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=4))
    marked = draw(st.booleans())
    visited = draw(st.lists(st.sampled_from(fields), unique=True)) if marked and fields else []
    skipped = [f for f in fields if f not in visited and draw(st.booleans())] if marked else []
    return {
        "base": draw(st.sampled_from(sorted(BASES))),
        "slots": draw(st.booleans()) and draw(st.booleans()),
        "fields": fields,
        "marked": marked,
        "visited": visited,
        "skipped": skipped,
        "lazy": draw(st.lists(st.sampled_from(["late", "later", "_latest"]), unique=True)),
        "lazy_share": draw(st.integers(min_value=1, max_value=3)),
    }


def make_class(spec: dict[str, Any], number: int) -> type:
    """The class ``spec`` describes, written as source the way allocative-gen would."""
    name = f"Drawn{number}"
    lines = [f"class {name}({BASES[spec['base']]}):"]
    if spec["slots"]:
        lines.append(f"    __slots__ = {(*spec['fields'], *spec['lazy'])!r}")
    lines.append("    def __init__(self, i):")
    lines.append(f"        {BASES[spec['base']]}.__init__(self)")
    for field in spec["fields"]:
        lines.append(f"        self.{field} = make_text({field!r}, i)")
    if not spec["fields"]:
        lines.append("        pass")
    if spec["marked"]:
        lines.append("    def __allocative__(self, visitor):")
        for field in spec["visited"]:
            attr = f"_{name}{field}" if field.startswith("__") else field
            lines.append(f"        visitor.visit_str({field!r}, getattr(self, {attr!r}))")
        for field in spec["skipped"]:
            lines.append(f"        visitor.skip({field!r})")
        lines.append("        pass")
    namespace: dict[str, Any] = {"collections": collections, "make_text": make_text}
    exec("\n".join(lines), namespace)
    return namespace[name]  # type: ignore[no-any-return]


def attribute(cls: type, field: str) -> str:
    """The attribute a field becomes (private names are mangled)."""
    return f"_{cls.__name__}{field}" if field.startswith("__") else field


def make_text(field: str, i: int) -> str:
    return f"{field}-{i}-" * 3


def build(cls: type, spec: dict[str, Any]) -> list[Any]:
    made = []
    for i in range(INSTANCES):
        obj = cls(i)
        if i % spec["lazy_share"] == 0:
            for field in spec["lazy"]:
                setattr(obj, field, [make_text(field, i)])
        made.append(obj)
    return made


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=st.lists(class_specs(), min_size=1, max_size=3))
def test_random_classes_are_exact_and_named(specs: list[dict[str, Any]]) -> None:
    """Exact against tracemalloc; each attribute that holds bytes appears under its name."""
    classes = [make_class(spec, number) for number, spec in enumerate(specs)]
    keep = [build(cls, spec) for cls, spec in zip(classes, specs, strict=True) for _ in range(2)]

    def everything() -> list[list[Any]]:
        return [build(cls, spec) for cls, spec in zip(classes, specs, strict=True)]

    tree, built = traced(everything)
    builder = FlameGraphBuilder()
    builder.visit_root(tree)
    output = builder.finish()
    skipped_bytes = sum(
        str.__sizeof__(getattr(obj, attribute(cls, field)))
        for cls, spec, objs in zip(classes, specs, tree, strict=True)
        for obj in objs
        for field in spec["skipped"]
    )
    assert size_of(tree) == output.total_size == built - skipped_bytes
    folded = output.folded()
    for cls, spec in zip(classes, specs, strict=True):
        skipped = set(spec["skipped"])
        for field in spec["fields"]:
            shown = f";{cls.__name__};{field};str " in folded or (
                f";{cls.__name__};{attribute(cls, field)};str " in folded
            )
            assert shown != (field in skipped), (field, folded)
        for field in spec["lazy"]:
            assert f";{cls.__name__};{field};list;str " in folded
    del keep
