"""allocative-gen and the mypy plugin over the standard library with every class marked.

Run: ``.venv/bin/python benchmarks/gen_stdlib.py``. Copies the running Python's library
(no test suites or GUI packages, as ``tests/gen/test_stdlib.py`` does), marks every class,
and prints how many files and classes, the wall and CPU time of marking, of
``allocative-gen -j 2`` (first run and a second, no-op run), and of mypy with the plugin
over the rewritten modules, and the messages of each by kind.
"""

from __future__ import annotations

import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.gen.stdlib_corpus import (  # noqa: E402
    MYPY_CONFIG,
    PACKAGE,
    copy_marked,
    stdlib_root,
)

COMMAND = str(Path(sys.executable).parent / "allocative-gen")
T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[T, float, float]:
    """``action``'s result, its wall seconds and the CPU seconds of it and its children."""
    wall, before = time.perf_counter(), _cpu()
    result = action()
    return result, time.perf_counter() - wall, _cpu() - before


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def generate(folder: Path) -> list[str]:
    """The messages of ``allocative-gen -j 2`` over the corpus."""
    result = subprocess.run(
        [COMMAND, "-j", "2", PACKAGE], cwd=folder, capture_output=True, text=True, check=False
    )
    return result.stderr.splitlines()


def kind(message: str) -> str:
    """A message without its place and names: what kind of message it is."""
    text = message.split(": ", 1)[1] if ": " in message else message
    return re.sub(r"'[^']*'", "'...'", text)[:110]


def mypy(folder: Path) -> list[str]:
    """mypy's messages, with the plugin, over the rewritten modules."""
    (folder / "mypy.ini").write_text(MYPY_CONFIG, encoding="utf-8")
    modules = [
        str(path)
        for path in sorted((folder / PACKAGE).rglob("*.py"))
        if "def __allocative__" in path.read_text(encoding="utf-8")
    ]
    command = [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--no-incremental"]
    result = subprocess.run(
        [*command, *modules], cwd=folder, capture_output=True, text=True, check=False
    )
    print(f"mypy over {len(modules)} rewritten modules")
    return result.stdout.splitlines()


def show(title: str, messages: list[str], top: int = 12) -> None:
    """Print the messages by kind, most frequent first."""
    print(f"  {title}: {len(messages)} messages")
    for text, count in Counter(map(kind, messages)).most_common(top):
        print(f"    {count:6d}  {text}")


def main() -> None:
    """Print the figures."""
    folder = Path(tempfile.mkdtemp(prefix="allocative-stdlib-"))
    try:
        corpus, wall, cpu = timed(lambda: copy_marked(stdlib_root(), folder))
        files = len(corpus.marked)
        with_classes = len(corpus.files_with_classes())
        print(f"{files} files ({with_classes} with classes), {corpus.classes} classes marked")
        print(f"mark:          {wall:6.1f} s wall, {cpu:6.1f} s CPU")
        first, wall, cpu = timed(lambda: generate(folder))
        print(f"generate -j 2: {wall:6.1f} s wall, {cpu:6.1f} s CPU")
        show("first run", first)
        second, wall, cpu = timed(lambda: generate(folder))
        print(f"second run:    {wall:6.1f} s wall, {cpu:6.1f} s CPU")
        show("second run", [m for m in second if "warning: " not in m])
        messages, wall, cpu = timed(lambda: mypy(folder))
        print(f"mypy:          {wall:6.1f} s wall, {cpu:6.1f} s CPU")
        codes = Counter(m.rsplit("[", 1)[-1].rstrip("]") for m in messages if m.endswith("]"))
        print("  by code: " + ", ".join(f"{code} {n}" for code, n in codes.most_common()))
        show("allocative codes", [m for m in messages if "[allocative-" in m])
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
