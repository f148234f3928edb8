"""The visitor behind :func:`allocative.size_of`: sums bytes, ignores frames.

Typed visits (``visit_str``, ``visit_list(..., float)`` ...) skip the per-type
dispatch when the value has the declared type; otherwise they take the
dynamic path, so a lying annotation costs speed, never exactness.
"""

from __future__ import annotations

from sys import getrefcount
from typing import Any, Final, cast

from allocative._kinds import (
    BUILTIN_KINDS,
    GC_HEADER,
    Expand,
    Kind,
    expand_items,
    int_size,
)
from allocative._layout import (
    BYTES,
    DICT_VALUES_WORD,
    STR_INTERNED,
    STR_STATE_OFFSET,
    WORDS,
)
from allocative._names import frame_name_of
from allocative._refcounts import BULK_EXCLUSIVE_REFS, ENTRY_EXCLUSIVE_REFS, EXCLUSIVE_REFS
from allocative._references import CountingSeen
from allocative._visitor import (
    INLINE_DEPTH,
    LATIN1,
    Visitor,
    as_visitor_methods,
    check_declared,
    check_total,
)

_BYTES: Final = BUILTIN_KINDS[bytes]
_LIST: Final = BUILTIN_KINDS[list]
_TUPLE: Final = BUILTIN_KINDS[tuple]
_DICT: Final = BUILTIN_KINDS[dict]
_FLOAT_BYTES: Final = BUILTIN_KINDS[float].size(0.5)
_BULK_MIN: Final = 8
_ONLY_FLOATS: Final = frozenset([float])


