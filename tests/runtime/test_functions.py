"""Functions: code counts zero, functions made at run time are data.

A function defined at module level or in a class body (the class made anywhere)
is code, which no data owns, like its module and class. A nested function or a
lambda reached from the tree was made at run time and holds what its closure,
defaults and attributes hold: it is measured with them, exactly. A bound method
holds its object.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

import pytest

from allocative import FlameGraphBuilder, size_of
from tests.runtime.conftest import traced

pytestmark = pytest.mark.accuracy


def module_function(x: int) -> int:
    return x + 1


@functools.cache
def cached_function(x: int) -> int:
    return x


def decorated(function: Any) -> Any:
    @functools.wraps(function)
    def wrapper(*args: Any) -> Any:
        return function(*args)

    return wrapper


@decorated
def wrapped_function(x: int) -> int:
    return x


class Service:
    def method(self) -> int:
        return 1

    @staticmethod
    def static() -> int:
        return 2


def local_class_method() -> Any:
    class Local:
        def method(self) -> int:
            return 3

    return Local.method


def test_code_counts_zero() -> None:
    """Module-level, decorated and class functions (a local class's too) count nothing."""
    functions = [
        module_function,
        wrapped_function,
        Service.method,
        Service.static,
        local_class_method(),
    ]
    assert size_of(functions) == sys.getsizeof(functions)


def make_closure(i: int) -> Any:
    data = [f"captured {i}" * 5, i + 0.5]

    def lookup(key: str = f"default {i}") -> Any:
        return data, key

    lookup.note = [f"note {i}"]  # type: ignore[attr-defined]
    return lookup


def test_closures_are_data_measured_exactly() -> None:
    """Each nested function: its object, its closure's cells and what they hold, its
    defaults and attributes; to the byte tracemalloc saw allocated."""
    closures, built = traced(lambda: [make_closure(i) for i in range(300)])
    assert size_of(closures) == built


def test_lambdas_are_data() -> None:
    """A lambda is data wherever it was made: it and its defaults count."""
    made, built = traced(lambda: [lambda x=[i + 0.5]: x for i in range(200)])
    assert size_of(made) == built


def test_a_closure_is_filed_under_its_parts() -> None:
    """The frames name where the bytes are: the closure's tuple, its cells, the defaults."""
    builder = FlameGraphBuilder()
    builder.visit_root([make_closure(1)], "root")
    stacks = {";".join(path) for path, _ in builder.finish().flamegraph.stacks()}
    assert "root;function" in stacks
    assert "root;function;__closure__;tuple;cell;list" in stacks
    assert "root;function;__defaults__;tuple;str" in stacks
    assert "root;function;__dict__;dict" in stacks


class Holder:
    def __init__(self) -> None:
        self.items = [f"item {i}" for i in range(50)]

    def count(self) -> int:
        return len(self.items)


def test_a_bound_method_holds_its_object() -> None:
    """What only a bound method holds is measured through it; the function is code."""
    methods, built = traced(lambda: [Holder().count for _ in range(100)])
    assert size_of(methods) == built
    builder = FlameGraphBuilder()
    builder.visit_root(methods[:1], "root")
    stacks = {";".join(path) for path, _ in builder.finish().flamegraph.stacks()}
    assert "root;method;__self__;Holder;items;list;str" in stacks
    assert not any("__func__" in stack for stack in stacks)
