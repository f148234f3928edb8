"""Real code nobody here wrote: the standard library, every class marked, through allocative-gen
and the mypy plugin.

One run of the whole corpus (module fixture) checks that the generator never crashes, that
``--check`` and ``--diff`` write nothing, that every error is one a user can act on and
leaves its file untouched, that every byte outside the marked classes and the ``Visitor``
import stays, that a second run changes nothing, and that mypy with the plugin finds every
generated method current.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from mypy import api

from allocative_mypy import _written
from tests.gen.stdlib_corpus import (
    MESSAGE,
    MYPY_CONFIG,
    PACKAGE,
    ROUND_TRIP,
    UNMARKABLE,
    Corpus,
    acted_on,
    changes_outside_classes,
    copy_marked,
    stdlib_root,
)

COMMAND = str(Path(sys.executable).parent / "allocative-gen")
WRITTEN = "was missing; added it"


@dataclass
class Run:
    """One allocative-gen run: exit status, messages, diff output, and seconds taken."""

    status: int
    messages: list[str]
    out: str
    seconds: float


def generate(folder: Path, *arguments: str) -> Run:
    """Run allocative-gen with ``-j 2`` on ``arguments`` (paths relative to ``folder``)."""
    start = time.perf_counter()
    result = subprocess.run(
        [COMMAND, "-j", "2", *arguments],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    return Run(result.returncode, result.stderr.splitlines(), result.stdout, seconds)


def digests(folder: Path) -> dict[Path, str]:
    """Every file's contents under ``folder`` by path, hashed."""
    return {
        path.relative_to(folder): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*.py"))
    }


@dataclass
class Stress:
    """What one pass of the corpus through the generator and the plugin gave."""

    corpus: Corpus
    folder: Path
    before: dict[Path, str]
    check: Run
    check_after: dict[Path, str]
    diff: Run
    diff_after: dict[Path, str]
    write: Run
    write_after: dict[Path, str]
    errors: dict[Path, list[str]] = field(default_factory=dict)
    inputs: dict[Path, str] = field(default_factory=dict)
    fix: Run | None = None
    fixed_after: dict[Path, str] = field(default_factory=dict)
    second: Run | None = None
    second_after: dict[Path, str] = field(default_factory=dict)
    warm: Run | None = None
    warm_after: dict[Path, str] = field(default_factory=dict)
    mypy: list[str] = field(default_factory=list)
    mypy_status: int = 0
    mypy_stderr: str = ""


@pytest.fixture(scope="module")
def stress(tmp_path_factory: pytest.TempPathFactory) -> Stress:
    """Mark a copy of the standard library, check, diff, generate; then act on the errors as
    a user would (remove the mark the error names, reformat the line libcst cannot write
    back) and generate again; run mypy with the plugin over every rewritten module."""
    folder = tmp_path_factory.mktemp("stdlib")
    corpus = copy_marked(stdlib_root(), folder)
    before = digests(folder)
    check = generate(folder, "--check", PACKAGE)
    check_after = digests(folder)
    diff = generate(folder, "--diff", PACKAGE)
    diff_after = digests(folder)
    write = generate(folder, PACKAGE)
    result = Stress(
        corpus, folder, before, check, check_after, diff, diff_after, write, digests(folder)
    )
    result.inputs = {path: marked.text for path, marked in corpus.marked.items()}
    for message in write.messages:
        match = MESSAGE.fullmatch(message)
        if match is not None and "warning: " not in message and WRITTEN not in message:
            result.errors.setdefault(Path(match["path"]), []).append(message)
    for path in result.errors:
        _act_on_errors(result, path)
    if result.errors:
        result.fix = generate(folder, *map(str, result.errors))
    result.fixed_after = digests(folder)
    result.second = generate(folder, PACKAGE)
    result.second_after = digests(folder)
    result.warm = generate(folder, PACKAGE)
    result.warm_after = digests(folder)
    _run_mypy(result)
    return result


def _act_on_errors(result: Stress, path: Path) -> None:
    """Do what the errors of ``path`` say: unmark the classes that cannot be marked, or
    reformat the file libcst cannot write back."""
    text = acted_on(result.corpus, path, result.errors[path])
    (result.folder / path).write_bytes(text.encode("utf-8"))
    result.inputs[path] = text


def _run_mypy(result: Stress) -> None:
    """mypy with the plugin over every module of the corpus with a generated method."""
    (result.folder / "mypy.ini").write_text(MYPY_CONFIG, encoding="utf-8")
    modules = [
        str(result.folder / path)
        for path in result.corpus.files_with_classes()
        if "def __allocative__" in (result.folder / path).read_text(encoding="utf-8")
    ]
    result.mypy.append(f"{len(modules)} modules")
    config = ["--config-file", str(result.folder / "mypy.ini"), "--no-incremental"]
    try:
        stdout, stderr, status = api.run([*config, "--no-error-summary", *modules])
    finally:
        _written.release()  # later tests' gc.collect() need not walk the corpus's trees
    prefix = f"{result.folder}/"
    result.mypy[:] = [line.replace(prefix, "") for line in stdout.splitlines()]
    result.mypy_status, result.mypy_stderr = status, stderr


