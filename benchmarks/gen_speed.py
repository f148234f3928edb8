"""How fast allocative-gen is: a tree with no marked class, a tree of 500 marked classes, and
the standard library with every class marked, cold, warm and after editing one file.

Run: ``.venv/bin/python benchmarks/gen_speed.py``. Each figure is the wall time of
the ``allocative-gen`` command as pre-commit runs it (a fresh process, the file
names or the folder on the command line), best of three. "cold" is ``--no-cache``;
"up to date" runs with the cache warm (after one run that filled it).

The standard library corpus is the one ``tests/gen/test_stdlib.py`` checks (every class
marked, the classes the generator refuses unmarked, as their errors say), generated
once; then, with ``-j 2`` as the pre-commit hook would run over the whole project:
a cold no-op run, a warm no-op run, a run after one edit (a field added to
``argparse.ArgumentParser``: that file is processed and rewritten) and the run after it
(the rewritten file is processed once more, then cached).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.gen.stdlib_corpus import (  # noqa: E402
    MESSAGE,
    PACKAGE,
    acted_on,
    copy_marked,
    stdlib_root,
)

COMMAND = str(Path(sys.executable).parent / "allocative-gen")
UNMARKED_FILES = 2_000
MARKED_FILES = 50
CLASSES_PER_FILE = 10

UNMARKED = '''\
"""Module {number}: ordinary code with no marked class."""

from dataclasses import dataclass


@dataclass
class Record{number}:
    name: str
    values: list[float]

    def total(self) -> float:
        return sum(self.values)


def build(count: int) -> list[Record{number}]:
    return [Record{number}(f"r{{i}}", [i * 0.5] * 3) for i in range(count)]
'''

HEADER = '''\
"""Module {number}: marked classes of every common field form."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Annotated, Optional

from allocative import allocative, skip
'''

MARKED_CLASS = '''

@allocative
@dataclass
class Model{number}x{index}:
    """A marked dataclass."""

    name: str
    count: int
    ratio: float
    payload: bytes
    tags: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    members: set[int] = field(default_factory=set)
    history: tuple[float, ...] = ()
    queue: deque[str] = field(default_factory=deque)
    parent: Annotated[Optional[Model{number}x{index}], skip] = None
    children: list[Model{number}x{index}] = field(default_factory=list)

    def describe(self) -> str:
        return f"{{self.name}}: {{self.count}}"
