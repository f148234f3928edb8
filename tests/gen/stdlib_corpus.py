"""The real-code corpus: a copy of the running Python's standard library with every class marked.

Test suites and GUI packages are left out. Each module is copied into one package
(``corpus``) so that mypy reads the copies, not typeshed's stubs, as the project.
"""

from __future__ import annotations

import ast
import re
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from allocative_gen.files import SKIPPED_DIRS

PACKAGE = "corpus"
SKIPPED_FOLDERS = frozenset(
    {
        "test",
        "tests",
        "idle_test",
        "idlelib",
        "tkinter",
        "turtledemo",
        "site-packages",
        "dist-packages",
        "__pycache__",
        "_bundled",
        *SKIPPED_DIRS,
    }
)
"""Test suites, GUI packages, what is not the library's own code, and the folders
allocative-gen never searches (``venv``)."""
SKIPPED_FILES = frozenset({"turtle.py", "__phello__.foo.py"})
MARKER_IMPORT = "from allocative import allocative\n"
MYPY_CONFIG = """\
[mypy]
plugins = allocative_mypy
python_version = 3.11
follow_imports = silent
show_error_codes = True
"""
"""mypy with the plugin over the corpus; its copies import each other, the rest is typeshed's."""


def stdlib_root() -> Path:
    """The folder of the running Python's standard library."""
    return Path(sysconfig.get_paths()["stdlib"])


def library_files(root: Path) -> Iterator[Path]:
    """The standard library's ``.py`` files, test suites and GUI packages left out."""
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        folders = relative.parts[:-1]
        if any(part in SKIPPED_FOLDERS or part.startswith("config-") for part in folders):
            continue
        if relative.name in SKIPPED_FILES or relative.name.startswith("test_"):
            continue
        yield path


@dataclass
class Marked:
    """A module with every class marked: its text and where each class statement moved
    (marked line -> original line, for the lines the generator reports)."""

    text: str
    classes: dict[int, int] = field(default_factory=dict)


