"""allocative-gen also runs as a libcst codemod command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from libcst.codemod import CodemodContext

from allocative_gen.codemod import AllocativeGenCommand
from tests.gen.helpers import generated

SOURCE = """\
from dataclasses import dataclass

from allocative import allocative


@allocative
@dataclass
class Item:
    name: str
"""


def test_codemod_command_writes_what_the_cli_writes() -> None:
    """The command's transform gives the same code as the generator."""
    import libcst as cst

    command = AllocativeGenCommand(CodemodContext(filename="item.py"))
    assert command.transform_module(cst.parse_module(SOURCE)).code == generated(SOURCE)


def test_libcst_tool_runs_the_command(tmp_path: Path) -> None:
    """``python -m libcst.tool codemod codemod.AllocativeGenCommand`` rewrites a marked file."""
    (tmp_path / ".libcst.codemod.yaml").write_text(
        "modules:\n- allocative_gen\nformatter: []\nblacklist_patterns: []\n"
        "generated_code_marker: '@generated'\nrepo_root: .\n"
    )
    path = tmp_path / "item.py"
    path.write_text(SOURCE)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "libcst.tool",
            "codemod",
            "--no-format",
            "codemod.AllocativeGenCommand",
            "item.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert path.read_text() == generated(SOURCE)
