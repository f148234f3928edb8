"""The generator and the plugin agree: after ``allocative-gen``, no method is stale.

Both read fields and visits through ``allocative_gen.rules`` and
``allocative_gen.inheritance``; this runs the real generator over the plugin's
cases and then mypy with the plugin over its output, and mypy with the plugin
over the generator's golden output (``tests/gen/golden/*.after``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mypy.runner import run_mypy, write_config

HERE = Path(__file__).parent
GOLDEN = HERE.parent / "gen" / "golden"
STALE_OFF = '# mypy: disable-error-code="allocative-stale"\n'
UNMARKABLE = re.compile(r"'\w+' is (a Protocol|a TypedDict|an Enum): ")
LEFT_ALONE = "left unchanged because of the errors above"

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
    assert result.returncode in (0, 1, 2), result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if ": warning: " not in line]
    errors = [line for line in errors if not line.endswith(("added it", "regenerated it"))]
    assert all(UNMARKABLE.search(line) or LEFT_ALONE in line for line in errors), errors
    cases = sorted(path.name for path in folder.glob("*.py"))
    return [m for m in run_mypy(folder, *cases) if m.endswith("[allocative-stale]")]


def test_generated_methods_are_current(stale_after_generating: list[str]) -> None:
    """No generated method is stale: redeclared fields, wrapped ``ClassVar``, every field form,
    bases outside the project included; a class the generator refuses to mark (a Protocol)
    is an ``allocative-mark`` error for the plugin too, never a stale method."""
    assert stale_after_generating == []


def test_golden_generated_methods_are_current(tmp_path: Path) -> None:
    """The plugin finds every method in the generator's golden output current."""
    write_config(tmp_path)
    for after in GOLDEN.glob("*.after"):
        (tmp_path / f"golden_{after.stem}.py").write_text(after.read_text(encoding="utf-8"))
    modules = sorted(path.name for path in tmp_path.glob("golden_*.py"))
    assert len(modules) > 10
    messages = run_mypy(tmp_path, *modules, flags=("--python-version", "3.12"))
    assert [m for m in messages if m.endswith("[allocative-stale]")] == []