class SizeVisitor(Visitor):
    """Sums the bytes of a tree, each object once; frames are ignored."""

    __slots__ = ("total",)

    def __init__(self, *, allocator_overhead: bool = False, references: bool = False) -> None:
        super().__init__(allocator_overhead=allocator_overhead)
        self.total = 0
        if references:
            self._seen = CountingSeen()

    def measure(self, value: object) -> int:
        """Add ``value``'s tree to the total and return the new total."""
        self._refuse_busy("measure")
        self._busy += 1
        try:
            self.visit_item(value)
            self._drain()
        finally:
            self._busy -= 1
        check_total(self.total)
        return self.total

    def _kind(self, tp: type) -> Kind:
        """The kind for ``tp``; containers of elements expand with :meth:`_elements`."""
        kind = super()._kind(tp)
        if kind.expand is expand_items:
            kind = self._kinds[tp] = kind.with_expand(_ELEMENTS)
        return kind

    # -- dynamic visits -----------------------------------------------------------

    def visit_field(self, name: str, value: object) -> None:
        """Visit ``value`` (the frame name is not needed for a total)."""
        if type(name) is not str:
            name = frame_name_of(name)
        if getrefcount(value) < EXCLUSIVE_REFS:  # a temporary: see TEMPORARY
            self._temporary(name)
            return
        self.visit_item(value)

    def _visit_named(self, name: str, value: object) -> None:
        """The engine's own named visits: ``value`` by its run-time type."""
        self.visit_item(value)

    def visit_item(self, value: object) -> None:
        """Visit any object by its run-time type."""
        kind = self._kinds.get(type(value)) or self._kind(type(value))
        zero = kind.zero
        if zero is not None and zero(value):
            return
        key = id(value)
        if key in self._seen:
            return
        self._seen[key] = value
        size = kind.size(value)
        if kind.attrs is not None:
            size += kind.attrs(value)
        if self._overhead:
            size += self._overhead_of(kind, value, size)
        if kind.reflective:
            self._note_reflective(kind, size)
        self.total += size
        if kind.expand is not None:
            if self._inline < INLINE_DEPTH:
                self._inline += 1
                self._expand_now(kind, value)
                self._inline -= 1
            else:
                self._stack.append((kind, value))

    def visit_opaque(self, name: str, value: object) -> None:
        """Count ``value``'s own bytes only."""
        name = frame_name_of(name)
        if getrefcount(value) < EXCLUSIVE_REFS:  # a temporary: see TEMPORARY
            self._temporary(name)
            return
        kind = self._kinds.get(type(value)) or self._kind(type(value))
        if (kind.zero is not None and kind.zero(value)) or id(value) in self._seen:
            return
        self._seen[id(value)] = value
        size = kind.size(value) + (kind.attrs(value) if kind.attrs is not None else 0)
        self.total += size + (self._overhead_of(kind, value, size) if self._overhead else 0)

    def visit_simple(self, name: str, size: int) -> None:
        """Add ``size`` bytes."""
        frame_name_of(name)
        self.total += self._report(size)

    def enter(self, name: str, size: int = 0) -> None:
        """Add ``size`` bytes and open a (nameless) level."""
        frame_name_of(name)
        self.total += self._report(size)
        self._open.append(None)

    def exit(self) -> None:
        """Close the level :meth:`enter` opened."""
        if self._open:
            self._open.pop()
        else:
            self._note("exit() without enter(); ignored")

    # -- typed visits ----------------------------------------------------------------
    # They inline the claim (see _claim) where they run once per field of every object.

    def visit_str(self, name: str, value: object) -> None:
        """Visit a field declared ``str``."""
        if type(value) is str and type(name) is str and not self._slow:
            if len(value) < 2:
                if not value or ord(value) < LATIN1:
                    return
            elif BYTES[id(value) + STR_STATE_OFFSET] & STR_INTERNED:
                return
            refs = getrefcount(value)
            if refs > EXCLUSIVE_REFS:
                key = id(value)
                if key in self._seen:
                    return
                self._seen[key] = value
            elif refs < EXCLUSIVE_REFS:  # a temporary: see TEMPORARY
                self._temporary(name)
                return
            else:
                self._jappend(value)
            self.total += str.__sizeof__(value)
            return
        self._declared(name, value)

    def visit_int(self, name: str, value: object) -> None:
        """Visit a field declared ``int``."""
        if type(value) is int and type(name) is str and not self._slow:
            if -5 <= value <= 256:
                return
            refs = getrefcount(value)
            if refs > EXCLUSIVE_REFS:
                key = id(value)
                if key in self._seen:
                    return
                self._seen[key] = value
            elif refs < EXCLUSIVE_REFS:  # a temporary: see TEMPORARY
                self._temporary(name)
                return
            else:
                self._jappend(value)
            self.total += int_size(value)
            return
        self._declared(name, value)

    def visit_float(self, name: str, value: object) -> None:
        """Visit a field declared ``float``."""
        if type(value) is float and type(name) is str and not self._slow:
            refs = getrefcount(value)
            if refs > EXCLUSIVE_REFS:
                key = id(value)
                if key in self._seen:
                    return
                self._seen[key] = value
            elif refs < EXCLUSIVE_REFS:  # a temporary: see TEMPORARY
                self._temporary(name)
                return
            else:
                self._jappend(value)
            self.total += _FLOAT_BYTES
            return
        self._declared(name, value)

    def visit_bytes(self, name: str, value: object) -> None:
        """Visit a field declared ``bytes``."""
        if type(value) is bytes and type(name) is str and not self._slow:
            if len(value) < 2:
                return
            refs = getrefcount(value)
            if refs > EXCLUSIVE_REFS:
                key = id(value)
                if key in self._seen:
                    return
                self._seen[key] = value
            elif refs < EXCLUSIVE_REFS:  # a temporary: see TEMPORARY
                self._temporary(name)
                return
            else:
                self._jappend(value)
            self.total += _BYTES.size(value)
            return
        self._declared(name, value)

    def visit_list(self, name: str, value: object, item: type | None = None) -> None:
        """Visit a field declared ``list[item]``."""
        check_declared(item)
        if type(value) is list and type(name) is str and value and not self._slow:
            refs = getrefcount(value)
            if refs > EXCLUSIVE_REFS:
                key = id(value)
                if key in self._seen:
                    return
                self._seen[key] = value
            elif refs < EXCLUSIVE_REFS:  # a temporary: see TEMPORARY
                self._temporary(name)
                return
            else:
                self._jappend(value)
            self._fill_sequence(list.__sizeof__(value) + GC_HEADER, value, item)
            return
        self._declared(name, value)

    def visit_tuple(self, name: str, value: object, item: type | None = None) -> None:
        """Visit a field declared ``tuple[item, ...]``."""
        check_declared(item)
        if type(value) is tuple and type(name) is str and value and not self._slow:
            if self._claim(name, value):
                self._fill_sequence(_TUPLE.size(value), value, item)
            return
        self._declared(name, value)

    def visit_set(self, name: str, value: object, item: type | None = None) -> None:
        """Visit a field declared ``set[item]`` or ``frozenset[item]``."""
        check_declared(item)
        tp = type(value)
        if (tp is set or tp is frozenset) and type(name) is str and value and not self._slow:
            if self._claim(name, value):
                try:
                    self._fill_sequence(BUILTIN_KINDS[tp].size(value), value, item)
                except RuntimeError as error:
                    self._refill(name, value, error)
            return
        self._declared(name, value)

    def visit_dict(
        self, name: str, value: object, key: type | None = None, item: type | None = None
    ) -> None:
        """Visit a field declared ``dict[key, item]``."""
        check_declared(key)
        check_declared(item)
        if type(value) is dict and type(name) is str and value and not self._slow:
            refs = getrefcount(value)
            if refs > EXCLUSIVE_REFS:
                ident = id(value)
                if ident in self._seen:
                    return
                self._seen[ident] = value
            elif refs < EXCLUSIVE_REFS:  # a temporary: see TEMPORARY
                self._temporary(name)
                return
            else:
                self._jappend(value)
            if WORDS[(id(value) >> 3) + DICT_VALUES_WORD]:
                self.total += _DICT.size(value)  # a split instance __dict__: its values array
            else:
                self.total += dict.__sizeof__(value) + GC_HEADER
            try:
                self._entries(value)
            except RuntimeError as error:
                self._refill(name, value, error)
            return
        self._declared(name, value)

    # -- helpers -----------------------------------------------------------------------

    def _claim(self, name: str, value: object) -> bool:
        """Mark a typed visit's ``value`` as counted; False when it already was, or when it
        is a temporary (:data:`TEMPORARY`), which is not counted.

        Called straight from a typed visit, so one more reference (this
        parameter) is expected than in the visit itself.
        """
        refs = getrefcount(value)
        if refs > EXCLUSIVE_REFS + 1:
            key = id(value)
            if key in self._seen:
                return False
            self._seen[key] = value
        elif refs <= EXCLUSIVE_REFS:
            self._temporary(name)
            return False
        else:
            self._jappend(value)
        return True

    def _entries(self, value: dict[Any, Any]) -> None:
        """Visit a dict's keys and values: strings, ints and floats inline, others by type.

        What it counted stays counted when the dict changes under it (another
        thread): the journal lists what it claimed without the seen set.
        """
        seen = self._seen
        journal = self._jappend
        added = 0
        try:
            for key, item in value.items():
                if type(key) is str and len(key) > 1:
                    if not BYTES[id(key) + STR_STATE_OFFSET] & STR_INTERNED:
                        if getrefcount(key) <= ENTRY_EXCLUSIVE_REFS:
                            journal(key)
                            added += str.__sizeof__(key)
                        elif id(key) not in seen:
                            seen[id(key)] = key
                            added += str.__sizeof__(key)
                else:
                    _visit_any(self, "", key)
                tp = type(item)
                if tp is float:
                    if getrefcount(item) <= ENTRY_EXCLUSIVE_REFS:
                        journal(item)
                        added += _FLOAT_BYTES
                    elif id(item) not in seen:
                        seen[id(item)] = item
                        added += _FLOAT_BYTES
                elif tp is int:
                    if -5 <= item <= 256:
                        continue
                    if getrefcount(item) <= ENTRY_EXCLUSIVE_REFS:
                        journal(item)
                        added += int_size(item)
                    elif id(item) not in seen:
                        seen[id(item)] = item
                        added += int_size(item)
                else:
                    _visit_any(self, "", item)
        finally:
            self.total += added

    def _fill_sequence(self, size: int, value: Any, item: type | None) -> None:
        """Count a claimed list, tuple or set of ``size`` own bytes and visit its elements."""
        self.total += size
        if item is float:
            added = count_floats(self, value)  # may add other elements' bytes to total first
            self.total += added * _FLOAT_BYTES
            return
        visit = _SCALAR_VISITS.get(item, _visit_any)
        for element in value:
            visit(self, "", element)

    def _expand(self, entry: Any) -> None:
        self._expand_now(entry[0], entry[1])

    def _elements(self, items: Any) -> None:
        """Visit a container's elements, one by one (see :meth:`_each`)."""
        if self._slow or self._inline >= INLINE_DEPTH:
            visit = self.visit_item
            for element in items:
                visit(element)
            return
        self._each(items, EXCLUSIVE_REFS)

    def _each(self, items: Any, exclusive: int) -> None:
        """Visit a container's elements by their run-time types, one by one.

        Elements of one type in a row share one kind lookup (and one size when
        the type's objects all have the same). Elements of a kind that may count
        every object (no ``zero`` test, not reflective) are claimed, sized and
        expanded here, as :meth:`visit_item` would, with one call less each.
        ``exclusive`` is the count of an element that only ``items`` holds.
        """
        kinds = self._kinds
        seen = self._seen
        journal = self._journal
        outer = self._inline
        last: type | None = None
        kind = _LIST
        direct = False
        run_size = -1  # the own size of every element of this run, when its type has one
        for element in items:
            if type(element) is not last:
                last = type(element)
                kind = kinds.get(last) or self._kind(last)
                direct = kind.zero is None and not kind.reflective
                run_size = kind.size(element) if kind.fixed_size else -1
            if not direct:
                self.visit_item(element)
                continue
            # The count is the container's reference, ``element``'s and getrefcount's:
            # as in a typed visit.
            if getrefcount(element) > exclusive:
                key = id(element)
                if key in seen:
                    continue
                seen[key] = element
            else:
                journal.append(element)
            size = run_size if run_size >= 0 else kind.size(element)
            if kind.attrs is not None:
                size += kind.attrs(element)
            self.total += size
            if kind.expand is not None:
                self._inline = outer + 1
                self._expand_now(kind, element)
                self._inline = outer


