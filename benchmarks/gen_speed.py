"""How fast allocative-gen is: a tree with no marked class, and a tree of 500 marked classes.

Run: ``.venv/bin/python benchmarks/gen_speed.py``. Each figure is the wall time of
the ``allocative-gen`` command as pre-commit runs it (a fresh process, the file
names on the command line), best of three.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

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


def run(paths: list[Path], *options: str) -> float:
    """Seconds one ``allocative-gen`` process takes on ``paths``."""
    start = time.perf_counter()
    subprocess.run([COMMAND, *options, *map(str, paths)], check=False, capture_output=True)
    return time.perf_counter() - start


def best(measure: Callable[[], float], repeat: int = 3) -> float:
    """The fastest of ``repeat`` measurements."""
    return min(measure() for _ in range(repeat))


def lines_of(paths: list[Path]) -> int:
    """Total lines in ``paths``."""
    return sum(path.read_text().count("\n") for path in paths)


def main() -> None:
    """Print the benchmark figures."""
    workspace = Path(tempfile.mkdtemp(prefix="allocative-gen-bench-"))
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
        figures["cold"] = best(cold)
        figures["cold -j 4"] = best(lambda: cold("-j", "4"))
        kilolines = lines_of(paths) / 1000
        figures["up to date"] = best(lambda: run(paths))
        figures["up to date -j 4"] = best(lambda: run(paths, "-j", "4"))
        classes = MARKED_FILES * CLASSES_PER_FILE
        print(f"{MARKED_FILES} files, {classes} marked classes, {kilolines * 1000:.0f} lines:")
        for label, seconds in figures.items():
            per = seconds / kilolines
            print(f"  {label:<16} {seconds:.3f} s = {per:.3f} s per 1,000 lines")
    finally:
        shutil.rmtree(workspace)


if __name__ == "__main__":
    main()
