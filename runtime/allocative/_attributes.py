"""The attributes an instance actually holds, by name, read without creating its ``__dict__``.

Three places hold them: ``__slots__`` members, the interpreter-managed values
of 3.11+ instances (names in the class's shared keys, values in the instance),
and a ``__dict__`` object when one exists (materialised, or the dict pointer of
an exception or an ``OrderedDict`` subclass). Reading ``obj.__dict__`` would
create a dict per instance (see ``_layout``), so the managed values are read
by slot index and the dict pointer is read, never requested.

The names are worked out once per class (:class:`Attributes`) and, for the
names a method leaves unvisited, once per class and method (:class:`Leftovers`):
an instance whose class has nothing left over costs one check.
"""

from __future__ import annotations

import gc
import types
from collections.abc import Callable, Iterable
from typing import Any, Final, cast

from allocative import _layout, _typeinfo

Held = list[tuple[str, object]]
"""Attributes as ``(name, value)`` pairs, in storage order."""

_NOT_ATTRIBUTES: Final = frozenset({"__dict__", "__weakref__"})


def slot_names(value: object) -> tuple[str, ...]:
    """The names a ``__slots__`` value declares, in any of its forms (str, iterable, dict)."""
    if isinstance(value, str):
        return (value,)
    try:
        return tuple(name for name in value if isinstance(name, str))  # type: ignore[attr-defined]
    except TypeError:
        return ()


def mangle(name: str, class_name: str) -> str:
    """The attribute a private name ``__x`` written in class ``class_name`` becomes."""
    stripped = class_name.lstrip("_")
    if name.startswith("__") and not name.endswith("__") and stripped:
        return f"_{stripped}{name}"
    return name


def _slot_members(tp: type) -> tuple[tuple[str, types.MemberDescriptorType], ...]:
    """Each slot of ``tp``'s MRO as (name as declared, its member descriptor), bases first.

    Only a descriptor that a class of the MRO made for its own slot counts: one put in a
    namespace afterwards (another class's, pointing past the instance) is not a slot.
    """
    members: dict[str, types.MemberDescriptorType] = {}
    classes = _typeinfo.mro(tp)
    for klass in reversed(classes):
        namespace = _typeinfo.namespace(klass)
        for name in slot_names(namespace.get("__slots__", ())):
            member = namespace.get(mangle(name, _typeinfo.name(klass)))
            if (
                name not in _NOT_ATTRIBUTES
                and type(member) is types.MemberDescriptorType
                and member.__objclass__ in classes
            ):
                members.setdefault(name, member)
    return tuple(members.items())


def aliases(names: Iterable[str], tp: type) -> frozenset[str]:
    """``names`` and, for private ones, the attribute each becomes in any class of ``tp``'s MRO."""
    found = set(names)
    for name in list(found):
        found.update(mangle(name, _typeinfo.name(klass)) for klass in _typeinfo.mro(tp))
    return frozenset(found)


