"""Diamond inheritance: each field of the MRO is visited once, bases in other files included."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import allocative
from allocative_gen.cli import main
from allocative_gen.inheritance import (
    CallBase,
    InlineField,
    call_covers,
    declarers,
    linearize,
    overridden,
    plan,
)
from tests.gen.test_bases import method_of, write
from tests.runtime.conftest import traced

TOP = (
    "from dataclasses import dataclass\n\nfrom allocative import allocative\n\n\n"
    "@allocative\n@dataclass\nclass A:\n    name: str\n"
)
SIDES_AND_BOTTOM = (
    "from dataclasses import dataclass\n\nfrom allocative import allocative\n"
    "from dpkg.top import A\n\n\n"
    "@allocative\n@dataclass\nclass B(A):\n    b: str\n\n\n"
    "@allocative\n@dataclass\nclass C(A):\n    c: str\n\n\n"
    "@allocative\n@dataclass\nclass D(B, C):\n    d: str\n"
)
FIELDS = ("name", "b", "c", "d")


def diamond_package(root: Path) -> Path:
    """Package ``dpkg``: ``A`` in top.py, ``B(A)``, ``C(A)``, ``D(B, C)`` in bottom.py."""
    write(root / "dpkg" / "__init__.py", "")
    write(root / "dpkg" / "top.py", TOP)
    return write(root / "dpkg" / "bottom.py", SIDES_AND_BOTTOM)


def test_shared_ancestor_in_another_file_is_visited_once(tmp_path: Path) -> None:
    """D calls one side's method (which covers A's fields) and visits the other side's inline."""
    bottom = diamond_package(tmp_path)
    assert main([str(tmp_path / "dpkg")]) == 1
    assert method_of(bottom, "D") == [
        "C.__allocative__(self, visitor)",
        'visitor.visit_str("b", self.b)',
        'visitor.visit_str("d", self.d)',
    ]
    assert main(["--check", str(tmp_path / "dpkg")]) == 0


def test_sides_in_another_file_than_the_bottom(tmp_path: Path) -> None:
    """The sides imported under other names: the call uses the name the bottom's module uses."""
    write(tmp_path / "epkg" / "__init__.py", "")
    write(tmp_path / "epkg" / "top.py", TOP)
    write(
        tmp_path / "epkg" / "sides.py",
        SIDES_AND_BOTTOM.replace("dpkg", "epkg").split("@allocative\n@dataclass\nclass D")[0],
    )
    bottom = write(
        tmp_path / "epkg" / "bottom.py",
        "from dataclasses import dataclass\n\nfrom allocative import allocative\n"
        "from epkg import sides\nfrom epkg.sides import B as Left\n\n\n"
        "@allocative\n@dataclass\nclass D(Left, sides.C):\n    name: str\n    d: str\n",
    )
    assert main([str(bottom)]) == 1
    assert method_of(bottom, "D") == [
        "sides.C.__allocative__(self, visitor)",
        'visitor.visit_str("b", self.b)',
        'visitor.visit_str("d", self.d)',
    ]


@pytest.fixture
def diamond(tmp_path: Path) -> Iterator[ModuleType]:
    """The generated ``dpkg.bottom`` module, imported from ``tmp_path``."""
    diamond_package(tmp_path)
    assert main([str(tmp_path / "dpkg")]) == 1
    sys.path.insert(0, str(tmp_path))
    try:
        import dpkg.bottom  # type: ignore[import-not-found]

        yield dpkg.bottom
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == "dpkg" or name.startswith("dpkg.")]:
            del sys.modules[name]


def fresh() -> str:
    """A 100-character string made at run time: one owner, not interned."""
    return "".join(["x-"] * 50)


def test_diamond_measures_what_tracemalloc_counts(diamond: ModuleType) -> None:
    """size_of and the flame graph's total equal tracemalloc's count; each field appears once."""
    cls = diamond.D

    def build() -> object:
        return cls(name=fresh(), b=fresh(), c=fresh(), d=fresh())

    instance, held = traced(build)
    assert allocative.size_of(instance) == held
    builder = allocative.FlameGraphBuilder()
    builder.visit_root(instance)
    output = builder.finish()
    folded = output.flamegraph.write()
    total = 0
    fields: dict[str, int] = {}
    for line in folded.splitlines():
        stack, _, size = line.rpartition(" ")
        total += int(size)
        frames = stack.split(";")
        if len(frames) > 1 and frames[1] in FIELDS:
            assert frames[1] not in fields, folded
            fields[frames[1]] = int(size)
    assert total == held
    assert sorted(fields) == sorted(FIELDS)
    assert len(set(fields.values())) == 1, fields  # equal strings, counted alike
    assert output.warnings == []


