"""The cache of files that needed no change: a warm run gives exactly a cold run's output.

Every test compares a run that may use the cache with a cold run (``--no-cache``) over the
same files: the same exit status, messages and diff, whatever changed in between (the
file, a base in another file, a module that now shadows another, the cache itself).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from allocative_gen import process
from allocative_gen.cache import ENVIRONMENT, FILE
from allocative_gen.cli import main

COMMAND = str(Path(sys.executable).parent / "allocative-gen")
MARK = "from allocative import allocative\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run(folder: Path, *arguments: str) -> tuple[int, str, str]:
    """``allocative-gen`` in ``folder`` (a fresh process, as pre-commit runs it)."""
    result = subprocess.run(
        [COMMAND, *arguments], cwd=folder, capture_output=True, text=True, check=False
    )
    return result.returncode, result.stdout, result.stderr


def _not_called(*arguments: object) -> None:
    raise AssertionError("a cached file was processed")


def same_as_cold(folder: Path, *arguments: str) -> tuple[int, str, str]:
    """A run that may use the cache; asserts a cold run of the same files says the same."""
    warm = run(folder, *arguments)
    assert run(folder, "--no-cache", *arguments) == warm
    return warm


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package whose marked classes inherit from classes of other files, with a warning
    and a file with an error, generated once; its cache in ``cache``."""
    monkeypatch.setenv(ENVIRONMENT, str(tmp_path / "cache"))
    write(tmp_path / "pkg" / "__init__.py", "")
    write(
        tmp_path / "pkg" / "base.py",
        "class Base:\n    def __init__(self) -> None:\n        self.size = 1\n",
    )
    write(
        tmp_path / "pkg" / "models.py",
        f"import queue\n\n{MARK}from pkg.base import Base\n\n\n@allocative\nclass Item(Base):\n"
        "    pass\n\n\n@allocative\nclass Jobs(queue.Queue):\n    pass\n\n\n"
        "@allocative\nclass Odd(make()):\n    pass\n",
    )
    write(
        tmp_path / "pkg" / "kinds.py",
        f"from enum import Enum\n\n{MARK}\n\n@allocative\nclass Colour(Enum):\n    RED = 1\n",
    )
    status, _, _ = run(tmp_path, "pkg")
    assert status == 2
    return tmp_path


def test_a_no_op_run_is_answered_from_the_cache(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The second run reads the cache (with a ``.gitignore``), processes no file, and says
    exactly what a cold run says: the warning, the error, exit 2."""
    status, out, err = same_as_cold(project, "pkg")
    monkeypatch.chdir(project)
    monkeypatch.setattr(process, "process_file", _not_called)
    assert main(["pkg"]) == status
    assert capsys.readouterr() == (out, err)
    assert (status, out) == (2, "")
    assert "warning: base 'make()' of 'Odd' is not a class name" in err
    assert "'Colour' is an Enum" in err
    assert "Item" not in err
    assert json.loads((project / "cache" / FILE).read_text())["files"]
    assert (project / "cache" / ".gitignore").read_text().endswith("*\n")


def test_a_field_added_to_a_base_in_another_file(project: Path) -> None:
    """Item's method depends on base.py: a field added there makes it stale."""
    assert run(project, "pkg")[0] == 2  # warm
    base = project / "pkg" / "base.py"
    base.write_text(base.read_text() + "        self.name = 'x'\n")
    status, _, err = same_as_cold(project, "--check", "pkg")
    assert status == 2
    assert "'Item.__allocative__' is stale" in err


def test_a_module_that_now_shadows_the_standard_librarys(project: Path) -> None:
    """``queue`` was the standard library's, whose fields are not visited; a project's own
    ``queue.py`` written beside the package is the project's, and Jobs turns stale."""
    assert run(project, "pkg")[0] == 2
    write(
        project / "queue.py",
        "class Queue:\n    def __init__(self) -> None:\n        self.items: list[int] = []\n",
    )
    status, _, err = same_as_cold(project, "--check", "pkg")
    assert status == 2
    assert "'Jobs.__allocative__' is stale" in err


def test_the_file_itself_changed(project: Path) -> None:
    """A file edited since it was cached is processed again, and its change written."""
    assert run(project, "pkg")[0] == 2
    models = project / "pkg" / "models.py"
    models.write_text(
        models.read_text().replace(
            "class Item(Base):\n    pass",
            "class Item:\n    def __init__(self) -> None:\n        self.tags: list[str] = []",
        )
    )
    status, _, err = run(project, "--diff", "pkg")
    assert status == 2
    assert "'Item.__allocative__' is stale" in err
    assert run(project, "pkg")[0] == 2
    assert 'visitor.visit_list("tags", self.tags, str)' in models.read_text()


@pytest.mark.parametrize(
    "damage",
    [
        "not json {",
        "[]",
        '{"format": 1, "generator": "another", "files": {}}',
        "{}",
        "",
    ],
)
def test_a_corrupt_or_foreign_cache_is_ignored(project: Path, damage: str) -> None:
    """A cache that does not parse, is not the format, or is another generator's is never
    trusted: the run is a cold run, and the cache is written anew."""
    cache = project / "cache" / FILE
    cache.write_text(damage)
    assert same_as_cold(project, "pkg")[0] == 2
    assert json.loads(cache.read_text())["files"]


def test_a_malformed_entry_is_ignored(project: Path) -> None:
    """An entry of the right generator whose parts have the wrong types is a cache miss."""
    run(project, "pkg")
    cache = project / "cache" / FILE
    data = json.loads(cache.read_text())
    for entry in data["files"].values():
        entry["record"]["probes"] = {"x": "yes"}
        entry["messages"] = [1]
    cache.write_text(json.dumps(data))
    assert same_as_cold(project, "pkg")[0] == 2


def test_no_cache_neither_reads_nor_writes(project: Path) -> None:
    """A cache that lies (every file current, no message) is not read with --no-cache, and
    --no-cache writes none."""
    run(project, "pkg")
    cache = project / "cache" / FILE
    data = json.loads(cache.read_text())
    for entry in data["files"].values():
        entry["messages"], entry["error"] = [], False
    cache.write_text(json.dumps(data))
    assert run(project, "pkg") == (0, "", "")  # what the cache says
    status, _, err = run(project, "--no-cache", "pkg")
    assert status == 2
    assert "'Colour' is an Enum" in err
    cache.unlink()
    run(project, "--no-cache", "pkg")
    assert not cache.exists()


def test_parallel_runs_share_the_cache(project: Path) -> None:
    """Under ``-j 2`` (enough files to share) the cached results are the same."""
    for number in range(10):
        write(
            project / "pkg" / f"more{number}.py",
            f"{MARK}from pkg.base import Base\n\n\n@allocative\nclass M{number}(Base):\n    pass\n",
        )
    assert run(project, "-j", "2", "pkg")[0] == 2
    status, _, err = same_as_cold(project, "-j", "2", "--check", "pkg")
    assert status == 2
    assert "stale" not in err and "missing" not in err


def test_the_default_cache_is_beside_the_projects_pyproject(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ``ALLOCATIVE_CACHE_DIR``, the cache is ``.allocative_cache`` in the folder of
    the ``pyproject.toml`` nearest the current folder."""
    monkeypatch.delenv(ENVIRONMENT)
    write(project / "pyproject.toml", "[project]\nname = 'pkg'\n")
    run(project / "pkg", ".")
    assert (project / ".allocative_cache" / FILE).is_file()