class Attributes:
    """Where one class's instances keep their attributes, resolved once per measurement."""

    __slots__ = ("_dict_offset", "_key_names", "_slots", "_storage", "_var_items", "cls")

    def __init__(self, tp: type) -> None:
        self.cls = tp
        self._slots = _slot_members(tp)
        managed = _layout.SUPPORTED and _layout.has_managed_dict(tp)
        self._storage = _layout.InstanceStorage(tp) if managed else None
        self._key_names = _layout.shared_key_names(tp) if managed else ()
        offset = 0 if managed or not _layout.SUPPORTED else _typeinfo.dictoffset(tp)
        self._dict_offset = offset
        self._var_items = _var_items(tp) if offset < 0 else None

    @property
    def slots(self) -> tuple[tuple[str, types.MemberDescriptorType], ...]:
        """Each slot as (name as declared, its member descriptor)."""
        return self._slots

    @property
    def key_names(self) -> tuple[str, ...]:
        """The names in the class's shared keys when it was resolved, by slot index."""
        return self._key_names

    @property
    def dict_offset(self) -> int:
        """Where an instance keeps a ``__dict__`` pointer of its own (> 0), or <= 0."""
        return self._dict_offset

    @property
    def has_dict_pointer(self) -> bool:
        """Whether instances keep a ``__dict__`` pointer at a fixed offset (exceptions...)."""
        return self._dict_offset != 0

    @property
    def storage(self) -> _layout.InstanceStorage | None:
        """The reader of the interpreter-managed values, when the class has them."""
        return self._storage

    def own_dict(self, obj: object) -> dict[str, object] | None:
        """The instance's ``__dict__`` object when one exists; never creates one."""
        if self._storage is not None:
            return self._storage.own_dict(obj)
        offset = self._dict_offset
        if not offset:
            return None
        if offset < 0:
            assert self._var_items is not None
            offset = _layout.var_dict_offset(obj, self.cls, self._var_items(obj))
        return _layout.dict_at_offset(obj, offset)

    def leftovers(self, visited: frozenset[str]) -> Leftovers:
        """The reader of the attributes whose names are not in ``visited``."""
        return Leftovers(self, visited)


class Leftovers:
    """Reads the attributes an instance holds beyond a set of names (a method's visits).

    ``empty`` says that no instance without a ``__dict__`` object can hold one:
    then only instances that have such a dict need a look.
    """

    __slots__ = ("_attributes", "_count", "_indexed", "_slots", "_visited", "empty")

    def __init__(self, attributes: Attributes, visited: frozenset[str]) -> None:
        self._attributes = attributes
        self._visited = visited
        self._slots = tuple(pair for pair in attributes._slots if pair[0] not in visited)
        self._indexed = tuple(
            (index, name) for index, name in enumerate(attributes._key_names) if name not in visited
        )
        self._count = self._indexed[-1][0] + 1 if self._indexed else 0
        self.empty = not self._slots and not self._indexed

    def held(
        self,
        obj: object,
        own_dict: dict[str, object] | None,
        referents: list[object] | None = None,
    ) -> Held:
        """The attributes ``obj`` holds that are not among the visited names.

        ``own_dict`` is the instance's ``__dict__`` object, if it has one; ``referents``
        what ``gc.get_referents(obj)`` gave, if the caller has it. Managed values are
        taken from the referents, copied in one step with their references: their
        addresses in the instance's storage only say which name each one has, so a
        value another thread replaced meanwhile is never followed.
        """
        found: Held = []
        for name, member in self._slots:
            try:
                found.append((name, member.__get__(obj)))
            except AttributeError:
                continue
        if own_dict is not None:
            visited = self._visited
            found.extend(pair for pair in _entries(own_dict) if pair[0] not in visited)
        elif self._indexed:
            storage = self._attributes._storage
            assert storage is not None
            if referents is None:
                referents = gc.get_referents(obj)
            by_address = {id(referent): referent for referent in referents}
            words = storage.value_words(obj, self._count)
            for index, name in self._indexed:
                value = by_address.get(words[index]) if index < len(words) else None
                if value is not None:
                    found.append((name, value))
        return found


def _entries(d: dict[str, object]) -> Held:
    """A dict's string-keyed entries, copied in one step (another thread may change it)."""
    while True:
        try:
            items = list(d.items())
        except RuntimeError:
            continue
        return [(k, v) for k, v in items if type(k) is str]


def _var_items(tp: type) -> Callable[[Any], int]:
    """How many items an instance of a variable-size built-in subclass holds (its ``ob_size``)."""
    base = next(
        b for b in _typeinfo.mro(tp) if _typeinfo.itemsize(b) and _typeinfo.module(b) == "builtins"
    )
    if base is int:
        digits = int.__basicsize__

        def count(obj: int) -> int:
            return (int.__sizeof__(obj) - digits) // int.__itemsize__

        return count
    return cast(Callable[[Any], int], getattr(base, "__len__"))  # noqa: B009
