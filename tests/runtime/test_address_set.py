"""AddressSet, the compiled engine's seen set: a set of object addresses that holds no reference."""

from __future__ import annotations

import copy
import gc
import sys
import weakref

import pytest

pytest.importorskip("hypothesis", reason="installed for the test runner's Python only")
_core = pytest.importorskip("allocative._core", reason="the compiled engine is not built here")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.runtime.conftest import one_engine, tracing  # noqa: E402

pytestmark = pytest.mark.native

AddressSet = _core.AddressSet
BYTES_PER_ADDRESS = (8 * 4 / 3, 16)
"""Slots are 8 bytes and the table is 1/2 to 3/4 full once past its first 16 slots."""

engine = pytest.fixture(one_engine)
"""Not measurements (or both engines compared within a test): each test runs once."""


class Item:
    """An object with an address of its own, kept alive by the test."""


operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 299)),
        st.tuples(st.just("contains"), st.integers(0, 299)),
        st.tuples(st.just("clear"), st.just(0)),
    ),
    max_size=600,
)


@settings(max_examples=200, deadline=None)
@given(operations)
def test_behaves_as_a_set_of_ids(steps: list[tuple[str, int]]) -> None:
    """Any sequence of add, membership and clear agrees with a Python set of ids."""
    pool = [Item() for _ in range(300)]
    addresses = AddressSet()
    model: set[int] = set()
    for operation, index in steps:
        obj = pool[index]
        if operation == "add":
            assert addresses.add(obj) is (id(obj) not in model)
            model.add(id(obj))
        elif operation == "contains":
            assert (obj in addresses) is (id(obj) in model)
        else:
            addresses.clear()
            model.clear()
        assert len(addresses) == len(model)
    assert [obj in addresses for obj in pool] == [id(obj) in model for obj in pool]


def test_many_addresses_through_many_growths() -> None:
    """200,000 objects: each added once, all found, strangers not found."""
    objects = [Item() for _ in range(200_000)]
    addresses = AddressSet()
    assert all([addresses.add(obj) for obj in objects])
    assert not any([addresses.add(obj) for obj in objects])
    assert len(addresses) == len(objects)
    assert all(obj in addresses for obj in objects)
    strangers = [Item() for _ in range(10_000)]
    assert not any(obj in addresses for obj in strangers)


def test_bytes_per_address_stay_within_bounds() -> None:
    """After every add past the first 16 slots, memory() is 10.7 to 16 bytes per address."""
    objects = [Item() for _ in range(100_000)]
    addresses = AddressSet()
    ratios = []
    for obj in objects:
        addresses.add(obj)
        if addresses.memory() > 16 * 8:
            ratios.append(addresses.memory() / len(addresses))
    low, high = BYTES_PER_ADDRESS
    assert low <= min(ratios)
    assert max(ratios) <= high


def test_memory_is_what_the_allocator_saw() -> None:
    """tracemalloc sees exactly the object and its table: getsizeof is basic size + memory()."""
    objects = [Item() for _ in range(5_000)]
    with tracing() as held:
        addresses = AddressSet()
        for obj in objects:
            addresses.add(obj)
    assert held == [sys.getsizeof(addresses)]
    assert sys.getsizeof(addresses) == sys.getsizeof(AddressSet()) + addresses.memory()
    assert addresses.memory() == 8 * 6_927  # 16 slots, then half as many again 15 times


def test_keeps_no_reference() -> None:
    """Adding an object neither changes its reference count nor keeps it alive."""
    obj = Item()
    before = sys.getrefcount(obj)
    addresses = AddressSet()
    addresses.add(obj)
    assert sys.getrefcount(obj) == before
    alive = weakref.ref(obj)
    del obj
    gc.collect()
    assert alive() is None
    assert len(addresses) == 1


def test_clear_frees_the_table_and_the_set_is_usable_again() -> None:
    """clear() empties the set and gives its memory back; adding afterwards works."""
    objects = [Item() for _ in range(1_000)]
    addresses = AddressSet()
    for obj in objects:
        addresses.add(obj)
    addresses.clear()
    assert (len(addresses), addresses.memory()) == (0, 0)
    assert objects[0] not in addresses
    assert addresses.add(objects[0]) is True
    assert repr(addresses) == "<AddressSet: 1 addresses in 128 bytes>"


def test_any_object_has_an_address() -> None:
    """Shared singletons and small ints are objects like any other."""
    addresses = AddressSet()
    assert [addresses.add(obj) for obj in (None, 1, 1, "a", None, addresses)] == [
        True,
        True,
        False,
        True,
        False,
        True,
    ]


def test_refuses_arguments_subclasses_and_copies() -> None:
    """It takes no arguments, cannot be subclassed, and is not copied into an empty set."""
    with pytest.raises(TypeError, match="takes no arguments"):
        AddressSet([1])  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        type("Sub", (AddressSet,), {})
    with pytest.raises(TypeError, match="cannot pickle"):
        copy.copy(AddressSet())


def test_built_for_this_interpreter() -> None:
    """The module says which Python it was built for, and it is this one."""
    assert sys.version_info[:2] == _core.ABI
