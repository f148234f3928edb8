"""The allocative command: render a measurement, compare two, or measure a live object."""

from __future__ import annotations

import argparse
import inspect
import os
import sys
from collections.abc import Callable, Sequence
from enum import IntEnum
from pathlib import Path
from typing import NoReturn, TextIO

from allocative._api import FlameGraphBuilder, FlameGraphOutput
from allocative._render.errors import EmptyGraph, MalformedFolded, MissingDependency
from allocative._render.progress import Progress
from allocative._render.table import MIN_WIDTH
from allocative._render.target import NotData, Target, TargetError
from allocative._retained import RetainedSizeUnavailable

FORMATS = ("table", "svg", "speedscope", "json", "folded")
SUFFIXES = {".svg": "svg", ".speedscope.json": "speedscope", ".json": "json", ".folded": "folded"}


class Exit(IntEnum):
    """Exit codes: each kind of user mistake has its own."""

    OK = 0
    USAGE = 2
    MISSING_FILE = 3
    MALFORMED = 4
    EMPTY = 5
    UNKNOWN_FORMAT = 6
    IMPORT_FAILED = 7
    BAD_TARGET = 8
    CANNOT_WRITE = 9
    MISSING_DEPENDENCY = 10
    NOT_DATA = 11
    UNAVAILABLE = 12
    INTERRUPTED = 130


class CliError(Exception):
    """A user mistake: a one-line message and the exit code that names it."""

    def __init__(self, message: str, code: Exit) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit with :attr:`Exit.USAGE`."""

    def error(self, message: str) -> NoReturn:
        raise CliError(message, Exit.USAGE)


# -- input and output -------------------------------------------------------------------


def read_measurement(name: str) -> FlameGraphOutput:
    """The measurement in folded file ``name`` (``-`` is standard input)."""
    if name == "-":
        return FlameGraphOutput.from_folded(sys.stdin.read(), "<stdin>")
    try:
        text = Path(name).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CliError(f"{name}: no such file", Exit.MISSING_FILE) from None
    except (OSError, UnicodeDecodeError) as error:
        message = f"{name}: cannot read: {getattr(error, 'strerror', None) or error}"
        raise CliError(message, Exit.MISSING_FILE) from None
    return FlameGraphOutput.from_folded(text, name)


def write_output(name: str | None, text: str) -> None:
    """Write ``text`` to file ``name``, or to standard output when it is ``None`` or ``-``."""
    if name is None or name == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        Path(name).write_text(text, encoding="utf-8")
    except OSError as error:
        message = f"{name}: cannot write: {error.strerror or error}"
        raise CliError(message, Exit.CANNOT_WRITE) from None


def wants_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


def choose_format(given: str | None, output: str | None) -> str:
    """The format asked for, else the one ``output``'s suffix implies, else ``table``."""
    if given is not None:
        if given not in FORMATS:
            message = f"unknown format {given!r}; choose one of {', '.join(FORMATS)}"
            raise CliError(message, Exit.UNKNOWN_FORMAT)
        return given
    for suffix, implied in SUFFIXES.items():
        if output and output.endswith(suffix):
            return implied
    return "table"


def rendered(output: FlameGraphOutput, form: str, args: argparse.Namespace, colour: bool) -> str:
    """``output`` in format ``form``, with the title, rows and width that ``args`` ask for."""
    if output.total_size == 0:
        raise EmptyGraph("the flame graph is empty: no stack holds any bytes")
    title, top = args.title or args.default_title, args.top
    renderers: dict[str, Callable[[], str]] = {
        "table": lambda: output.summary(top, width=args.width, colour=colour),
        "svg": lambda: output.svg(title),
        "speedscope": lambda: output.speedscope(title),
        "json": output.to_json,
        "folded": output.folded,
    }
    return renderers[form]()


def emit(output: FlameGraphOutput, args: argparse.Namespace, title: str) -> None:
    """Render ``output`` as ``args`` ask and write it."""
    form = choose_format(args.format, args.output)
    to_terminal = args.output in (None, "-") and wants_colour(sys.stdout)
    args.default_title = title
    write_output(args.output, rendered(output, form, args, to_terminal))


# -- the commands -----------------------------------------------------------------------


def render(args: argparse.Namespace) -> None:
    """Render a folded-stack file as a summary table, an SVG flame graph, speedscope or JSON.

    The format is --format, else implied by -o's suffix (.svg, .speedscope.json,
    .json, .folded), else a table. FILE - reads standard input.
    """
    output = read_measurement(args.file)
    title = "Memory flame graph" if args.file == "-" else Path(args.file).name
    emit(output, args, title)


def diff(args: argparse.Namespace) -> None:
    """Compare two folded-stack files: a table of the largest changes, and with -o a diff SVG.

    Frames of the differential flame graph are as wide as the larger side;
    red grew, blue shrank. With -o - the SVG goes to standard output and the
    table to standard error.
    """
    before, after = read_measurement(args.before), read_measurement(args.after)
    table_stream = sys.stderr if args.output == "-" else sys.stdout
    colour = wants_colour(table_stream)
    table = after.diff_summary(before, args.top, width=args.width, colour=colour)
    if args.output is not None:
        title = args.title or f"{Path(args.before).name} -> {Path(args.after).name}"
        write_output(args.output, after.diff_svg(before, title))
    table_stream.write(table)


