"""Measuring changes nothing: no memory grows in the measured objects, no reference is kept."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from allocative import FlameGraphBuilder, _layout, size_of
from tests.runtime.conftest import tracing

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Rec:
    name: str
    n: int
    vals: list[float]
    meta: dict[str, float]


class Plain:
    def __init__(self, i: int) -> None:
        self.a = i
        self.b = [float(i)]


def build(n: int) -> list[object]:
    recs: list[object] = [
        Rec("".join(["r", str(i)]), i + 1000, [i * 0.5], {"score": i / 3}) for i in range(n)
    ]
    return recs + [Plain(i) for i in range(n)]


def measure_both(tree: object) -> None:
    size_of(tree)
    builder = FlameGraphBuilder()
    builder.visit_root(tree)
    builder.finish()


def test_traced_memory_after_measurement_equals_before() -> None:
    """tracemalloc sees the same traced bytes before and after a measurement."""
    tree = build(2000)
    measure_both(tree)  # warm caches that live outside the measured objects
    with tracing() as held:
        measure_both(tree)
    assert held == [0]


def test_instances_get_no_materialised_dict() -> None:
    """Measuring reads attribute storage without creating a __dict__ object."""
    tree = build(50)
    measure_both(tree)
    storage = _layout.InstanceStorage(Rec)
    assert all(storage.own_dict(obj) is None for obj in tree)


def test_no_reference_is_kept() -> None:
    """Reference counts of the root and a leaf are unchanged after measuring."""
    tree = build(10)
    leaf = tree[0].vals  # type: ignore[attr-defined]
    counts = (sys.getrefcount(tree), sys.getrefcount(leaf))
    measure_both(tree)
    assert (sys.getrefcount(tree), sys.getrefcount(leaf)) == counts


IMPORT_SCRIPT = """
import sys
before = set(sys.modules)
from examples.inventory import Product
loaded = sorted(m for m in set(sys.modules) - before if m.startswith("allocative"))
print(",".join(loaded))
"""


def test_importing_a_marked_module_loads_only_the_marker() -> None:
    """A module with @allocative classes imports the package and its marker module only."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", IMPORT_SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "allocative,allocative._marker"
    timed = [line for line in result.stderr.splitlines() if "allocative" in line]
    assert [line.rsplit("|", 1)[1].strip() for line in timed] == [
        "allocative._marker",
        "allocative",
    ]


SIZE_SCRIPT = """
import sys
from dataclasses import dataclass
from allocative import allocative

@dataclass
class Plain:
    a: int
    b: str

@allocative
@dataclass
class Marked:
    a: int
    b: str

print(sys.getsizeof(Plain(1, "x")), sys.getsizeof(Marked(1, "x")))
print(sorted(vars(Marked)) == sorted(vars(Plain)))
"""


def test_marked_instances_are_not_larger() -> None:
    """The decorator adds no attribute and no byte to instances."""
    result = subprocess.run(
        [sys.executable, "-c", SIZE_SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True
    )
    plain, marked = result.stdout.splitlines()[0].split()
    assert plain == marked
    assert result.stdout.splitlines()[1] == "True"
