"""A class that ``[tool.allocative] registered`` promises but nothing registered at run time
is a warning of the measurement; a bad table is one warning, never a failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from allocative import FlameGraphBuilder, _registry, opaque, register


class Sorted:
    """A class the project says it registers."""


def warnings_of(obj: object) -> list[str]:
    builder = FlameGraphBuilder()
    builder.visit_root(obj)
    return builder.finish().warnings


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(_registry, "_custom", dict(_registry._custom))
    return tmp_path


def test_a_promised_class_that_nothing_registered_warns(project: Path) -> None:
    name = f"{__name__}.Sorted"
    (project / "pyproject.toml").write_text(
        f'[tool.allocative]\nregistered = ["{name}", "not_imported.Thing"]\n'
    )
    assert warnings_of([1.5]) == [
        f"[tool.allocative] registered lists {name}, but nothing registered it: call "
        "register(Sorted, fn) before measuring, or remove it from the list"
    ]
    register(Sorted, opaque)
    assert warnings_of([1.5]) == []


def test_a_bad_table_is_a_warning(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.allocative]\nregistered = 3\n")
    assert warnings_of([1.5]) == [
        f"{project / 'pyproject.toml'}:2: [tool.allocative] registered must be a list of "
        "qualified class name strings"
    ]
