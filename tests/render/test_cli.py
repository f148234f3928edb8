"""The allocative command: each command's output, and one line and an exit code per mistake."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from allocative._cli import Exit, main, wants_colour
from tests.render.conftest import ORDER_AFTER_FOLDED, ORDER_FOLDED

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def folded(tmp_path: Path) -> Path:
    """The order measurement as a folded file."""
    path = tmp_path / "order.folded"
    path.write_text(ORDER_FOLDED, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_render_prints_the_summary_by_default(
    folded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --format or -o, render prints the terminal summary, uncoloured off a terminal."""
    code, out, err = run(capsys, "render", str(folded))
    assert (code, err) == (0, "")
    assert out.startswith("Total: 9.6 KiB (9,786 bytes) in 12 stacks\n")
    assert "\x1b[" not in out


@pytest.mark.parametrize(
    ("suffix", "form", "marker"),
    [
        (".svg", None, "<svg "),
        (".speedscope.json", None, '"type":"sampled"'),
        (".json", None, '"tree": {"name": "all"'),
        (".folded", None, "Order;blob;ndarray;data 8000"),
        (".out", "svg", "<svg "),
        (".out", "table", "Largest stacks (own bytes)"),
    ],
)
def test_render_writes_the_format_asked_or_implied(
    folded: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    suffix: str,
    form: str | None,
    marker: str,
) -> None:
    """--format wins; otherwise -o's suffix picks the format."""
    out_path = tmp_path / f"result{suffix}"
    extra = ["--format", form] if form else []
    code, out, err = run(capsys, "render", str(folded), "-o", str(out_path), *extra)
    assert (code, out, err) == (0, "", "")
    assert marker in out_path.read_text(encoding="utf-8")


def test_render_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``-`` reads the folded text from standard input."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(ORDER_FOLDED))
    code, out, _ = run(capsys, "render", "-", "--format", "speedscope")
    assert code == 0
    assert json.loads(out)["profiles"][0]["endValue"] == 9786


@pytest.mark.parametrize(
    ("content", "argv", "code", "message"),
    [
        (None, ["render", "missing.folded"], Exit.MISSING_FILE, "missing.folded: no such file"),
        (
            "a;b 1\nbroken\n",
            ["render", "{file}"],
            Exit.MALFORMED,
            "{file}:2: expected 'frame;frame;... bytes'",
        ),
        (
            "\n",
            ["render", "{file}"],
            Exit.EMPTY,
            "the flame graph is empty: no stack holds any bytes",
        ),
        (
            "a 1\n",
            ["render", "{file}", "--format", "pdf"],
            Exit.UNKNOWN_FORMAT,
            "unknown format 'pdf'; choose one of table, svg, speedscope, json, folded",
        ),
        ("a 1\n", ["render"], Exit.USAGE, "the following arguments are required: FILE"),
        (
            "a 1\n",
            ["diff", "{file}", "missing.folded"],
            Exit.MISSING_FILE,
            "missing.folded: no such file",
        ),
        (
            None,
            ["measure", "no_such_module_xyz:x"],
            Exit.IMPORT_FAILED,
            "cannot import 'no_such_module_xyz': ModuleNotFoundError: "
            "No module named 'no_such_module_xyz'",
        ),
        (
            None,
            ["measure", "json:nothing_here"],
            Exit.BAD_TARGET,
            "'json' has no attribute 'nothing_here'",
        ),
        (
            None,
            ["measure", "json"],
            Exit.BAD_TARGET,
            "'json': expected MODULE:NAME, MODULE:NAME.ATTR or MODULE:FACTORY()",
        ),
        (
            "a 1\n",
            ["render", "{file}", "-o", "/no/such/dir/x.svg"],
            Exit.CANNOT_WRITE,
            "/no/such/dir/x.svg: cannot write: No such file or directory",
        ),
        (
            "a 1\n",
            ["render", "{file}", "--width", "59"],
            Exit.USAGE,
            "argument --width: must be a number of columns, at least 60, not '59'",
        ),
        (
            "a 1\n",
            ["diff", "{file}", "{file}", "--width", "wide"],
            Exit.USAGE,
            "argument --width: must be a number of columns, at least 60, not 'wide'",
        ),
    ],
)
def test_user_mistakes_print_one_line_and_exit_with_their_code(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    argv: list[str],
    code: Exit,
    message: str,
) -> None:
    """Each kind of mistake exits with its own code and one ``allocative: error:`` line."""
    file = tmp_path / "input.folded"
    if content is not None:
        file.write_text(content, encoding="utf-8")
    argv = [arg.replace("{file}", str(file)) for arg in argv]
    result, out, err = run(capsys, *argv)
    assert result == code
    assert out == ""
    assert err == f"allocative: error: {message.replace('{file}', str(file))}\n"


