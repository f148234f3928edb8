"""The allocative-gen command: exit codes, --check, --diff, -j, messages, discovery, writes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import libcst
import pytest

from allocative_gen import process
from allocative_gen.cli import main

MARKED = """\
from dataclasses import dataclass

from allocative import allocative


@allocative
@dataclass
class Item:
    name: str
"""


def write(path: Path, text: str | bytes) -> Path:
    """Write ``text`` to ``path`` (creating folders) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode()
    path.write_bytes(text)
    return path


def test_exit_codes_changed_then_nothing_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 1 when a file is rewritten, 0 on the next run; the message gives path:line, class."""
    path = write(tmp_path / "item.py", MARKED)
    assert main([str(path)]) == 1
    assert capsys.readouterr().err == f"{path}:8: 'Item.__allocative__' was missing; added it\n"
    assert main([str(path)]) == 0
    assert capsys.readouterr().err == ""


def test_check_writes_nothing_and_says_what_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--check exits 1, leaves the file alone and tells the user which command fixes it."""
    path = write(tmp_path / "item.py", MARKED)
    assert main(["--check", str(path)]) == 1
    assert path.read_text() == MARKED
    err = capsys.readouterr().err
    assert err == f"{path}:8: 'Item.__allocative__' is missing; run allocative-gen {path}\n"


def test_diff_prints_a_unified_diff_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--diff exits 1, prints a unified diff of the change on stdout, and leaves the file."""
    path = write(tmp_path / "item.py", MARKED)
    assert main(["--diff", str(path)]) == 1
    out = capsys.readouterr().out
    assert path.read_text() == MARKED
    assert out.startswith(f"--- a/{path}\n+++ b/{path}\n")
    assert '+        visitor.visit_str("name", self.name)\n' in out


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("syntax.py", "import allocative\ndef broken(:\n", "cannot parse:"),
        ("latin.py", b"import allocative\nx = '\xff'\n", "not valid UTF-8"),
        ("declared.py", b"# -*- coding: nonsense -*-\nimport allocative\n", "unknown encoding"),
    ],
)
def test_bad_file_is_reported_left_alone_and_others_still_processed(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str | bytes,
    message: str,
) -> None:
    """Exit 2, one path:line: message for the bad file, which is untouched; others written."""
    bad = write(tmp_path / name, content)
    before = bad.read_bytes()
    good = write(tmp_path / "good.py", MARKED)
    assert main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    bad_lines = [line for line in err.splitlines() if line.startswith(f"{bad}:")]
    assert len(bad_lines) == 1 and message in bad_lines[0], err
    assert bad.read_bytes() == before
    assert "def __allocative__" in good.read_text()


def test_syntax_error_line_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The message of a file that does not parse starts with path:line of the error."""
    bad = write(tmp_path / "bad.py", "import allocative\n\n\nx = (\n")
    assert main([str(bad)]) == 2
    err = capsys.readouterr().err
    assert err == f"{bad}:4: cannot parse: '(' was never closed; fix the syntax error\n"


