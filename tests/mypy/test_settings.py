"""The plugin reads ``[tool.allocative]`` from the project's pyproject.toml: a class listed in
``registered`` (measured with ``register(T, fn)`` at run time) is accepted as a field type."""

from __future__ import annotations

from pathlib import Path

from tests.mypy.runner import run_mypy

LIBRARY = """\
class Sorted:
    \"\"\"A class of the project that it measures with register(Sorted, fn).\"\"\"


class Other:
    \"\"\"Not registered.\"\"\"
"""
MODEL = """\
from dataclasses import dataclass

from allocative import allocative

from lib import Other, Sorted


@allocative
@dataclass
class Index:
    entries: Sorted
    others: list[Other]
"""
NOT_MEASURABLE = (
    'which allocative cannot measure (no "__allocative__" method and not built in): mark '
    "it, or annotate the field with skip, opaque or visit_with  [allocative-field]"
)


def project(folder: Path, table: str) -> None:
    (folder / "pyproject.toml").write_text(table, encoding="utf-8")
    (folder / "lib.py").write_text(LIBRARY, encoding="utf-8")
    (folder / "model.py").write_text(MODEL, encoding="utf-8")


def test_a_registered_class_is_accepted_and_others_are_not(tmp_path: Path) -> None:
    project(tmp_path, '[tool.allocative]\nregistered = ["lib.Sorted"]\n')
    messages = run_mypy(tmp_path, "model.py", flags=("--disable-error-code", "allocative-stale"))
    assert messages == [
        f'model.py:12: error: Field "others" of "Index" has type "Other", {NOT_MEASURABLE}'
    ]


def test_without_the_setting_both_are_errors(tmp_path: Path) -> None:
    project(tmp_path, "[tool.other]\nkey = 1\n")
    messages = run_mypy(tmp_path, "model.py", flags=("--disable-error-code", "allocative-stale"))
    assert len(messages) == 2


def test_a_bad_table_is_one_error_naming_the_file_and_key(tmp_path: Path) -> None:
    project(tmp_path, '[tool.allocative]\nregistred = ["lib.Sorted"]\n')
    messages = run_mypy(tmp_path, "model.py", flags=("--disable-error-code", "allocative-stale"))
    config_errors = [m for m in messages if "pyproject.toml" in m]
    assert config_errors == [
        "model.py:10: error: pyproject.toml:2: [tool.allocative] has no key "
        "'registred'; the keys are exclude, registered  [misc]"
    ]
