"""Buffers outside the object: memoryview, mmap and numpy arrays, against tracemalloc."""

from __future__ import annotations

import mmap
from collections.abc import Callable
from typing import Any

import pytest

from allocative import size_of
from tests.runtime.conftest import by_version, traced, tracing
from tests.runtime.test_accuracy_containers import frames
from tests.runtime.test_accuracy_scalars import rt

pytestmark = pytest.mark.accuracy

VIEW = 184
"""A memoryview object, whatever it views."""
MANAGED_BUFFER = 128
"""The managed buffer a memoryview made straight from an exporter holds."""


def payload() -> bytes:
    """300 bytes built at run time (33-byte header)."""
    return bytes(range(100)) * rt(3)


def two_views_of_one_bytes() -> list[Any]:
    """A bytes object and two memoryviews of it, each with its own managed buffer."""
    data = payload()
    return [data, memoryview(data), memoryview(data)[10:20]]


def view_of_a_view() -> list[memoryview]:
    """A memoryview and a slice of it: the slice shares the managed buffer."""
    whole = memoryview(payload())
    return [whole, whole[1:5]]


CASES: dict[str, tuple[Callable[[], Any], int]] = {
    "memoryview of bytes": (lambda: memoryview(payload()), VIEW + MANAGED_BUFFER + 333),
    "two views of one bytes": (two_views_of_one_bytes, 80 + 333 + 2 * (VIEW + MANAGED_BUFFER)),
    "view of a view": (view_of_a_view, 72 + 2 * VIEW + MANAGED_BUFFER + 333),
    "memoryview of bytearray": (
        lambda: memoryview(bytearray(payload())),
        VIEW + MANAGED_BUFFER + 56 + 301,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_memoryview_is_exact(name: str) -> None:
    """A memoryview, its managed buffer and the exporter: each once, as tracemalloc counts."""
    build, expected = CASES[name]
    value, held = traced(build)
    assert (size_of(value), held) == (expected, expected)


def test_exporter_is_counted_once_under_its_first_owner() -> None:
    """The bytes a view exports are counted where the traversal meets them first."""
    graph = frames(two_views_of_one_bytes())
    assert graph["list;bytes"] == 333
    assert "list;memoryview;buffer;managedbuffer;obj;bytes" not in graph


def test_mmap_reports_mapped_memory_apart_from_the_heap() -> None:
    """An anonymous mmap: 96 heap bytes as tracemalloc counts, its pages as a 'mapped' frame."""
    pages = 3 * mmap.PAGESIZE
    value, held = traced(lambda: mmap.mmap(-1, pages))
    graph = frames(value)
    assert graph == {"mmap": 96, "mmap;mapped": pages}
    assert (size_of(value) - pages, held) == (96, 96)
    value.close()
    assert size_of(value) == 96


def numpy_cases(np: Any) -> dict[str, tuple[Callable[[], Any], int, int]]:
    """numpy trees: ``(build, exact bytes, data bytes)``; data of 1 KiB or more."""
    text = by_version({(3, 11): 54, (3, 12): 46, (3, 13): 46})
    return {
        "owner 1-d": (lambda: np.arange(rt(1000), dtype=np.float64), 112 + 8000, 8000),
        "owner 2-d": (lambda: np.zeros((rt(30), 40)), 128 + 9600, 9600),
        "owner and views": (
            lambda: (lambda a: [a, a[::2], a.reshape(10, 100)])(np.arange(rt(1000.0))),
            80 + 112 + 8000 + 112 + 128,
            8000,
        ),
        "object array": (
            lambda: np.array([f"s{i:04d}" for i in range(rt(200))], dtype=object),
            112 + 1600 + 200 * text,
            1600,
        ),
    }


NUMPY_DIMS_CACHE = {"owner 1-d": 16, "owner 2-d": 32, "owner and views": 88, "object array": 16}
"""Bytes of ``dims`` arrays numpy may take from its own cache (invisible to tracemalloc).

numpy keeps freed shape/strides arrays (16 bytes per dimension) for reuse, and
its shape converters refill that cache on every call, so it cannot be drained
from Python: the object part may be this much short in tracemalloc's count.
"""


def traced_numpy(np: Any, build: Callable[[], Any]) -> tuple[Any, int, int]:
    """``build()``, all bytes tracemalloc saw it keep, and those in numpy's data domain."""
    build()
    with tracing(np.lib.tracemalloc_domain) as held:
        value = build()
    return value, held[0], held[1]


@pytest.mark.parametrize("name", list(NUMPY_DIMS_CACHE))
def test_numpy_array_is_exact(name: str) -> None:
    """Owners count their data once; views count only themselves; object arrays their items."""
    np = pytest.importorskip("numpy")
    build, expected, data = numpy_cases(np)[name]
    value, held, traced_data = traced_numpy(np, build)
    assert size_of(value) == expected
    assert traced_data == data
    assert 0 <= size_of(value) - held <= NUMPY_DIMS_CACHE[name]


def test_numpy_data_is_its_own_frame() -> None:
    """An owner's buffer is a 'data' frame; a view points at its owner under 'base'."""
    np = pytest.importorskip("numpy")
    owner = np.arange(rt(1000.0))
    expected = {"ndarray": 112, "ndarray;base;ndarray": 112, "ndarray;base;ndarray;data": 8000}
    assert frames(owner[::2]) == expected