def test_unreadable_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that cannot be read (a dangling link) is reported with path:1: and exit 2."""
    link = tmp_path / "gone.py"
    link.symlink_to(tmp_path / "missing-target.py")
    assert main([str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"{link}:1: cannot read:")


def test_missing_path_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A path on the command line that does not exist gives exit 2 and a message."""
    assert main([str(tmp_path / "nope")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_write_failure_is_an_error_and_file_is_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """When the write fails, exit 2 with path:1: cannot write, and the file keeps its bytes."""
    path = write(tmp_path / "item.py", MARKED)

    def refuse(path: Path, data: bytes) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(process, "write_atomically", refuse)
    assert main([str(path)]) == 2
    assert f"{path}:1: cannot write: Permission denied" in capsys.readouterr().err
    assert path.read_text() == MARKED


def test_write_is_atomic_and_keeps_permissions(tmp_path: Path) -> None:
    """The rewritten file keeps its mode and no temporary file is left beside it."""
    path = write(tmp_path / "item.py", MARKED)
    path.chmod(0o640)
    assert main([str(path)]) == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["item.py"]


def test_files_without_the_word_are_not_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose bytes lack 'allocative' is skipped before parsing, even if not Python."""

    def fail(*args: object) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(libcst, "parse_module", fail)
    write(tmp_path / "plain.py", "def broken(:\n")
    assert main([str(tmp_path)]) == 0


def test_discovery_skips_git_venvs_and_pyproject_excludes(tmp_path: Path) -> None:
    """.git, virtual environments and [tool.allocative] exclude globs are not searched."""
    write(
        tmp_path / "pyproject.toml",
        '[tool.ruff]\nexclude = []\n\n[tool.allocative]\nexclude = ["generated/", "legacy_*.py"]\n',
    )
    skipped = [
        write(tmp_path / ".git" / "item.py", MARKED),
        write(tmp_path / "env" / "lib" / "item.py", MARKED),
        write(tmp_path / "generated" / "item.py", MARKED),
        write(tmp_path / "legacy_item.py", MARKED),
    ]
    write(tmp_path / "env" / "pyvenv.cfg", "home = /usr\n")
    kept = write(tmp_path / "src" / "item.py", MARKED)
    assert main([str(tmp_path)]) == 1
    assert "__allocative__" in kept.read_text()
    assert all(path.read_text() == MARKED for path in skipped)
    assert main([str(tmp_path / "legacy_item.py")]) == 0


def test_bad_pyproject_exclude_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An exclude that is not a list of strings stops the run with exit 2 and one line naming
    the file, the line and the key; no file is written."""
    pyproject = write(
        tmp_path / "pyproject.toml",
        '[tool.ruff]\nexclude = []\n\n[tool.allocative]\nexclude = "x"\n',
    )
    item = write(tmp_path / "item.py", MARKED)
    assert main([str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"{pyproject}:5: [tool.allocative] exclude must be a list of glob strings\n"
    )
    assert item.read_text() == MARKED


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            '[tool.allocative]\nexclude = []\nexlude = ["x"]\n',
            "3: [tool.allocative] has no key 'exlude'; the keys are exclude, registered",
        ),
        (
            "[tool.allocative]\nregistered = [1]\n",
            "2: [tool.allocative] registered must be a list of qualified class name strings",
        ),
        (
            '[tool.allocative]\nregistered = ["SortedList"]\n',
            "2: [tool.allocative] registered: 'SortedList' is not a qualified class name "
            "(module.Class)",
        ),
        (
            '[tool.allocative-gen]\nexclude = ["x"]\n',
            "1: [tool.allocative-gen] is now [tool.allocative]: rename it",
        ),
    ],
)
def test_every_bad_setting_is_one_line_naming_the_file_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, message: str
) -> None:
    pyproject = write(tmp_path / "pyproject.toml", table)
    write(tmp_path / "item.py", MARKED)
    assert main([str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"{pyproject}:{message}\n"


def test_parallel_jobs_give_the_same_result(tmp_path: Path) -> None:
    """-j 4 writes the same bytes as a serial run over 20 files, with the same exit code."""
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    for folder in (serial, parallel):
        for number in range(20):
            write(folder / f"m{number}.py", MARKED.replace("Item", f"Item{number}"))
    assert main([str(serial)]) == 1
    assert main(["-j", "4", str(parallel)]) == 1
    for number in range(20):
        assert (serial / f"m{number}.py").read_bytes() == (parallel / f"m{number}.py").read_bytes()
    assert main(["-j", "4", str(parallel)]) == 0


def test_console_script_help_is_the_docstring() -> None:
    """The installed allocative-gen command runs and its --help is the module docstring."""
    command = Path(sys.executable).parent / "allocative-gen"
    result = subprocess.run([str(command), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "Write an ``__allocative__`` method into every class marked" in result.stdout
    assert "0 nothing to change, 1 something" in " ".join(result.stdout.split())


def test_unresolved_base_is_a_warning_not_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A base that cannot be found gives a warning line and the method still gets written."""
    code = MARKED.replace("class Item:", "class Item(somewhere.Base):").replace(
        "from dataclasses", "import somewhere\nfrom dataclasses"
    )
    path = write(tmp_path / "item.py", code)
    assert main([str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:9: warning: base 'somewhere.Base' of 'Item' was not found" in err
    assert os.path.getsize(path) > len(code)
