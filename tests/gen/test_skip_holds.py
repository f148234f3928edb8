"""A declared ``skip`` holds wherever the field is redeclared, inherited or defaulted.

A back-reference (``parent``) declared ``skip`` must stay skipped, or measuring a node
measures the whole tree it hangs in: sqlglot lists ``parent`` again in each subclass's
``__slots__``, docutils gives it a class-level default that no method assigns on
``self``. Each layout is generated, checked by the plugin, imported and measured: a
node measures the same before and after it is attached to a parent.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import allocative
from allocative_gen.cli import main
from tests.gen.test_bases import method_of, write
from tests.mypy.runner import run_mypy

HEADER = """\
from __future__ import annotations

from typing import Annotated, Any, Optional

from allocative import allocative, skip
"""

SLOTS = (
    HEADER
    + """

@allocative
class Expression:
    __slots__ = ("args", "parent")
    parent: Annotated[Optional[Expression], skip]

    def __init__(self, **args: Any) -> None:
        self.args = args
        self.parent = None
        for value in args.values():
            if isinstance(value, Expression):
                value.parent = self


@allocative
class Where(Expression):
    __slots__ = ("args", "parent")


@allocative
class Select(Expression):
    __slots__ = ("args", "parent", "hint")

    def __init__(self, **args: Any) -> None:
        super().__init__(**args)
        self.hint = "all"


class Unmarked(Expression):
    __slots__ = ("parent",)


@allocative
class Column(Unmarked):
    __slots__ = ("args", "parent", "name")
    parent: Optional[Select]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
"""
)

DEFAULTED = (
    HEADER
    + """

class Node:
    parent: Annotated[Optional[Element], skip] = None
    source: Optional[str] = None

    def walk(self) -> list[Node]:
        return [self]


@allocative
class Element(Node):
    def __init__(self, *children: Element) -> None:
        self.children = list(children)
        for child in children:
            child.parent = self


@allocative
class Section(Element):
    def adopt(self, parent: Element) -> None:
        self.parent = parent
"""
)


@pytest.fixture
def imported(tmp_path: Path) -> Iterator[dict[str, ModuleType]]:
    """The two layouts generated, type-checked with the plugin and imported."""
    slots = write(tmp_path / "nodes" / "slots.py", SLOTS)
    defaulted = write(tmp_path / "nodes" / "defaulted.py", DEFAULTED)
    write(tmp_path / "nodes" / "__init__.py", "")
    assert main([str(tmp_path / "nodes")]) == 1
    assert main(["--check", str(tmp_path / "nodes")]) == 0
    assert run_mypy(tmp_path, "nodes/slots.py", "nodes/defaulted.py") == []
    sys.path.insert(0, str(tmp_path))
    try:
        yield {
            "slots": importlib.import_module("nodes.slots"),
            "defaulted": importlib.import_module("nodes.defaulted"),
            "slots.py": slots,  # type: ignore[dict-item]
            "defaulted.py": defaulted,  # type: ignore[dict-item]
        }
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.split(".")[0] == "nodes"]:
            del sys.modules[name]


def test_a_slot_listed_again_stays_skipped(imported: dict[str, ModuleType]) -> None:
    """``Where`` and ``Select`` list ``parent`` again in ``__slots__``: their methods call
    ``Expression``'s, which skips it; ``Column`` narrows its type without the option, and
    still skips it."""
    path = Path(str(imported["slots.py"]))
    assert method_of(path, "Where") == ["Expression.__allocative__(self, visitor)"]
    assert method_of(path, "Select") == [
        "Expression.__allocative__(self, visitor)",
        'visitor.visit_field("hint", self.hint)',
    ]
    assert method_of(path, "Column") == [
        "Unmarked.__allocative__(self, visitor)",
        'visitor.visit_str("name", self.name)',
    ]


def test_a_subtree_measures_alone_when_its_parent_holds_it(
    imported: dict[str, ModuleType],
) -> None:
    """A WHERE clause measures the same before and after a SELECT adopts it, with no
    warning: its ``parent`` is never walked."""
    slots = imported["slots"]
    where = slots.Where(this=slots.Column("x"), values=[f"v{i}" for i in range(50)])
    alone = allocative.size_of(where)
    select = slots.Select(where=where, columns=[slots.Column(f"c{i}") for i in range(30)])
    assert where.parent is select
    assert allocative.size_of(where) == alone
    assert allocative.size_of(select) > 2 * alone
    builder = allocative.FlameGraphBuilder()
    builder.visit_root(where)
    assert builder.finish().warnings == []


def test_a_defaulted_back_reference_stays_skipped(imported: dict[str, ModuleType]) -> None:
    """docutils' ``Node.parent = None``: no method assigns it on ``self``, yet the field is
    declared ``skip`` and every subclass skips it; a section measures the same alone and
    inside its document."""
    path = Path(str(imported["defaulted.py"]))
    assert method_of(path, "Element") == [
        'visitor.skip("parent")',
        'visitor.visit_field("children", self.children)',
    ]
    assert method_of(path, "Section") == ["Element.__allocative__(self, visitor)"]
    defaulted = imported["defaulted"]
    section = defaulted.Section(*(defaulted.Element() for _ in range(20)))
    alone = allocative.size_of(section)
    document = defaulted.Element(section, *(defaulted.Element() for _ in range(100)))
    assert section.parent is document
    assert allocative.size_of(section) == alone
    builder = allocative.FlameGraphBuilder()
    builder.visit_root(section)
    assert builder.finish().warnings == []