def mark(text: str, skipped: frozenset[int] = frozenset()) -> Marked:
    """``text`` with ``@allocative`` above every class statement not on a ``skipped``
    (original) line, and the marker imported after the docstring and ``__future__`` imports."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    classes = sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.lineno not in skipped
    )
    if not classes:
        return Marked(text)
    at = _import_line(tree, len(lines))
    inserts = [(line - 1, _indent(lines[line - 1]) + "@allocative\n") for line in classes]
    inserts.append((at, MARKER_IMPORT))
    moved = {}
    for line in classes:
        before = sum(1 for position, _ in inserts if position <= line - 1)
        moved[line + before] = line
    for position, inserted in sorted(inserts, key=lambda item: -item[0]):
        lines.insert(position, inserted)
    return Marked("".join(lines), moved)


def _import_line(tree: ast.Module, count: int) -> int:
    """The 0-based line before which the marker import goes: after the docstring and
    ``from __future__`` imports."""
    body = tree.body
    index = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        index = 1
    while (
        index < len(body)
        and isinstance(body[index], ast.ImportFrom)
        and body[index].module == "__future__"
    ):
        index += 1
    return body[index].lineno - 1 if index < len(body) else count


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


UNMARKABLE = re.compile(r"'(?P<cls>\w+)' is (a Protocol|a TypedDict|an Enum): ")
"""The error of a marked class the generator refuses (after ``path:line: ``)."""
ROUND_TRIP = "libcst would not write this line back"
"""The start of the error of a file libcst would not write back unchanged."""
MESSAGE = re.compile(r"(?P<path>[^:]+):(?P<line>\d+): (?P<text>.*)")


@dataclass
class Corpus:
    """A marked copy of the standard library: every copied file (by path relative to the
    corpus folder), its original text, and its marked text."""

    folder: Path
    originals: dict[Path, str] = field(default_factory=dict)
    marked: dict[Path, Marked] = field(default_factory=dict)

    @property
    def classes(self) -> int:
        """How many classes are marked."""
        return sum(len(m.classes) for m in self.marked.values())

    def files_with_classes(self) -> list[Path]:
        """The copied files that have a marked class."""
        return [path for path, marked in self.marked.items() if marked.classes]


def acted_on(corpus: Corpus, path: Path, messages: list[str]) -> str:
    """The text of ``path`` once its errors are acted on as a user would: the classes the
    generator refuses are unmarked, a file libcst would not write back is reformatted."""
    original = corpus.originals[path]
    marked = corpus.marked[path]
    skipped = set()
    for message in messages:
        match = MESSAGE.fullmatch(message)
        assert match is not None, message
        if UNMARKABLE.match(match["text"]):
            skipped.add(marked.classes[int(match["line"])])
        elif match["text"].startswith(ROUND_TRIP):
            import libcst

            original = libcst.parse_module(original).code
    return mark(original, frozenset(skipped)).text


def copy_marked(root: Path, folder: Path) -> Corpus:
    """Copy the library under ``root`` into ``folder/corpus``, every class marked; files
    that are not UTF-8 are left out."""
    corpus = Corpus(folder)
    for source in library_files(root):
        try:
            text = source.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        relative = Path(PACKAGE) / source.relative_to(root)
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        marked = mark(text)
        target.write_bytes(marked.text.encode("utf-8"))
        corpus.originals[relative] = text
        corpus.marked[relative] = marked
    for package in [folder / PACKAGE, *(p for p in (folder / PACKAGE).rglob("*") if p.is_dir())]:
        (package / "__init__.py").touch()
    return corpus


_IMPORT_LINES = re.compile(
    r"(if [\w.]*TYPE_CHECKING:|\s+from allocative import Visitor( as \w+)?|"
    r"from typing import TYPE_CHECKING|)\r?\n?"
)


def changes_outside_classes(before: str, after: str) -> list[str]:
    """The lines generation changed outside the marked classes (each class statement with
    its decorators, and the comment and blank lines after it) other than the ``Visitor``
    import it adds (with its guard and blank lines): empty when every other byte is the same."""
    old, new = _outside(before), _outside(after)
    changes, inserted = [], []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = old[i1:i2], new[j1:j2]
        if tag == "insert" and all(_IMPORT_LINES.fullmatch(line) for line in added):
            inserted.extend(added)
        elif tag == "replace" and _merged_typing_import(removed, added):
            inserted.append("from typing import TYPE_CHECKING\n")
        elif tag != "equal":
            changes.append(f"{tag} {removed!r} -> {added!r}")
    if inserted and not any(line.strip() for line in inserted):
        changes.append(f"blank lines inserted: {inserted!r}")
    return changes


def _is_visitor_import(added: list[str]) -> bool:
    """Whether inserted lines are the ``Visitor`` import (and its guard, blank lines)."""
    return all(_IMPORT_LINES.fullmatch(line) for line in added)


def _merged_typing_import(removed: list[str], added: list[str]) -> bool:
    """Whether ``TYPE_CHECKING`` was added first to a ``from typing import ...`` line (and
    the ``Visitor`` import added after it)."""
    merged = [line.replace("import ", "import TYPE_CHECKING, ", 1) for line in removed]
    if not all(line.startswith("from typing import ") for line in removed):
        return False
    rest = list(added)
    for line in merged:
        if line not in rest:
            return False
        rest.remove(line)
    return _is_visitor_import(rest)


def _outside(text: str) -> list[str]:
    """The lines of ``text`` outside its marked classes, line ends kept."""
    lines = text.splitlines(keepends=True)
    inside = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef) and any(_is_marker(d) for d in node.decorator_list):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            end = node.end_lineno or node.lineno
            while end < len(lines) and lines[end].strip()[:1] in ("", "#"):
                end += 1
            inside.update(range(start - 1, end))
    return [line for number, line in enumerate(lines) if number not in inside]


def _is_marker(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "allocative"
