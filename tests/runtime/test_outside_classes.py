"""Classes outside the project (the standard library, installed packages) cannot be marked:
their instances are measured attribute by attribute, named, without a warning. The project's
own unmarked classes, and C types that may keep memory the runtime cannot see, still warn."""

from __future__ import annotations

import io
import ipaddress
import sys
import sysconfig
from typing import Any

import pytest
from packaging.version import Version

from allocative import FlameGraphBuilder, FlameGraphOutput, size_of
from allocative._project import class_outside_project, is_outside_project
from tests.runtime.conftest import traced

pytestmark = pytest.mark.accuracy


def graph(obj: object) -> FlameGraphOutput:
    builder = FlameGraphBuilder()
    builder.visit_root(obj)
    return builder.finish()


class Mine:
    """The project's own class, unmarked."""

    def __init__(self, i: int) -> None:
        self.label = f"mine-{i}"


def test_a_standard_library_class_is_exact_named_and_quiet() -> None:
    addresses, built = traced(
        lambda: [ipaddress.IPv4Address(f"10.0.{i // 256}.{i % 256}") for i in range(1000)]
    )
    output = graph(addresses)
    assert size_of(addresses) == output.total_size == built
    assert output.warnings == []
    assert "list;IPv4Address;_ip;int" in output.folded()


def test_an_installed_package_class_is_measured_without_a_warning() -> None:
    versions: list[Any] = [Version(f"1.{i}.0") for i in range(100)]
    output = graph(versions)
    assert output.warnings == []
    assert "list;Version;_release;tuple" in output.folded()


def test_the_projects_own_unmarked_class_still_warns() -> None:
    output = graph([Mine(i) for i in range(10)])
    (warning,) = output.warnings
    assert warning.startswith("Mine: no __allocative__; measured by its attributes (10 objects, ")


def test_a_c_type_that_may_hide_memory_still_warns() -> None:
    output = graph(io.StringIO("x" * 100))
    assert [w.split(":")[0] for w in output.warnings] == ["StringIO"]


@pytest.mark.parametrize(
    ("module", "path", "outside"),
    [
        ("ipaddress", f"{sysconfig.get_paths()['stdlib']}/ipaddress.py", True),
        ("email.message", None, True),
        ("queue", "/home/me/shop/queue.py", False),
        ("token", "/home/me/shop/token.py", False),
        ("packaging.version", "/venv/lib/python3.11/site-packages/packaging/version.py", True),
        ("numpy", "/usr/lib/python3/dist-packages/numpy/__init__.py", True),
        ("shop.models", "/home/me/shop/models.py", False),
        ("shop.models", None, False),
        ("shop.stubs", "/home/me/shop/stubs.pyi", True),
    ],
)
def test_outside_the_project_is_the_standard_library_installed_packages_and_stubs(
    module: str, path: str | None, outside: bool
) -> None:
    assert is_outside_project(module, path) is outside


def test_classes_are_placed_by_their_module() -> None:
    """Python classes of the library and of installed packages are outside; the project's
    classes, and classes of C modules (which may hide memory in C), are not."""
    assert class_outside_project(ipaddress.IPv4Address)
    assert class_outside_project(Version)
    assert not class_outside_project(Mine)
    assert not class_outside_project(io.StringIO)


def _synchronised() -> list[Any]:
    import queue
    import threading

    made: list[Any] = [threading.Lock() for _ in range(50)]
    made += [threading.RLock() for _ in range(50)]
    made += [threading.Event() for _ in range(20)]
    made += [threading.Condition() for _ in range(20)]
    made += [queue.Queue() for _ in range(20)]
    return made


def test_locks_count_their_semaphore_and_conditions_their_bound_methods() -> None:
    """A lock's semaphore is allocated beside the object (getsizeof does not report it),
    and a Condition stores its lock's bound methods: both are what the objects hold.
    (Built a few times first: a class's first few dozen instances have larger storage.)"""
    settled = [_synchronised() for _ in range(3)]
    made, built = traced(_synchronised)
    output = graph(made)
    assert size_of(made) == output.total_size == built
    assert output.warnings == []
    del settled


def test_built_in_functions_count_zero_and_bound_methods_count_with_their_object() -> None:
    items: list[int] = [1000, 2000]
    assert size_of(len) == size_of(print) == size_of(io.open) == 0
    assert size_of(items.append) == size_of(items) + sys.getsizeof(items.append)
