"""Process one file: read, skip fast when unmarked, generate, and say what changed."""

from __future__ import annotations

import ast
import difflib
import io
import tokenize
import traceback
from pathlib import Path

import libcst as cst

from allocative_gen.edit import Status, generate
from allocative_gen.files import write_atomically
from allocative_gen.lookups import Record, digest
from allocative_gen.outcome import MARKER_BYTES, FileOutcome
from allocative_gen.project import ModuleIndex


def process_file(path: Path, write: bool, diff: bool, index: ModuleIndex) -> FileOutcome:
    """Generate the methods of ``path``; write only when ``write``; never raise.

    Bad input is a one-line error; anything unexpected is an internal error of the file
    (a bug in allocative-gen), and the file is left as it was.
    """
    record = index.files.record = Record()
    try:
        outcome, cacheable = _process(path, write, diff, index)
    except Exception as error:  # one file's bug must not stop the others
        outcome, cacheable = FileOutcome(path, error=True), False
        outcome.messages.append(
            f"{path}:1: internal error in allocative-gen ({type(error).__name__}: {error}); "
            "left unchanged; this is a bug in allocative-gen: rerun with --traceback and report it"
        )
        outcome.tracebacks.append("".join(traceback.format_exception(error)))
    finally:
        index.files.record = None
    if cacheable and not outcome.changed and not outcome.tracebacks:
        outcome.record = record
    return outcome


def _process(path: Path, write: bool, diff: bool, index: ModuleIndex) -> tuple[FileOutcome, bool]:
    """The file's outcome, and whether it may be cached (it came from the generator)."""
    outcome = FileOutcome(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        return _failed(outcome, 1, f"cannot read: {error.strerror}; check the path and permissions")
    outcome.digest = digest(data)
    if MARKER_BYTES not in data:
        return outcome, False
    undecodable = _undecodable_line(data)
    if undecodable is not None:
        return _failed(outcome, undecodable, "not valid UTF-8 (nor its declared encoding); fix it")
    try:
        module = cst.parse_module(data)
    except cst.ParserSyntaxError as error:
        line, reason = _python_syntax_error(data) or (error.editor_line, error.message)
        return _failed(outcome, line, f"cannot parse: {reason}; fix the syntax error")
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None) or 1
        return _failed(outcome, line, f"cannot parse: {error}; fix the syntax error")
    text = data.decode(module.encoding).lstrip("\ufeff")
    result = generate(module, path, index, text, edit=write or diff, data=data)
    for problem in result.problems:
        outcome.messages.append(f"{path}:{problem.line}: {problem.message}")
        if problem.detail is not None:
            outcome.tracebacks.append(problem.detail)
    if result.failed:
        outcome.error = True
        outcome.messages.append(f"{path}:1: left unchanged because of the errors above")
        return outcome, True
    if not result.changed:
        return outcome, True
    new = result.module.bytes if write or diff else None
    if new == data:
        return outcome, True
    outcome.changed = True
    for change in result.classes:
        if change.status is Status.CURRENT:
            continue
        outcome.messages.append(
            _change_message(path, change.name, change.line, change.status, write)
        )
    if diff and new is not None:
        outcome.diff = _unified_diff(path, data, new, module.encoding)
    if write and new is not None:
        try:
            write_atomically(path, new)
        except OSError as error:
            return _failed(outcome, 1, f"cannot write: {error.strerror}; check permissions")
    return outcome, False


def _python_syntax_error(data: bytes) -> tuple[int, str] | None:
    """Python's own line and message for a syntax error, which are clearer than libcst's."""
    try:
        compile(data, "<file>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        return error.lineno or 1, error.msg
    except ValueError:
        return None
    return None


def _undecodable_line(data: bytes) -> int | None:
    """The first line that does not decode with the file's declared encoding, or None."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        start = error.start if isinstance(error, UnicodeDecodeError) else 0
        return data[:start].count(b"\n") + 1
    return None


def _change_message(path: Path, name: str, line: int, status: Status, write: bool) -> str:
    what = "missing" if status is Status.ADDED else "stale"
    if write:
        done = "added" if status is Status.ADDED else "regenerated"
        return f"{path}:{line}: '{name}.__allocative__' was {what}; {done} it"
    return f"{path}:{line}: '{name}.__allocative__' is {what}; run allocative-gen {path}"


def _unified_diff(path: Path, old: bytes, new: bytes, encoding: str) -> str:
    lines = difflib.unified_diff(
        old.decode(encoding).splitlines(keepends=True),
        new.decode(encoding).splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    return "".join(lines)


def _failed(outcome: FileOutcome, line: int, message: str) -> tuple[FileOutcome, bool]:
    outcome.error = True
    outcome.messages.append(f"{outcome.path}:{line}: {message}")
    return outcome, False
