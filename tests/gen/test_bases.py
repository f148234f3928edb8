"""Base classes in other files and packages: visited once, found without importing them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from allocative_gen.cli import main

DATACLASS = "from dataclasses import dataclass\n\n\n@dataclass\n"
"""Opens a module whose first class is a dataclass."""


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
    write(
        tmp_path / "pkg" / "base.py",
        f"{DATACLASS}class Base:\n    name: str\n    data: list[int]\n",
    )
    child = write(
        tmp_path / "pkg" / "child.py",
        "from dataclasses import dataclass\n\nfrom allocative import allocative\n"
        "from .base import Base\n\n\n@allocative\n@dataclass\nclass Child(Base):\n    size: int\n",
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
        "import app.models as m\nfrom allocative import allocative\n\n\n@allocative\n"
        "class View(m.Base):\n    name: str\n    extra: bytes\n\n"
        "    def __init__(self) -> None:\n        self.extra = b''\n",
    )
    assert main([str(child)]) == 1
    assert method_of(child, "View") == [
        "m.Base.__allocative__(self, visitor)",
        'visitor.visit_bytes("extra", self.extra)',
    ]


def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, init: str) -> Path:
    """A package ``vendor`` installed in a ``site-packages`` folder put on ``sys.path``."""
    site = tmp_path / "lib" / "site-packages"
    write(site / "vendor" / "__init__.py", init)
    monkeypatch.setattr(sys, "path", [str(site), *sys.path])
    return site


def subclass_of(tmp_path: Path, base: str, imports: str) -> Path:
    """A module of the project with a marked dataclass ``Mine(base)``."""
    return write(
        tmp_path / "src" / "mod.py",
        f"from dataclasses import dataclass\n\n{imports}from allocative import allocative\n\n\n"
        f"@allocative\n@dataclass\nclass Mine({base}):\n    n: int\n",
    )


def test_fields_of_a_base_in_an_installed_package_are_not_visited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A base outside the project (in site-packages) adds no visits and no warning: the
    runtime measures its attributes; the package is read, never imported."""
    site = installed(tmp_path, monkeypatch, "from vendor._impl import Base\n")
    (site / "vendor" / "__init__.py").write_text(
        "from vendor._impl import Base\nraise SystemExit('imported')\n"
    )
    write(
        site / "vendor" / "_impl.py",
        "class Base:\n    def __init__(self) -> None:\n        self.cache: dict[str, bytes] = {}\n",
    )
    child = subclass_of(tmp_path, "Base", "from vendor import Base\n")
    assert main([str(child)]) == 1
    assert method_of(child, "Mine") == ['visitor.visit_int("n", self.n)']
    assert "warning" not in capsys.readouterr().err


def test_method_of_a_base_in_an_installed_package_is_called(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A base outside the project that has its own method (a library's marked class) is
    called, so that its own visits run."""
    installed(
        tmp_path,
        monkeypatch,
        "from allocative import allocative\n\n\n@allocative\nclass Base:\n    blob: bytes\n",
    )
    child = subclass_of(tmp_path, "vendor.Base", "import vendor\n")
    assert main([str(child)]) == 1
    assert method_of(child, "Mine") == [
        "vendor.Base.__allocative__(self, visitor)",
        'visitor.visit_int("n", self.n)',
    ]


def test_standard_library_bases_add_no_fields_and_no_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bases of the standard library (also through ``import *``) are outside the project."""
    child = write(
        tmp_path / "mod.py",
        "from collections import defaultdict\nfrom html.parser import HTMLParser\n"
        "from ast import *\nfrom allocative import allocative\n\n\n"
        "@allocative\nclass Counts(defaultdict):\n    pass\n\n\n"
        "@allocative\nclass Parser(HTMLParser):\n"
        "    def __init__(self) -> None:\n        super().__init__()\n        self.seen = []\n\n\n"
        "@allocative\nclass Node(Constant):\n    pass\n",
    )
    assert main([str(child)]) == 1
    assert "warning" not in capsys.readouterr().err
    assert method_of(child, "Counts") == ["pass"]
    assert method_of(child, "Parser") == ['visitor.visit_field("seen", self.seen)']
    assert method_of(child, "Node") == ["pass"]


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