class Graph:
    """A hand-made class graph for the rule: name -> (bases, fields, has_method).

    ``visits`` gives a (class, field) declaration's visit when not ``"same"``.
    """

    def __init__(
        self,
        classes: dict[str, tuple[list[str], list[str], bool]],
        visits: dict[tuple[str, str], str] | None = None,
        opaque: frozenset[str] = frozenset(),
    ) -> None:
        self.classes = classes
        self.visits = visits or {}
        self.opaque = opaque
        self._mro: dict[str, list[str]] = {}

    def bases(self, cls: str) -> list[str]:
        return self.classes[cls][0]

    def mro(self, cls: str) -> list[str]:
        if cls not in self._mro:
            bases = self.bases(cls)
            self._mro[cls] = linearize(cls, bases, {base: self.mro(base) for base in bases})
        return self._mro[cls]

    def fields(self, cls: str) -> list[str]:
        return self.classes[cls][1]

    def has_method(self, cls: str) -> bool:
        return self.classes[cls][2]

    def is_opaque(self, cls: str) -> bool:
        return cls in self.opaque

    def extras(self, cls: str) -> tuple[str, ...]:
        return ()

    def visit_of(self, cls: str, name: str) -> str | None:
        return None if cls in self.opaque else self.visits.get((cls, name), "same")


DIAMOND = Graph(
    {
        "A": ([], ["name"], True),
        "B": (["A"], ["b"], True),
        "C": (["A"], ["c"], True),
        "D": (["B", "C"], ["d"], True),
    }
)


def test_rule_on_a_diamond() -> None:
    """The last base is called; the first base's own fields are inlined; A's are not repeated."""
    assert DIAMOND.mro("D") == ["D", "B", "C", "A"]
    assert call_covers(DIAMOND, "B") == {"name", "b"}
    assert plan(DIAMOND, "D").steps == [CallBase(1), InlineField("B", "b"), InlineField("D", "d")]


def test_redeclared_field_is_visited_where_met_as_the_subclass_declares_it() -> None:
    """A redeclared field keeps the base's place but is the subclass's (the step's owner)."""
    graph = Graph({"A": ([], ["x", "y"], False), "B": (["A"], ["x", "z"], True)})
    assert declarers(graph, "B") == {"x": "B", "z": "B", "y": "A"}
    assert plan(graph, "B").steps == [
        InlineField("B", "x"),
        InlineField("A", "y"),
        InlineField("B", "z"),
    ]


def test_base_whose_field_is_redeclared_with_another_visit_is_not_called() -> None:
    """The base's method would visit the field by the base's declaration: inline instead."""
    classes = {"A": ([], ["x", "y"], True), "B": (["A"], ["x"], True)}
    alike = Graph(classes)
    assert overridden(alike, "B", "A") == []
    assert plan(alike, "B").steps == [CallBase(0)]
    retyped = Graph(classes, visits={("B", "x"): "visit_int"})
    assert overridden(retyped, "B", "A") == ["x"]
    assert plan(retyped, "B").steps == [InlineField("B", "x"), InlineField("A", "y")]


def test_field_of_an_opaque_base_redeclared_by_a_subclass_is_visited() -> None:
    """Only fields whose declaration is an ``@opaque`` class's go unvisited."""
    graph = Graph({"O": ([], ["blob", "x"], True), "B": (["O"], ["x"], True)}, opaque={"O"})
    assert overridden(graph, "B", "O") == ["x"]
    assert plan(graph, "B").steps == [InlineField("B", "x")]


def test_inconsistent_bases_fall_back_to_depth_first_order() -> None:
    """Bases with no C3 order (Python refuses the class) still give each class once."""
    graph = Graph(
        {
            "A": ([], ["a"], False),
            "B": (["A"], ["b"], False),
            "X": (["A", "B"], ["x"], True),
        }
    )
    assert graph.mro("X") == ["X", "A", "B"]
    steps = plan(graph, "X").steps
    assert [step.name for step in steps if isinstance(step, InlineField)] == ["a", "b", "x"]


def test_custom_visit_of_an_inlined_side_in_another_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A side that is not called cannot have its visit_with() field inlined from another file."""
    write(tmp_path / "vpkg" / "__init__.py", "")
    write(
        tmp_path / "vpkg" / "sides.py",
        "from dataclasses import dataclass\nfrom typing import Annotated\n\n"
        "from allocative import allocative, visit_with\n\n\n"
        "def f(v, visitor):\n    pass\n\n\n"
        "@allocative\n@dataclass\nclass A:\n    name: str\n\n\n"
        "@allocative\n@dataclass\nclass B(A):\n    x: Annotated[int, visit_with(f)]\n\n\n"
        "@allocative\n@dataclass\nclass C(A):\n    c: str\n",
    )
    source = (
        "from dataclasses import dataclass\n\nfrom allocative import allocative\n"
        "from vpkg.sides import B, C\n\n\n@allocative\n@dataclass\nclass D(B, C):\n    d: str\n"
    )
    child = write(tmp_path / "vpkg" / "child.py", source)
    assert main([str(child)]) == 2
    err = capsys.readouterr().err
    assert "field 'x' of base 'B' uses visit_with() from another module" in err
    assert "'B.__allocative__' is not called because another base's method covers" in err
    assert child.read_text() == source
