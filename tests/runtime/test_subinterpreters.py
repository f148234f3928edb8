"""A subinterpreter that measured and was destroyed leaves the main interpreter's engine whole.

The compiled engine's Python helpers live in its module's state, one set per
interpreter: the main interpreter never calls a function whose module a
destroyed subinterpreter freed. Run in a child process, which may abort without
harm to the test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.runtime.conftest import one_engine

engine = pytest.fixture(one_engine)
"""The child process picks its engine itself."""

pytestmark = pytest.mark.native

RUNTIME = Path(__file__).resolve().parents[2] / "runtime"

CHILD = """
import sys
try:
    import _xxsubinterpreters as interpreters

    def create():
        try:
            return interpreters.create(isolated=False)
        except TypeError:
            return interpreters.create()
except ImportError:
    import _interpreters as interpreters

    def create():
        return interpreters.create("legacy")

MEASURE = '''
from allocative import FlameGraphBuilder, size_of
tree = [1.5, [2.5, "text" * 10], {"key": [3.5]}]
builder = FlameGraphBuilder()
builder.visit_root(tree, "root")
assert builder.finish().total_size == size_of(tree) > 0
'''
import allocative
from allocative import FlameGraphBuilder, size_of

tree = [1.5, [2.5, "text" * 10], {"key": [3.5]}]
before = size_of(tree)
for _ in range(3):
    interpreter = create()
    interpreters.run_string(interpreter, MEASURE)
    interpreters.destroy(interpreter)
    assert size_of(tree) == before
    builder = FlameGraphBuilder()
    builder.visit_root(tree, "root")
    assert builder.finish().total_size == before
print(allocative.engine().name, before)
"""


@pytest.mark.parametrize("name", ["python", "compiled"])
def test_measuring_after_a_destroyed_subinterpreter(name: str) -> None:
    """Measure in a subinterpreter, destroy it, measure in the main one: three times."""
    env = dict(os.environ, PYTHONPATH=str(RUNTIME), ALLOCATIVE_ENGINE=name)
    result = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split()[0] == name
