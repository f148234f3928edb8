"""The raw reads of attribute storage find exactly the objects ``getattr`` returns.

Where an instance keeps an attribute's value differs on 3.11 (a values array),
3.12 (a tagged pointer to one) and 3.13 (inline values); a wrong offset would
read arbitrary memory. These tests pin the reads by identity on each version,
for young and settled classes, with and without a materialised ``__dict__``.
"""

from __future__ import annotations

import pytest

from allocative import _layout
from allocative._attributes import Attributes

pytestmark = [
    pytest.mark.accuracy,
    pytest.mark.native,
    pytest.mark.skipif(not _layout.SUPPORTED, reason="raw reads are off on this interpreter"),
]


class Plain:
    """Attributes set in ``__init__`` and later."""

    def __init__(self, i: int) -> None:
        self.a = f"a{i}"
        self.b = [i]
        self.c = {i: i}


class Slotted:
    """Slots and a ``__dict__``."""

    __slots__ = ("__dict__", "x", "y")

    def __init__(self, i: int) -> None:
        self.x = f"x{i}"
        self.extra = f"extra{i}"


class Failure(Exception):
    """An exception: its attributes live in a dict at a fixed offset."""


def held(obj: object) -> dict[str, object]:
    attributes = Attributes(type(obj))
    return dict(attributes.leftovers(frozenset()).held(obj, attributes.own_dict(obj)))


@pytest.mark.parametrize("count", [1, 100], ids=["young", "settled"])
def test_values_are_read_by_identity(count: int) -> None:
    """Every attribute is found, each the very object ``getattr`` gives, no ``__dict__`` made."""
    objs = [Plain(i) for i in range(count)]
    objs[-1].late = f"late{count}"
    for obj in objs:
        found = held(obj)
        expected = {
            name: getattr(obj, name) for name in ("a", "b", "c", "late") if hasattr(obj, name)
        }
        assert found.keys() == expected.keys()
        assert all(found[name] is expected[name] for name in expected)
    storage = _layout.InstanceStorage(Plain)
    assert all(storage.own_dict(obj) is None for obj in objs)


def test_values_of_a_materialised_dict_are_read_from_it() -> None:
    """Once ``__dict__`` exists it is the one place the attributes are read from."""
    obj = Plain(7)
    vars(obj)["extra"] = "extra"
    found = held(obj)
    assert set(found) == {"a", "b", "c", "extra"}
    assert found["b"] is obj.b


def test_slots_and_dict_attributes_are_read() -> None:
    """Set slots and managed attributes are both found; an unset slot is not."""
    obj = Slotted(3)
    found = held(obj)
    assert set(found) == {"x", "extra"}
    assert found["x"] is obj.x


def test_exception_attributes_are_read_from_its_dict_pointer() -> None:
    """An exception's dict is found at its type's dict offset, and only when it exists."""
    bare = Failure("message")
    assert held(bare) == {}
    assert Attributes(Failure).own_dict(bare) is None
    tagged = Failure("message")
    tagged.code = [404]
    assert held(tagged) == {"code": [404]}
    assert held(tagged)["code"] is tagged.code


class Pair(tuple[str, str]):
    """A tuple subclass with a ``__dict__`` (after the items on 3.11)."""


def test_variable_size_instance_dict_is_found_after_its_items() -> None:
    """A tuple subclass's attributes are read whatever its length."""
    for items in ((), ("a",), ("a", "b", "c", "d", "e")):
        obj = Pair(items)
        obj.note = f"note{len(items)}"
        assert held(obj) == {"note": obj.note}


def test_the_shared_keys_offset_is_the_headers() -> None:
    """``ht_cached_keys`` is read where this build's headers put it."""
    core = pytest.importorskip("allocative._core")
    assert core.LAYOUT["ht_cached_keys"] == _layout.CACHED_KEYS_OFFSET


class Computing(type):
    """A metaclass whose classes report a qualified name made on each lookup."""

    def __getattribute__(cls, name: str) -> object:
        if name == "__qualname__":
            return "Computed." + str(len(name))
        return super().__getattribute__(name)


class Honest:
    def __init__(self) -> None:
        self.first = 1.5
        self.second = [2.5]


class Computed(metaclass=Computing):
    def __init__(self) -> None:
        self.first = 1.5
        self.second = [2.5]


def test_shared_keys_are_found_whatever_the_class_says() -> None:
    """The names of a class's attributes are read from the type object's own field."""
    honest, computed = Honest(), Computed()
    assert _layout.shared_key_names(Computed) == _layout.shared_key_names(Honest)
    assert _layout.shared_key_names(Computed) == ("first", "second")
    assert held(computed).keys() == held(honest).keys()
