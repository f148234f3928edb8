"""Incremental mode: a change in another module re-triggers or clears the plugin's errors."""

from __future__ import annotations

import os
from pathlib import Path

from tests.mypy.runner import run_mypy

LINE_PLAIN = "class Line:\n    sku: str\n"
LINE_WITH_METHOD = """\
from allocative import Visitor


class Line:
    sku: str

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("sku", self.sku)
"""
ORDER = """\
from dataclasses import dataclass

from allocative import Visitor, allocative
from lines import Line


@allocative
@dataclass
class Order:
    lines: list[Line]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_list("lines", self.lines)
"""
BASE = """\
from dataclasses import dataclass


@dataclass
class Base:
    size: int
"""
BASE_GROWN = BASE + "    name: str\n"
DERIVED = """\
from dataclasses import dataclass

from allocative import Visitor, allocative
from base import Base


@allocative
@dataclass
class Derived(Base):
    extra: bytes

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_int("size", self.size)
        visitor.visit_bytes("extra", self.extra)
"""
MARKED_BASE = """\
from dataclasses import dataclass
from typing import Annotated

from allocative import Visitor, allocative, skip


@allocative
@dataclass
class Base:
    size: int
    parent: Annotated["Base | None", skip]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_int("size", self.size)
        visitor.skip("parent")
"""
INLINING_DERIVED = """\
from dataclasses import dataclass

from allocative import Visitor, allocative
from base import Base


@allocative
@dataclass
class Derived(Base):
    values: list[float]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_int("size", self.size)
        visitor.visit_list("values", self.values, float)
"""
SKIPS_PARENT = '        visitor.skip("parent")\n'


def write(path: Path, text: str) -> None:
    """Write ``text`` and move the file's time on, so mypy's cache sees the change."""
    path.write_text(text, encoding="utf-8")
    stamp = path.stat().st_mtime + 10 + len(text)
    os.utime(path, (stamp, stamp))


def codes(messages: list[str]) -> list[str]:
    """``file:line: [code]`` of each message, for compact assertions."""
    return [f"{m.split(': ')[0]} {m.rsplit('  ', 1)[-1]}" for m in messages if "error:" in m]


def test_method_added_in_other_module_clears_and_restores_the_error(tmp_path: Path) -> None:
    """Giving ``Line`` a method in its own module clears ``Order``'s field error, and back."""
    cache = tmp_path / ".cache"
    write(tmp_path / "lines.py", LINE_PLAIN)
    write(tmp_path / "orders.py", ORDER)
    first = run_mypy(tmp_path, "orders.py", "lines.py", cache=cache)
    assert codes(first) == ["orders.py:10 [allocative-field]"]
    write(tmp_path / "lines.py", LINE_WITH_METHOD)
    assert run_mypy(tmp_path, "orders.py", "lines.py", cache=cache) == []
    write(tmp_path / "lines.py", LINE_PLAIN)
    assert run_mypy(tmp_path, "orders.py", "lines.py", cache=cache) == first


def test_warm_cache_reports_the_same_errors(tmp_path: Path) -> None:
    """A second run over unchanged files reports what the first did."""
    cache = tmp_path / ".cache"
    write(tmp_path / "lines.py", LINE_PLAIN)
    write(tmp_path / "orders.py", ORDER)
    first = run_mypy(tmp_path, "orders.py", "lines.py", cache=cache)
    assert first
    assert run_mypy(tmp_path, "orders.py", "lines.py", cache=cache) == first


def test_field_added_to_base_in_other_module_makes_method_stale(tmp_path: Path) -> None:
    """A new field in an unmarked base elsewhere makes the subclass's method stale, and back."""
    cache = tmp_path / ".cache"
    write(tmp_path / "base.py", BASE)
    write(tmp_path / "derived.py", DERIVED)
    assert run_mypy(tmp_path, "derived.py", "base.py", cache=cache) == []
    write(tmp_path / "base.py", BASE_GROWN)
    stale = run_mypy(tmp_path, "derived.py", "base.py", cache=cache)
    assert codes(stale) == ["derived.py:9 [allocative-stale]"]
    assert '"name" is not visited' in stale[0]
    write(tmp_path / "base.py", BASE)
    assert run_mypy(tmp_path, "derived.py", "base.py", cache=cache) == []


def test_marked_base_read_from_cache_keeps_its_field_options(tmp_path: Path) -> None:
    """A base loaded from the cache still knows its skipped field: the subclass stays current."""
    cache = tmp_path / ".cache"
    write(tmp_path / "base.py", MARKED_BASE)
    write(tmp_path / "derived.py", INLINING_DERIVED + SKIPS_PARENT)
    assert run_mypy(tmp_path, "derived.py", "base.py", cache=cache) == []
    write(tmp_path / "derived.py", INLINING_DERIVED + SKIPS_PARENT + "\n\nVERSION = 2\n")
    assert run_mypy(tmp_path, "derived.py", "base.py", cache=cache) == []
    visits_parent = INLINING_DERIVED + '        visitor.visit_field("parent", self.parent)\n'
    write(tmp_path / "derived.py", visits_parent)
    stale = run_mypy(tmp_path, "derived.py", "base.py", cache=cache)
    assert codes(stale) == ["derived.py:9 [allocative-stale]"]
    assert '"parent" is visited with visit_field instead of skip' in stale[0]


def test_base_in_other_module_is_read_fresh(tmp_path: Path) -> None:
    """Without a cache, base fields defined in another module count too."""
    write(tmp_path / "base.py", BASE_GROWN)
    write(tmp_path / "derived.py", DERIVED)
    stale = run_mypy(tmp_path, "derived.py", "base.py")
    assert codes(stale) == ["derived.py:9 [allocative-stale]"]


ALIASED = """\
from dataclasses import dataclass

from allocative import Visitor, allocative

{binding}


@allocative
@dataclass
class Count:
    value: Number

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_field("value", self.value)
"""


def test_names_are_read_again_when_the_module_changes(tmp_path: Path) -> None:
    """The plugin's per-module name reader follows a module that binds a name anew.

    ``Number`` as an alias is a name to the generator (a dynamic visit); imported
    as ``int`` it is ``builtins.int`` (``visit_int``), so the same method turns stale.
    """
    cache = tmp_path / ".cache"
    write(tmp_path / "counts.py", ALIASED.format(binding="Number = int"))
    assert run_mypy(tmp_path, "counts.py", cache=cache) == []
    write(tmp_path / "counts.py", ALIASED.format(binding="from builtins import int as Number"))
    stale = run_mypy(tmp_path, "counts.py", cache=cache)
    assert codes(stale) == ["counts.py:10 [allocative-stale]"]
    assert '"value" is visited with visit_field instead of visit_int' in stale[0]
    write(tmp_path / "counts.py", ALIASED.format(binding="Number = int"))
    assert run_mypy(tmp_path, "counts.py") == []
