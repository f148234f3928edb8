"""Whatever goes wrong in one file is one ``path:line:`` error, the file is left as it was,
and every other file is still processed and reported, in every mode."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import libcst as cst
import pytest

from allocative_gen import collect, process
from allocative_gen.cli import main

MARKED = """\
from dataclasses import dataclass

from allocative import allocative


@allocative
@dataclass
class Item:
    name: str
"""
BOOM = MARKED.replace("class Item", "class Boom")
MODES = {"write": [], "check": ["--check"], "diff": ["--diff"]}


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (creating folders) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def files(folder: Path, count: int) -> list[Path]:
    """``count`` files with a marked class each, enough for ``-j 2`` to use workers."""
    return [write(folder / f"item{number}.py", MARKED) for number in range(count)]


@pytest.fixture
def boom(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make reading the fields of any class named ``Boom`` fail, as a bug would."""
    original = collect.declared_fields

    def failing(node: cst.ClassDef, *args: Any) -> Any:
        if node.name.value == "Boom":
            message = "simulated bug"
            raise RuntimeError(message)
        return original(node, *args)

    monkeypatch.setattr(collect, "declared_fields", failing)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_call_expression_bases_outside_a_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str, jobs: str
) -> None:
    """A named tuple made by a call, or any call, as a base of a module that is in no
    package: no traceback; the call's base adds no fields, the other is said not a class."""
    code = (
        "from collections import namedtuple\n\nfrom allocative import allocative\n\n\n"
        "def make() -> type:\n    return object\n\n\n"
        '@allocative\nclass P(namedtuple("P", "x y")):\n    pass\n\n\n'
        "@allocative\nclass Q(make()):\n    pass\n"
    )
    path = write(tmp_path / "shapes.py", code)
    others = files(tmp_path / "more", 9)
    status = main([*MODES[mode], "-j", jobs, str(path), *map(str, others)])
    err = capsys.readouterr().err
    assert status == 1
    assert "Traceback" not in err
    assert f"{path}:16: warning: base 'make()' of 'Q' is not a class name" in err
    assert "of 'P'" not in err
    assert (path.read_text(encoding="utf-8") == code) == (mode != "write")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_internal_error_names_the_class_and_leaves_its_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], boom: None, jobs: str
) -> None:
    """A bug while collecting one class is one line naming the class and saying it is a bug
    (no traceback, exit 2); its file is untouched; the other files are written."""
    bad = write(tmp_path / "boom.py", BOOM)
    others = files(tmp_path, 9)
    assert main(["-j", jobs, str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:8: internal error while generating 'Boom.__allocative__' " in err
    assert "(RuntimeError: simulated bug); this is a bug in allocative-gen" in err
    assert "Traceback" not in err
    assert bad.read_text(encoding="utf-8") == BOOM
    for path in others:
        assert "def __allocative__" in path.read_text(encoding="utf-8")
        assert f"{path}:8: 'Item.__allocative__' was missing; added it" in err


def test_traceback_is_printed_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], boom: None
) -> None:
    """``--traceback`` adds the internal error's traceback after its one-line message."""
    bad = write(tmp_path / "boom.py", BOOM)
    assert main(["--traceback", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.index("internal error") < err.index("Traceback (most recent call last)")
    assert "RuntimeError: simulated bug" in err


def test_an_internal_error_outside_any_class_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug outside the classes of a file is one line for the file, which is untouched."""

    def failing(*args: Any, **kwargs: Any) -> Any:
        message = "simulated bug"
        raise ValueError(message)

    monkeypatch.setattr(process, "generate", failing)
    path = write(tmp_path / "item.py", MARKED)
    assert main([str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:1: internal error in allocative-gen (ValueError: simulated bug)")
    assert len(err.splitlines()) == 1
    assert path.read_text(encoding="utf-8") == MARKED


def test_a_worker_that_dies_leaves_no_file_unreported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """When a worker process dies (a crash no ``except`` can catch), every file still gets a
    line: its result, or that its worker failed and it may have been rewritten; exit 2."""
    original = process.process_file

    def dying(path: Path, *args: Any) -> Any:
        if path.name == "item3.py":
            os._exit(70)
        return original(path, *args)

    monkeypatch.setattr(process, "process_file", dying)
    paths = files(tmp_path, 12)
    assert main(["-j", "2", *map(str, paths)]) == 2
    lines = capsys.readouterr().err.splitlines()
    for path in paths:
        reported = [line for line in lines if line.startswith(f"{path}:")]
        assert len(reported) == 1, (path, lines)
        assert (
            "added it" in reported[0]
            or "the worker process handling this file failed" in (reported[0])
        )
    assert any("worker process handling this file failed" in line for line in lines)


@pytest.mark.parametrize("mode", list(MODES))
def test_a_file_libcst_would_not_write_back_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    """libcst writes ``except (A, B) :`` back as ``except (A, B):``: the generator finds the
    difference before writing, names the line, and changes nothing."""
    code = MARKED + (
        "\n\ndef unrelated() -> None:\n    try:\n        pass\n"
        "    except (ValueError, KeyError) :\n        pass\n"
    )
    path = write(tmp_path / "item.py", code)
    assert main([*MODES[mode], str(path)]) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"{path}:15: libcst would not write this line back unchanged "
        "('except (ValueError, KeyError) :'), so the file is left unchanged: reformat "
        "the line (black or ruff format) and rerun",
        f"{path}:1: left unchanged because of the errors above",
    ]
    assert out == ""
    assert path.read_text(encoding="utf-8") == code


KINDS = {
    "Protocol": (
        "from typing import Protocol, runtime_checkable\n\nfrom allocative import allocative\n"
        "\n\n@allocative\n@runtime_checkable\nclass Closeable(Protocol):\n"
        "    def close(self) -> None: ...\n",
        "'Closeable' is a Protocol: a method would become part of the protocol",
    ),
    "TypedDict": (
        "from typing import TypedDict\n\nfrom allocative import allocative\n\n\n"
        "@allocative\nclass Movie(TypedDict):\n    title: str\n",
        "'Movie' is a TypedDict: its values are plain dicts",
    ),
    "Enum": (
        "from enum import Enum\n\nfrom allocative import allocative\n\n\n"
        "@allocative\nclass Colour(Enum):\n    RED = 1\n",
        "'Colour' is an Enum: its members belong to the class and count zero",
    ),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_marking_a_class_where_a_method_is_meaningless_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """A marked Protocol, TypedDict or Enum gets no method: one error says why and what to do,
    and the file is left as it was."""
    code, message = KINDS[kind]
    path = write(tmp_path / "kinds.py", code)
    assert main([str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "remove @allocative" in err
    assert path.read_text(encoding="utf-8") == code


def test_a_runtime_checkable_protocol_still_matches_after_a_run(tmp_path: Path) -> None:
    """``isinstance(io.StringIO(), Closeable)`` stays True: no method joins the protocol."""
    import importlib.util
    import io

    code = KINDS["Protocol"][0]
    path = write(tmp_path / "closeable.py", code)
    main([str(path)])
    spec = importlib.util.spec_from_file_location("closeable", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert isinstance(io.StringIO(), module.Closeable)