def test_the_corpus_is_the_real_library(stress: Stress) -> None:
    """Hundreds of modules and thousands of classes of the running Python were marked."""
    assert len(stress.corpus.marked) > 400
    assert stress.corpus.classes > 2000


def test_check_and_diff_write_nothing(stress: Stress) -> None:
    """``--check`` and ``--diff`` report what would change (exit 1, or 2 with errors), print
    no traceback, and leave every byte of every file as it was."""
    for run in (stress.check, stress.diff):
        assert run.status == 2
        assert not any("Traceback (most recent call last)" in message for message in run.messages)
    assert stress.check_after == stress.before
    assert stress.diff_after == stress.before
    assert sum("is missing; run allocative-gen" in m for m in stress.check.messages) > 2000
    assert stress.diff.out.count("\n+++ b/") + stress.diff.out.startswith("+++ b/") > 400


def test_every_error_is_one_a_user_can_act_on(stress: Stress) -> None:
    """The only errors are marked Protocols, TypedDicts and Enums, and a file libcst would not
    write back byte for byte; each file with an error is left exactly as it was."""
    run = stress.write
    assert run.status == 2
    assert not any("most recent call last" in m or "internal error" in m for m in run.messages)
    for messages in stress.errors.values():
        for message in messages:
            text = MESSAGE.fullmatch(message)
            assert text is not None, message
            assert (
                UNMARKABLE.match(text["text"])
                or text["text"].startswith(ROUND_TRIP)
                or text["text"] == "left unchanged because of the errors above"
            ), message
    kinds = Counter(_kind(message) for messages in stress.errors.values() for message in messages)
    assert kinds["a Protocol"] > 0 and kinds["an Enum"] > 0


def _kind(message: str) -> str:
    match = UNMARKABLE.search(message)
    if match is not None:
        return match.group(2)
    return ROUND_TRIP if ROUND_TRIP in message else "left unchanged"


def test_files_with_errors_were_left_untouched(stress: Stress) -> None:
    """Each file the run reported an error for kept the bytes it was given; every other file
    with a marked class was rewritten."""
    errors = {Path(PACKAGE) / path.relative_to(PACKAGE) for path in stress.errors}
    for path in stress.corpus.files_with_classes():
        unchanged = stress.write_after[path] == stress.before[path]
        assert unchanged == (path in errors), path


def test_errors_acted_on_then_generate_cleanly(stress: Stress) -> None:
    """Once the marks the errors name are removed (and the line reformatted), the files
    generate with no error."""
    assert stress.fix is not None
    assert stress.fix.status == 1
    assert [m for m in stress.fix.messages if WRITTEN not in m and "warning: " not in m] == []


def test_second_run_changes_nothing(stress: Stress) -> None:
    """Generating again over the whole corpus is a no-op: exit 0, nothing written, no message
    but the warnings of the first run."""
    second = stress.second
    assert second is not None
    assert (second.status, second.out) == (0, "")
    assert [m for m in second.messages if "warning: " not in m] == []
    assert stress.second_after == stress.fixed_after


def test_a_warm_run_says_what_the_cold_run_said(stress: Stress) -> None:
    """The second run processed every file (each was just written, so none was cached); the
    third answers from the cache what the second said, and writes nothing."""
    warm, second = stress.warm, stress.second
    assert warm is not None and second is not None
    assert (warm.status, warm.out, warm.messages) == (second.status, second.out, second.messages)
    assert stress.warm_after == stress.second_after


def test_every_file_still_compiles(stress: Stress) -> None:
    """Every rewritten module compiles."""
    for path in stress.corpus.marked:
        source = (stress.folder / path).read_bytes()
        compile(source, str(path), "exec", dont_inherit=True)


def test_nothing_changes_outside_the_marked_classes(stress: Stress) -> None:
    """Outside the marked classes and the ``Visitor`` import every byte is what it was."""
    changed = {}
    for path, given in stress.inputs.items():
        written = (stress.folder / path).read_bytes().decode("utf-8")
        changes = changes_outside_classes(given, written)
        if changes:
            changed[str(path)] = changes[:3]
    assert changed == {}


def test_the_plugin_finds_every_generated_method_current(stress: Stress) -> None:
    """mypy with the plugin, over every rewritten module, reports no ``allocative-stale`` and
    no error in a generated method, and does not crash."""
    assert stress.mypy_status in (0, 1), stress.mypy_stderr
    assert "INTERNAL ERROR" not in stress.mypy_stderr
    assert len(stress.corpus.files_with_classes()) >= 100
    stale = [line for line in stress.mypy if line.endswith("[allocative-stale]")]
    assert stale == []
    in_methods = [line for line in stress.mypy if _in_generated_method(stress.folder, line)]
    assert in_methods == []


def _in_generated_method(folder: Path, message: str) -> bool:
    """Whether a mypy message is about a line of a generated method."""
    match = re.match(r"(?P<path>[^:]+):(?P<line>\d+): error:", message)
    if match is None:
        return False
    return int(match["line"]) in _method_lines(folder / match["path"])


@functools.cache
def _method_lines(path: Path) -> frozenset[int]:
    tree = ast.parse(path.read_bytes())
    return frozenset(
        line
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "__allocative__"
        for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)
    )
