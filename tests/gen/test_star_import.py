"""``from allocative import *`` binds the marker like an explicit import."""

from __future__ import annotations

from pathlib import Path

from allocative_gen.cli import main

SOURCE = """from dataclasses import dataclass
from allocative import *


@allocative
@dataclass
class Point:
    x: float
"""


def test_star_import_of_the_runtime_marks_the_class(tmp_path: Path) -> None:
    """The class gets its method, as with ``from allocative import allocative``."""
    path = tmp_path / "point.py"
    path.write_text(SOURCE, encoding="utf-8")
    assert main([str(path)]) == 1
    text = path.read_text(encoding="utf-8")
    assert '        visitor.visit_float("x", self.x)\n' in text
    assert main(["--check", str(path)]) == 0


def test_star_import_of_another_module_binds_nothing(tmp_path: Path) -> None:
    """A star import from elsewhere does not make ``@allocative`` the marker."""
    path = tmp_path / "point.py"
    path.write_text(SOURCE.replace("from allocative import *", "from shapes import *"), "utf-8")
    assert main([str(path)]) == 0
    assert path.read_text(encoding="utf-8") == SOURCE.replace(
        "from allocative import *", "from shapes import *"
    )
