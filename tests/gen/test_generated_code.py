"""The generated golden modules import, run under the runtime, and pass mypy --strict."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gen.helpers import GOLDEN, golden_cases
from tests.test_other_pythons import INTERPRETERS, ROOT, interpreter

NEEDS_312 = {"pep695"}


def python_for(case: str) -> tuple[str, dict[str, str] | None]:
    """The interpreter that can import ``case``'s module: this one, or pyenv's 3.12 for PEP 695."""
    if case not in NEEDS_312 or sys.version_info >= (3, 12):
        return sys.executable, None
    executable = interpreter("3.12")
    if executable is None:
        pytest.skip(f"PEP 695 syntax needs Python 3.12 (pyenv {INTERPRETERS['3.12']}), not here")
    env = dict(os.environ, PYENV_VERSION=INTERPRETERS["3.12"], PYTHONPATH=str(ROOT / "runtime"))
    return executable, env


@pytest.mark.parametrize("case", golden_cases())
def test_golden_module_imports_without_the_measuring_runtime(case: str, tmp_path: Path) -> None:
    """Generated code imports nothing beyond the marker module at run time."""
    python, env = python_for(case)
    path = tmp_path / f"golden_{case}.py"
    path.write_text((GOLDEN / f"{case}.after").read_text(encoding="utf-8"), encoding="utf-8")
    code = (
        "import sys, importlib.util as u\n"
        f"s = u.spec_from_file_location('m', {str(path)!r})\n"
        "m = sys.modules['m'] = u.module_from_spec(s); s.loader.exec_module(m)\n"
        "heavy = {'allocative._visitor', 'allocative._api', 'libcst', 'jinja2'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [python, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _generated_lines(text: str) -> set[int]:
    """1-based numbers of the lines that belong to generated methods and the Visitor import."""
    lines: set[int] = set()
    inside = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if stripped.startswith("def __allocative__"):
            inside = indent
            lines.add(number)
        elif inside is not None and stripped and indent > inside:
            lines.add(number)
        elif stripped:
            inside = None
        if "import Visitor" in line:
            lines.add(number)
    return lines


def test_generated_methods_pass_mypy_strict(tmp_path: Path) -> None:
    """mypy --strict reports nothing on any line the generator wrote, in every golden module."""
    texts = {}
    for case in golden_cases():
        text = (GOLDEN / f"{case}.after").read_text(encoding="utf-8")
        (tmp_path / f"{case}.py").write_text(text, encoding="utf-8")
        texts[case] = text
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.12", "--no-incremental"]
        + [f"{case}.py" for case in texts],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    bad = []
    for line in result.stdout.splitlines():
        parts = line.split(":")
        if len(parts) > 2 and parts[1].isdigit():
            case = parts[0].removesuffix(".py")
            if int(parts[1]) in _generated_lines(texts[case]):
                bad.append(line)
    assert bad == [], "\n".join(bad)
    assert "error" in result.stdout, "the inputs' own untyped code should still be reported"


def test_methods_run_on_instances_that_lack_what_they_may_not_have() -> None:
    """Fields not every instance has (set only later, or an unset slot) are read without
    raising, and ``skip`` fields are declared: measuring fresh instances warns of nothing."""
    import allocative
    from tests.gen.exactness import load

    assignments = load((GOLDEN / "assignments.after").read_text(encoding="utf-8"))
    slots = load((GOLDEN / "slots_forms.after").read_text(encoding="utf-8"))
    options = load((GOLDEN / "field_options.after").read_text(encoding="utf-8"))
    node = options.Node("n", None, object(), b"", ["x"], {})
    roots = [assignments.Lazy(), slots.ListSlots(), slots.DictSlots(), node]
    for root in roots:
        builder = allocative.FlameGraphBuilder()
        builder.visit_root(root)
        output = builder.finish()
        assert output.warnings == [], (type(root).__name__, output.warnings)
        assert allocative.size_of(root) == output.flamegraph.total_size
