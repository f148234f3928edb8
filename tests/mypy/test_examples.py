"""Smoke test over the project's own ``examples/``: clean as shipped, each error when broken."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.mypy.runner import ROOT, run_mypy, write_config

FIELD_ANCHOR = "    price_history: list[float]\n"
LAST_FIELD = "    attributes: dict[str, str]\n"
VISIT_ANCHOR = '        visitor.visit_str("title", self.title)\n'


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A copy of ``examples/`` as a package in a temporary folder (its parent is returned)."""
    shutil.copytree(
        ROOT / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns("*.pyc")
    )
    write_config(tmp_path)
    return tmp_path


def edit(path: Path, anchor: str, replacement: str) -> None:
    """Replace ``anchor`` (which must be there) in the file at ``path``."""
    text = path.read_text(encoding="utf-8")
    assert anchor in text, f"{path.name} no longer contains {anchor!r}"
    path.write_text(text.replace(anchor, replacement, 1), encoding="utf-8")


def allocative_codes(messages: list[str]) -> set[str]:
    """The plugin's error codes among mypy's messages."""
    return {m.rsplit("[", 1)[-1].rstrip("]") for m in messages if "[allocative-" in m}


def test_examples_are_clean(examples: Path) -> None:
    """Every marked class in the examples has measurable fields and a current method."""
    assert run_mypy(examples, "examples") == []


def test_broken_field_is_reported(examples: Path) -> None:
    """A field of a class without ``__allocative__`` gives allocative-field (and a stale method)."""
    inventory = examples / "examples" / "inventory.py"
    edit(inventory, FIELD_ANCHOR, FIELD_ANCHOR + "    supplier: Supplier\n")
    inventory.write_text(inventory.read_text() + "\n\nclass Supplier:\n    name: str\n")
    messages = run_mypy(examples, "examples")
    assert allocative_codes(messages) == {"allocative-field", "allocative-stale"}
    assert any('Field "supplier" of "Product" has type "Supplier"' in m for m in messages)


def test_hand_made_stale_method_is_reported(examples: Path) -> None:
    """Deleting one visit from a method gives allocative-stale naming the field."""
    edit(examples / "examples" / "inventory.py", VISIT_ANCHOR, "")
    messages = run_mypy(examples, "examples")
    assert allocative_codes(messages) == {"allocative-stale"}
    assert '"title" is not visited' in messages[0]


def test_any_field_is_reported_when_enabled(examples: Path) -> None:
    """An ``Any`` field is silent by default and allocative-any once the code is enabled."""
    inventory = examples / "examples" / "inventory.py"
    edit(inventory, LAST_FIELD, LAST_FIELD + "    notes: Any = None\n")
    edit(
        inventory, VISIT_ANCHOR, VISIT_ANCHOR + '        visitor.visit_field("notes", self.notes)\n'
    )
    edit(
        inventory,
        "from decimal import Decimal\n",
        "from decimal import Decimal\nfrom typing import Any\n",
    )
    assert run_mypy(examples, "examples") == []
    enabled = run_mypy(examples, "examples", flags=("--enable-error-code", "allocative-any"))
    assert allocative_codes(enabled) == {"allocative-any"}
