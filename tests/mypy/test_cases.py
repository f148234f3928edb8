"""Each case in ``cases/`` gives mypy's golden output, whatever the order of its decorators.

All cases run in one mypy invocation (one module each); ``pytest
--update-golden`` rewrites ``golden/<case>.txt``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.golden import assert_golden
from tests.mypy.runner import run_mypy, write_config

HERE = Path(__file__).parent
CASES = sorted(path.stem for path in (HERE / "cases").glob("*.py"))
MARKER = "@allocative"


def _by_case(lines: list[str]) -> dict[str, str]:
    found: dict[str, list[str]] = {case: [] for case in CASES}
    for line in lines:
        found[line.split(".py:", 1)[0]].append(line)
    return {case: "".join(f"{line}\n" for line in messages) for case, messages in found.items()}


def swap_marker(source: str) -> str:
    """``source`` with each ``@allocative`` moved to the other end of its decorator block."""
    lines = source.splitlines(keepends=True)
    index = 0
    while index < len(lines):
        end = index
        while end < len(lines) and lines[end].startswith("@"):
            end += 1
        block = lines[index:end]
        if len(block) > 1 and any(line.strip() == MARKER for line in block):
            others = [line for line in block if line.strip() != MARKER]
            marker = f"{MARKER}\n"
            at_top = block[0].strip() == MARKER
            lines[index:end] = [*others, marker] if at_top else [marker, *others]
        index = max(end, index + 1)
    return "".join(lines)


def _run_all(folder: Path, transform: bool) -> dict[str, str]:
    for case in CASES:
        source = (HERE / "cases" / f"{case}.py").read_text(encoding="utf-8")
        (folder / f"{case}.py").write_text(swap_marker(source) if transform else source)
    return _by_case(run_mypy(folder, *(f"{case}.py" for case in CASES)))


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """mypy's messages per case, decorators as written."""
    return _run_all(tmp_path_factory.mktemp("cases"), transform=False)


@pytest.fixture(scope="module")
def swapped_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """mypy's messages per case, each ``@allocative`` moved to the other end of its block."""
    return _run_all(tmp_path_factory.mktemp("swapped"), transform=True)


@pytest.mark.parametrize("case", CASES)
def test_case_output_matches_golden(case: str, outputs: dict[str, str]) -> None:
    """The plugin reports exactly the golden messages for the case."""
    assert_golden(HERE / "golden" / f"{case}.txt", outputs[case])


@pytest.mark.parametrize("case", CASES)
def test_decorator_order_does_not_change_output(
    case: str, outputs: dict[str, str], swapped_outputs: dict[str, str]
) -> None:
    """``@allocative`` above or below ``@dataclass``/``@attrs.define``: the same messages."""
    assert swapped_outputs[case] == outputs[case]


def test_swap_marker_moves_the_decorator() -> None:
    """The order transform puts ``@allocative`` at the other end of its decorator block."""
    source = "@allocative\n@dataclass\nclass A: ...\n@x\n@allocative\nclass B: ...\n"
    expected = "@dataclass\n@allocative\nclass A: ...\n@allocative\n@x\nclass B: ...\n"
    assert swap_marker(source) == expected


def test_cases_folder_is_not_empty() -> None:
    """The parametrised tests above have cases to run."""
    assert len(CASES) >= 10


def test_parallel_mode_gives_the_same_messages(tmp_path: Path, outputs: dict[str, str]) -> None:
    """mypy's parallel mode (``-n 2``, worker processes) reports what the serial run does."""
    for case in CASES:
        shutil.copy(HERE / "cases" / f"{case}.py", tmp_path / f"{case}.py")
    write_config(tmp_path)
    command = [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--no-error-summary"]
    command += ["-n", "2", "--local-partial-types", "--cache-dir", ".cache"]
    command += [f"{case}.py" for case in CASES]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert not result.stderr, result.stderr
    serial = sorted(line for text in outputs.values() for line in text.splitlines())
    assert sorted(result.stdout.splitlines()) == serial