def measure(args: argparse.Namespace) -> None:
    """Import MODULE, evaluate NAME (or call FACTORY()), measure that object and render it.

    TARGET is MODULE:NAME, MODULE:NAME.ATTR or MODULE:FACTORY(); the current
    directory comes first on the import path. Takes the same --format and -o
    as render; a progress line shows on standard error after a second.
    """
    try:
        target = Target.parse(args.target)
        with Progress(f"loading {args.target}", sys.stderr):
            value = target.resolve()
    except NotData as error:
        raise CliError(str(error), Exit.NOT_DATA) from None
    except TargetError as error:
        code = Exit.IMPORT_FAILED if error.importing else Exit.BAD_TARGET
        raise CliError(str(error), code) from None
    kind = type(value).__name__
    with Progress("measuring", sys.stderr):
        try:
            builder = FlameGraphBuilder(
                allocator_overhead=args.allocator_overhead, retained=args.retained
            )
        except RetainedSizeUnavailable as error:
            raise CliError(str(error), Exit.UNAVAILABLE) from None
        builder.visit_root(value)
        # With --retained, what stays is what something other than TARGET's own binding
        # (the module global or attribute it names; nothing for FACTORY()) holds.
        del value
        output = builder.finish()
    if output.total_size == 0:
        message = (
            f"{args.target!r} ({kind}) holds no bytes of its own: the interpreter shares it "
            "(None, booleans, small ints, interned strings and Enum members count zero)"
        )
        raise CliError(message, Exit.EMPTY)
    emit(output, args, args.target)


# -- the parser -------------------------------------------------------------------------


def _add_rendering(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", "-f", metavar="FORMAT", help=f"one of {', '.join(FORMATS)}")
    parser.add_argument("-o", "--output", metavar="OUT", help="write here (- or none: stdout)")
    parser.add_argument("--title", help="title of the SVG flame graph")
    _add_top(parser)


def _add_top(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--top", type=int, default=10, metavar="N", help="rows per table (default: 10)"
    )
    parser.add_argument(
        "--width",
        type=_width,
        metavar="COLUMNS",
        help="width of the tables (default: the terminal's, or $COLUMNS)",
    )


def _width(text: str) -> int:
    """A ``--width`` value: a whole number of columns, at least :data:`MIN_WIDTH`."""
    if not text.isdigit() or int(text) < MIN_WIDTH:
        message = f"must be a number of columns, at least {MIN_WIDTH}, not {text!r}"
        raise argparse.ArgumentTypeError(message)
    return int(text)


def _command(
    commands: argparse._SubParsersAction[_Parser],
    name: str,
    function: Callable[[argparse.Namespace], None],
) -> argparse.ArgumentParser:
    doc = inspect.cleandoc(function.__doc__ or "")
    parser = commands.add_parser(
        name,
        help=doc.splitlines()[0],
        description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=function)
    return parser


def build_parser() -> _Parser:
    """The parser of every command and option."""
    parser = _Parser(prog="allocative", description=__doc__)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    render_parser = _command(commands, "render", render)
    render_parser.add_argument("file", metavar="FILE", help="a .folded file, or - for stdin")
    _add_rendering(render_parser)
    diff_parser = _command(commands, "diff", diff)
    diff_parser.add_argument("before", metavar="BEFORE", help="the folded file before")
    diff_parser.add_argument("after", metavar="AFTER", help="the folded file after")
    diff_parser.add_argument("-o", "--output", metavar="OUT", help="write the diff SVG here")
    diff_parser.add_argument("--title", help="title of the diff SVG")
    _add_top(diff_parser)
    measure_parser = _command(commands, "measure", measure)
    measure_parser.add_argument("target", metavar="TARGET", help="MODULE:NAME or MODULE:FACTORY()")
    measure_parser.add_argument(
        "--allocator-overhead", action="store_true", help="add allocator rounding as its own frame"
    )
    measure_parser.add_argument(
        "--retained",
        action="store_true",
        help="file what would stay if TARGET were dropped (held from outside) under [shared]",
    )
    _add_rendering(measure_parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return its exit code. User mistakes print one line, no traceback."""
    try:
        args = build_parser().parse_args(argv)
        args.run(args)
    except CliError as error:
        return _fail(str(error), error.code)
    except MalformedFolded as error:
        return _fail(str(error), Exit.MALFORMED)
    except EmptyGraph as error:
        return _fail(str(error), Exit.EMPTY)
    except MissingDependency as error:
        return _fail(str(error), Exit.MISSING_DEPENDENCY)
    except KeyboardInterrupt:
        return _fail("interrupted", Exit.INTERRUPTED)
    except BrokenPipeError:
        sys.stderr.close()
        return Exit.OK
    return Exit.OK


def _fail(message: str, code: Exit) -> int:
    print(f"allocative: error: {message}", file=sys.stderr)
    return code