def test_diff_prints_changes_and_writes_the_svg(
    folded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """diff prints the table of changes and, with -o, writes the differential SVG."""
    after = tmp_path / "after.folded"
    after.write_text(ORDER_AFTER_FOLDED, encoding="utf-8")
    svg = tmp_path / "diff.svg"
    code, out, err = run(capsys, "diff", str(folded), str(after), "-o", str(svg))
    assert (code, err) == (0, "")
    assert out.startswith("Total: 9.6 KiB -> 10.1 KiB (+516 B, +5.3%)\n")
    assert 'data-mode="diff"' in svg.read_text(encoding="utf-8")


def test_diff_svg_to_stdout_moves_the_table_to_stderr(
    folded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With ``-o -`` the SVG owns standard output and the table goes to standard error."""
    code, out, err = run(capsys, "diff", str(folded), str(folded), "-o", "-")
    assert code == 0
    assert out.startswith("<?xml")
    assert err.startswith("Total: ")


def test_measure_imports_evaluates_and_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """measure imports MODULE from the current directory, follows the path, calls ``()``."""
    (tmp_path / "cli_target_mod.py").write_text(
        "class Holder:\n    data = [1.5, 2.5]\n\ndef make():\n    return {'k': 'v' * 100}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    code, out, _ = run(capsys, "measure", "cli_target_mod:Holder.data", "--format", "folded")
    assert code == 0
    assert out == "list 72\nlist;float 48\n"
    code, out, _ = run(capsys, "measure", "cli_target_mod:make()", "--format", "table")
    assert code == 0
    assert "Total: " in out


TARGETS = """\
import json as submodule

FLAG = True

def build():
    return {"k": "v" * 100}

def build_for(name):
    return {name: 1}

class Book:
    def __init__(self):
        self.orders = [1.5]

class Ledger:
    def __init__(self, size):
        self.size = size

def rows():
    yield 1

async def fetch():
    return 1

async def stream():
    yield 1

def nothing():
    pass

def maker():
    return build

def kind():
    return Book
"""


@pytest.mark.parametrize(
    ("target", "code", "message"),
    [
        (
            "build",
            Exit.NOT_DATA,
            "'targets:build' is a function: measure what it returns with 'targets:build()'",
        ),
        (
            "build_for",
            Exit.NOT_DATA,
            "'targets:build_for' is a function that takes arguments: "
            "measure what it returns with a factory that takes none",
        ),
        (
            "Book",
            Exit.NOT_DATA,
            "'targets:Book' is a class, not an instance: "
            "measure one with 'targets:Book()' if it takes no arguments",
        ),
        (
            "Ledger",
            Exit.NOT_DATA,
            "'targets:Ledger' is a class, not an instance: measure one with a factory",
        ),
        (
            "submodule",
            Exit.NOT_DATA,
            "'targets:submodule' is a module: name an object in it, as 'json:NAME'",
        ),
        (
            "rows",
            Exit.NOT_DATA,
            "'targets:rows' is a generator function: a generator holds no data until it runs; "
            "measure a factory that returns a list of what it yields",
        ),
        (
            "rows()",
            Exit.NOT_DATA,
            "'targets:rows()' returned a generator: a generator holds no data until it runs; "
            "measure a factory that returns a list of what it yields",
        ),
        (
            "fetch",
            Exit.NOT_DATA,
            "'targets:fetch' is an async function: measure cannot await it; "
            "measure a plain factory that returns the awaited result",
        ),
        (
            "fetch()",
            Exit.NOT_DATA,
            "'targets:fetch()' returned a coroutine: measure cannot await it; "
            "measure a plain factory that returns the awaited result",
        ),
        (
            "stream()",
            Exit.NOT_DATA,
            "'targets:stream()' returned an async generator: measure cannot await it; "
            "measure a plain factory that returns the awaited result",
        ),
        (
            "nothing()",
            Exit.NOT_DATA,
            "'targets:nothing()' returned None: does it end with a return statement?",
        ),
        (
            "maker()",
            Exit.NOT_DATA,
            "'targets:maker()' returned a function, which holds no data: return the object",
        ),
        (
            "kind()",
            Exit.NOT_DATA,
            "'targets:kind()' returned a class, which holds no data: return the object",
        ),
        (
            "FLAG",
            Exit.EMPTY,
            "'targets:FLAG' (bool) holds no bytes of its own: the interpreter shares it "
            "(None, booleans, small ints, interned strings and Enum members count zero)",
        ),
    ],
)
def test_measure_says_when_the_target_is_not_data(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    recwarn: pytest.WarningsRecorder,
    target: str,
    code: Exit,
    message: str,
) -> None:
    """A function without ``()``, a class, a module, a generator...: one line saying what to do."""
    (tmp_path / "targets.py").write_text(TARGETS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "targets", raising=False)
    result, out, err = run(capsys, "measure", f"targets:{target}")
    assert (result, out) == (code, "")
    assert err == f"allocative: error: {message}\n"
    assert [str(warning.message) for warning in recwarn] == []


def test_measure_of_a_factory_and_of_an_instance_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fixes the messages suggest work: ``build()`` and ``Book()`` measure their results."""
    (tmp_path / "targets.py").write_text(TARGETS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "targets", raising=False)
    for target in ("targets:build()", "targets:Book()"):
        code, out, _ = run(capsys, "measure", target, "-f", "folded")
        assert code == Exit.OK
        assert out.startswith(("dict", "Book"))


BIDS = "Exchange;bids;dict;value;PriceLevel;orders;list;Order;__dict__"


@pytest.mark.parametrize(
    ("command", "narrow", "wide"),
    [
        ("render", "37.5%  Exchange;bids;...;list;Order;__dict__", f"37.5%  {BIDS}"),
        ("diff", "4.0 KiB  Exchange;bids;...;__dict__", f"4.0 KiB  {BIDS}"),
    ],
)
def test_width_sets_the_tables_width(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    narrow: str,
    wide: str,
) -> None:
    """``--width`` sets the tables' width; without it they follow ``COLUMNS`` (or the terminal)."""
    before, after = tmp_path / "before.folded", tmp_path / "after.folded"
    before.write_text(f"{BIDS} 2048\n{BIDS.replace('bids', 'asks')} 2048\n", "utf-8")
    after.write_text(f"{BIDS} 4096\n{BIDS.replace('bids', 'asks')} 6826\n", "utf-8")
    argv = ["render", str(after)] if command == "render" else ["diff", str(before), str(after)]
    for columns, width, expected in (
        ("61", [], narrow),
        ("200", ["--width", "61"], narrow),
        ("61", ["--width", "150"], wide),
    ):
        monkeypatch.setenv("COLUMNS", columns)
        code, out, _ = run(capsys, *argv, *width)
        assert code == Exit.OK
        assert next(line for line in out.splitlines() if "bids" in line).endswith(expected)


def test_measure_tables_follow_the_width(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``measure``'s table takes ``--width`` too."""
    (tmp_path / "wide_target.py").write_text(
        "class PriceLevelOfAnOrderBookWithAClassNameLongerThanATableRow:\n"
        "    def __init__(self):\n        self.orders = [[1.5] * 9] * 3\n"
        "def book():\n"
        "    return {'bids': PriceLevelOfAnOrderBookWithAClassNameLongerThanATableRow()}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setenv("COLUMNS", "200")
    for width in (61, 90):
        code, out, _ = run(capsys, "measure", "wide_target:book()", "--width", str(width))
        assert code == Exit.OK
        assert max(map(len, out.splitlines())) == width


def test_measure_reports_a_failing_module_import_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An exception while importing the user's module is a one-line error, not a traceback."""
    (tmp_path / "cli_broken_mod.py").write_text("raise ValueError('boom')\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    code, _, err = run(capsys, "measure", "cli_broken_mod:x")
    assert code == Exit.IMPORT_FAILED
    assert err == "allocative: error: cannot import 'cli_broken_mod': ValueError: boom\n"


def test_python_dash_m_and_the_script_run_the_same_command(folded: Path) -> None:
    """``python -m allocative`` and the ``allocative`` script both render and both fail cleanly."""
    script = Path(sys.executable).parent / "allocative"
    for command in ([sys.executable, "-m", "allocative"], [str(script)]):
        result = subprocess.run(
            [*command, "render", str(folded), "-f", "folded"], capture_output=True, text=True
        )
        assert (result.returncode, result.stdout) == (0, ORDER_FOLDED)
        result = subprocess.run([*command, "render", "nope.folded"], capture_output=True, text=True)
        assert result.returncode == Exit.MISSING_FILE
        assert result.stderr == "allocative: error: nope.folded: no such file\n"


def test_help_is_the_command_docstring(capsys: pytest.CaptureFixture[str]) -> None:
    """Each command's --help shows its docstring."""
    with pytest.raises(SystemExit):
        main(["render", "--help"])
    out = capsys.readouterr().out
    assert "Render a folded-stack file as a summary table, an SVG flame graph" in out


def test_missing_jinja2_is_its_own_exit_code(
    folded: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Asking for an SVG without jinja2 says what to install and exits with its own code."""
    monkeypatch.setitem(sys.modules, "jinja2", None)
    code, out, err = run(capsys, "render", str(folded), "--format", "svg")
    assert (code, out) == (Exit.MISSING_DEPENDENCY, "")
    assert err == (
        "allocative: error: rendering an SVG needs jinja2: pip install 'allocative[render]'\n"
    )


class FakeTerminal(io.StringIO):
    """A stream that claims to be a terminal."""

    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables are coloured on a terminal, not in a pipe, and not when NO_COLOR is set."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert wants_colour(FakeTerminal())
    assert not wants_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not wants_colour(FakeTerminal())


def test_a_byte_order_mark_is_not_part_of_the_first_frame(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Folded files saved with a UTF-8 byte order mark read like any other."""
    path = tmp_path / "bom.folded"
    path.write_bytes(b"\xef\xbb\xbfOrder 48\n")
    code, out, _ = run(capsys, "render", str(path), "-f", "folded")
    assert (code, out) == (0, "Order 48\n")


def test_measure_retained_files_what_an_index_holds_under_shared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--retained: what another global also holds is under [shared]; the module's own binding
    of TARGET is not "outside"; where counts cannot be trusted, one line and exit 12."""
    (tmp_path / "retained_mod.py").write_text(
        "DATA = [[i + 0.5, i + 0.25] for i in range(4)]\nALSO = DATA[0]\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    code, out, _ = run(capsys, "measure", "retained_mod:DATA", "--retained", "--format", "folded")
    assert code == 0
    assert out == (
        "list 88\nlist;[shared];list 72\nlist;[shared];list;float 48\n"
        "list;list 216\nlist;list;float 144\n"
    )
    monkeypatch.setattr("allocative._retained.REFUSAL", "ALLOCATIVE_RAW_READS=0 is set")
    code, out, err = run(capsys, "measure", "retained_mod:DATA", "--retained")
    assert (code, out) == (Exit.UNAVAILABLE, "")
    assert err.startswith("allocative: error: retained size needs exact reference counts")
