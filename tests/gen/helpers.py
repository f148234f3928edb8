"""Shared helpers for the generator tests."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from allocative_gen.edit import ModuleResult, generate

GOLDEN = Path(__file__).parent / "golden"


def generate_code(code: str, path: Path | None = None) -> ModuleResult:
    """Run the generator on ``code`` as if it were the file at ``path``."""
    return generate(cst.parse_module(code), path or GOLDEN / "input.py")


def generated(code: str, path: Path | None = None) -> str:
    """The code after generation; fails on errors."""
    result = generate_code(code, path)
    errors = [problem for problem in result.problems if not problem.warning]
    assert not errors, errors
    return result.module.code


def golden_cases() -> list[str]:
    """The names of the golden before/after pairs."""
    return sorted(path.name.removesuffix(".before") for path in GOLDEN.glob("*.before"))
