"""Base classes in other files and packages: visited once, found without importing them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from allocative_gen.cli import main


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path``, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def method_of(path: Path, class_name: str) -> list[str]:
    """The statements of ``class_name``'s generated method in ``path``."""
    text = path.read_text()
    start = text.index(f"class {class_name}")
    body = text[text.index("def __allocative__", start) :].split("\n")[1:]
    lines = []
    for line in body:
        if not line.startswith("        "):
            break
        lines.append(line.strip())
    return lines


def test_relative_import_of_an_unmarked_base(tmp_path: Path) -> None:
    """``from .base import Base``: Base's fields are visited inline before the class's own."""
    write(tmp_path / "pkg" / "__init__.py", "")
    write(tmp_path / "pkg" / "base.py", "class Base:\n    name: str\n    data: list[int]\n")
    child = write(
        tmp_path / "pkg" / "child.py",
        "from allocative import allocative\nfrom .base import Base\n\n\n"
        "@allocative\nclass Child(Base):\n    size: int\n",
    )
    assert main([str(child)]) == 1
    assert method_of(child, "Child") == [
        'visitor.visit_str("name", self.name)',
        'visitor.visit_list("data", self.data, int)',
        'visitor.visit_int("size", self.size)',
    ]


def test_marked_base_in_another_file_is_called_not_inlined(tmp_path: Path) -> None:
    """A marked base's method is called by the name the module uses; its fields are not repeated."""
    write(tmp_path / "app" / "__init__.py", "")
    write(
        tmp_path / "app" / "models.py",
        "from allocative import allocative\n\n\n@allocative\nclass Base:\n    name: str\n",
    )
    child = write(
        tmp_path / "app" / "views.py",
        "import app.models as m\nfrom allocative import allocative\n\n\n"
        "@allocative\nclass View(m.Base):\n    name: str\n    extra: bytes\n",
    )
    assert main([str(child)]) == 1
    assert method_of(child, "View") == [
        "m.Base.__allocative__(self, visitor)",
        'visitor.visit_bytes("extra", self.extra)',
    ]


def test_base_in_an_installed_package_is_read_from_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A base in a package on sys.path (re-exported by its __init__) is found and not imported."""
    site = tmp_path / "site"
    write(
        site / "vendor" / "__init__.py",
        "from vendor._impl import Base\nraise SystemExit('imported')\n",
    )
    write(
        site / "vendor" / "_impl.py",
        "class Base:\n    def __init__(self) -> None:\n        self.cache: dict[str, bytes] = {}\n",
    )
    monkeypatch.setattr(sys, "path", [str(site), *sys.path])
    child = write(
        tmp_path / "src" / "mod.py",
        "from allocative import allocative\nfrom vendor import Base\n\n\n"
        "@allocative\nclass Mine(Base):\n    n: int\n",
    )
    assert main([str(child)]) == 1
    assert method_of(child, "Mine") == [
        'visitor.visit_dict("cache", self.cache, str, bytes)',
        'visitor.visit_int("n", self.n)',
    ]


def test_pydantic_kind_comes_through_an_unmarked_base(tmp_path: Path) -> None:
    """A model whose base model is in another file still visits pydantic's per-instance state."""
    write(tmp_path / "p" / "__init__.py", "")
    write(
        tmp_path / "p" / "base.py",
        "from pydantic import BaseModel\n\n\nclass Base(BaseModel):\n    a: str\n",
    )
    child = write(
        tmp_path / "p" / "child.py",
        "from allocative import allocative\nfrom p.base import Base\n\n\n"
        "@allocative\nclass Child(Base):\n    b: int\n",
    )
    assert main([str(child)]) == 1
    assert method_of(child, "Child") == [
        'visitor.visit_str("a", self.a)',
        'visitor.visit_int("b", self.b)',
        'visitor.visit_field("__pydantic_fields_set__", self.__pydantic_fields_set__)',
        'visitor.visit_field("__pydantic_extra__", self.__pydantic_extra__)',
        'visitor.visit_field("__pydantic_private__", self.__pydantic_private__)',
    ]


def test_custom_visit_in_a_foreign_unmarked_base_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """visit_with() in an unmarked base of another file cannot be inlined: exit 2, untouched."""
    write(tmp_path / "q" / "__init__.py", "")
    write(
        tmp_path / "q" / "base.py",
        "from typing import Annotated\nfrom allocative import visit_with\n\n\n"
        "def f(v, visitor):\n    pass\n\n\nclass Base:\n    x: Annotated[int, visit_with(f)]\n",
    )
    source = (
        "from allocative import allocative\nfrom q.base import Base\n\n\n"
        "@allocative\nclass C(Base):\n    y: int\n"
    )
    child = write(tmp_path / "q" / "child.py", source)
    assert main([str(child)]) == 2
    err = capsys.readouterr().err
    assert f"{child}:6: field 'x' of base 'Base' uses visit_with() from another module" in err
    assert child.read_text() == source


def test_nested_marked_classes_both_get_methods(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A marked class inside a marked class: both get a method, messages in source order."""
    path = write(
        tmp_path / "nested.py",
        "from allocative import allocative\n\n\n@allocative\nclass Outer:\n    a: str\n\n"
        "    @allocative\n    class Inner:\n        b: int\n",
    )
    assert main([str(path)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{path}:5: 'Outer.__allocative__' was missing; added it",
        f"{path}:9: 'Inner.__allocative__' was missing; added it",
    ]
    assert main([str(path)]) == 0