_ELEMENTS: Final = cast(Expand, SizeVisitor._elements)
as_visitor_methods(SizeVisitor)


def _visit_any(visitor: SizeVisitor, name: str, value: object) -> None:
    """Visit a value of no declared scalar type, taking a scalar fast path when it is one."""
    scalar = _SCALAR_VISITS.get(type(value))
    if scalar is not None:
        scalar(visitor, name, value)
    else:
        visitor.visit_item(value)


_SCALAR_VISITS: Final[dict[type | None, Any]] = {
    str: SizeVisitor.visit_str,
    int: SizeVisitor.visit_int,
    float: SizeVisitor.visit_float,
    bytes: SizeVisitor.visit_bytes,
}


def count_floats(visitor: Visitor, items: Any) -> int:
    """How many of a container's floats are new; other elements are visited by type.

    A large container of floats that nothing else refers to is counted in bulk
    at C speed; otherwise each float is checked like a typed field. A set is
    walked as a copy (made in one step), so another thread cannot change it
    under the loop; a list or tuple cannot make the loop raise.
    """
    if (
        len(items) >= _BULK_MIN
        and max(map(getrefcount, items)) <= BULK_EXCLUSIVE_REFS
        and frozenset(map(type, items)) == _ONLY_FLOATS
    ):
        return len(items)
    exclusive = EXCLUSIVE_REFS
    if type(items) is not list and type(items) is not tuple:
        items = tuple(items)
        exclusive += 1  # the copy's reference
    seen = visitor._seen
    added = 0
    for element in items:
        if type(element) is float:
            if getrefcount(element) > exclusive:
                key = id(element)
                if key in seen:
                    continue
                seen[key] = element
            added += 1
        else:
            visitor.visit_item(element)
    return added