'''


def write_unmarked(root: Path) -> list[Path]:
    """2,000 modules with no marked class, in 20 packages."""
    paths = []
    for number in range(UNMARKED_FILES):
        path = root / f"pkg{number % 20}" / f"module{number}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(UNMARKED.format(number=number))
        paths.append(path)
    return paths


def write_marked(root: Path) -> list[Path]:
    """50 modules of 10 marked dataclasses each."""
    paths = []
    for number in range(MARKED_FILES):
        body = HEADER.format(number=number) + "".join(
            MARKED_CLASS.format(number=number, index=index) for index in range(CLASSES_PER_FILE)
        )
        path = root / f"models{number}.py"
        path.write_text(body)
        paths.append(path)
    return paths


def run(paths: list[Path], *options: str, cwd: Path | None = None) -> float:
    """Seconds one ``allocative-gen`` process takes on ``paths``."""
    start = time.perf_counter()
    command = [COMMAND, *options, *map(str, paths)]
    subprocess.run(command, check=False, capture_output=True, cwd=cwd)
    return time.perf_counter() - start


def stdlib_figures(folder: Path) -> dict[str, float]:
    """The marked standard library generated, then timed cold, warm and after one edit."""
    corpus = copy_marked(stdlib_root(), folder)
    package = [Path(PACKAGE)]
    result = subprocess.run(
        [COMMAND, "-j", "2", PACKAGE], cwd=folder, capture_output=True, text=True, check=False
    )
    errors: dict[Path, list[str]] = {}
    for message in result.stderr.splitlines():
        match = MESSAGE.fullmatch(message)
        if match is not None and "warning: " not in message and "added it" not in message:
            errors.setdefault(Path(match["path"]), []).append(message)
    for path, messages in errors.items():
        (folder / path).write_text(acted_on(corpus, path, messages), encoding="utf-8")
    run(package, "-j", "2", cwd=folder)  # generates the files acted on, fills the cache
    figures = {"cold": best(lambda: run(package, "-j", "2", "--no-cache", cwd=folder), 2)}
    run(package, "-j", "2", cwd=folder)
    figures["warm (no-op)"] = best(lambda: run(package, "-j", "2", cwd=folder))
    edited = folder / PACKAGE / "argparse.py"
    original = edited.read_text(encoding="utf-8")
    marker = "        self.prog = prog\n"
    assert original.count(marker) == 1

    def one_file(extra: str) -> float:
        edited.write_text(original.replace(marker, marker + extra), encoding="utf-8")
        return run(package, "-j", "2", cwd=folder)

    edits = [f"        self.extra_{number} = {number}\n" for number in range(3)]
    timings = [(one_file(extra), run(package, "-j", "2", cwd=folder)) for extra in edits]
    figures["one file edited"] = min(edit for edit, _ in timings)
    figures["the run after it"] = min(after for _, after in timings)
    figures["files"] = len(corpus.marked)
    figures["classes"] = corpus.classes
    return figures


def best(measure: Callable[[], float], repeat: int = 3) -> float:
    """The fastest of ``repeat`` measurements."""
    return min(measure() for _ in range(repeat))


def lines_of(paths: list[Path]) -> int:
    """Total lines in ``paths``."""
    return sum(path.read_text().count("\n") for path in paths)


def main() -> None:
    """Print the benchmark figures."""
    workspace = Path(tempfile.mkdtemp(prefix="allocative-gen-bench-"))
    os.environ["ALLOCATIVE_CACHE_DIR"] = str(workspace / "cache")
    try:
        unmarked = write_unmarked(workspace / "unmarked")
        print(f"{UNMARKED_FILES} files, no marked class (file names, as pre-commit passes them):")
        print(f"  serial   {best(lambda: run(unmarked)):.3f} s")
        print(f"  folder   {best(lambda: run([workspace / 'unmarked'])):.3f} s (folder walk)")

        marked_root = workspace / "marked"
        marked_root.mkdir()
        sources = {path: path.read_bytes() for path in write_marked(marked_root)}
        paths = list(sources)

        def cold(*options: str) -> float:
            for path, data in sources.items():
                path.write_bytes(data)
            return run(paths, *options)

        figures = {}
        figures["cold"] = best(lambda: cold("--no-cache"))
        figures["cold -j 4"] = best(lambda: cold("--no-cache", "-j", "4"))
        kilolines = lines_of(paths) / 1000
        figures["up to date, cold"] = best(lambda: run(paths, "--no-cache"))
        run(paths)  # fills the cache
        figures["up to date"] = best(lambda: run(paths))
        figures["up to date -j 4"] = best(lambda: run(paths, "-j", "4"))
        classes = MARKED_FILES * CLASSES_PER_FILE
        print(f"{MARKED_FILES} files, {classes} marked classes, {kilolines * 1000:.0f} lines:")
        for label, seconds in figures.items():
            per = seconds / kilolines
            print(f"  {label:<18} {seconds:.3f} s = {per:.3f} s per 1,000 lines")

        stdlib = stdlib_figures(workspace / "stdlib")
        files, classes = int(stdlib.pop("files")), int(stdlib.pop("classes"))
        print(f"the standard library, {files} files, {classes} classes marked (-j 2, folder):")
        for label, seconds in stdlib.items():
            print(f"  {label:<18} {seconds:.3f} s")
    finally:
        shutil.rmtree(workspace)


if __name__ == "__main__":
    main()
