"""The generator and the plugin agree: after ``allocative-gen``, no method is stale.

Both read fields and visits through ``allocative_gen.rules``; this runs the
real generator over the cases and then mypy with the plugin over its output.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.mypy.runner import run_mypy

HERE = Path(__file__).parent
STALE_OFF = '# mypy: disable-error-code="allocative-stale"\n'

pytest.importorskip("libcst", reason="the generator needs libcst")


@pytest.fixture(scope="module")
def stale_after_generating(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The allocative-stale messages mypy reports on the generator's output for every case."""
    folder = tmp_path_factory.mktemp("generated")
    for case in (HERE / "cases").glob("*.py"):
        text = case.read_text(encoding="utf-8").replace(STALE_OFF, "")
        (folder / case.name).write_text(text, encoding="utf-8")
    command = [sys.executable, "-m", "allocative_gen.cli", str(folder)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    cases = sorted(path.name for path in folder.glob("*.py"))
    return [m for m in run_mypy(folder, *cases) if m.endswith("[allocative-stale]")]


def test_generated_methods_are_current(stale_after_generating: list[str]) -> None:
    """No generated method is stale, apart from the known disagreement below."""
    others = [m for m in stale_after_generating if '"Redeclares"' not in m]
    assert others == []


@pytest.mark.xfail(
    strict=True,
    reason="allocative-gen visits a redeclared base field by the base's type; the plugin, "
    "like Python, by the subclass's",
)
def test_redeclared_base_field_uses_the_subclass_type(stale_after_generating: list[str]) -> None:
    """A field a subclass redeclares is visited by the subclass's type."""
    assert stale_after_generating == []
