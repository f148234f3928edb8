"""The visitor behind :class:`allocative.FlameGraphBuilder`: files bytes under frames.

Each object's own bytes go to the frame ``...;field;Type``; gaps go to child
frames (``unused_capacity``, ``__dict__``, ``allocator_overhead``). Stacks
deeper than ``max_depth`` fold into the frame at that depth.
"""

from __future__ import annotations

from sys import getrefcount, getsizeof
from typing import Any, Final, cast

from allocative._flamegraph import FlameGraph
from allocative._kinds import BUILTIN_KINDS, GC_HEADER, Expand, Kind, expand_items
from allocative._layout import BYTES, STR_INTERNED, STR_STATE_OFFSET, WORD
from allocative._names import frame_name_of
from allocative._refcounts import ENTRY_EXCLUSIVE_REFS, EXCLUSIVE_REFS
from allocative._size_visitor import count_floats
from allocative._sizes import dict_size_and_unused
from allocative._visitor import (
    ALLOCATOR_OVERHEAD,
    DICT_STORAGE,
    INLINE_DEPTH,
    LATIN1,
    UNUSED_CAPACITY,
    Visitor,
    as_visitor_methods,
    check_declared,
    check_total,
)

DEFAULT_MAX_DEPTH: Final = 1000
_INT: Final = BUILTIN_KINDS[int]
_BYTES_KIND: Final = BUILTIN_KINDS[bytes]
_LIST: Final = BUILTIN_KINDS[list]
_TUPLE: Final = BUILTIN_KINDS[tuple]
_DICT: Final = BUILTIN_KINDS[dict]
_FLOAT_BYTES: Final = BUILTIN_KINDS[float].size(0.5)
_EMPTY_LIST: Final = getsizeof([])


class FrameVisitor(Visitor):
    """Files each object's bytes under its stack of frames in a :class:`FlameGraph`."""

    __slots__ = ("_depth", "_max_depth", "_node", "_roots", "graph", "truncated")

    def __init__(
        self, *, allocator_overhead: bool = False, max_depth: int = DEFAULT_MAX_DEPTH
    ) -> None:
        super().__init__(allocator_overhead=allocator_overhead)
        self.graph = FlameGraph()
        self._node = self.graph
        self._depth = 0
        self._max_depth = max_depth
        self._roots: list[object] = []
        self.truncated = False

    def _kind(self, tp: type) -> Kind:
        """The kind for ``tp``; containers of elements expand with :meth:`_elements`."""
        kind = super()._kind(tp)
        if kind.expand is expand_items:
            kind = self._kinds[tp] = kind.with_expand(_ELEMENTS)
        return kind

    def visit_field(self, name: str, value: object) -> None:
        """Visit ``value`` under frame ``name`` below the current object."""
        if type(name) is not str:
            name = frame_name_of(name)
        if getrefcount(value) < EXCLUSIVE_REFS:  # a temporary: see TEMPORARY
            self._temporary(name)
            return
        self._field = name
        self._visit_named(name, value)

    def _visit_named(self, name: str, value: object) -> None:
        """Visit ``value`` under frame ``name`` (the engine's own named visits)."""
        kind = self._kinds.get(type(value)) or self._kind(type(value))
        zero = kind.zero
        if zero is not None and zero(value):
            return
        key = id(value)
        if key in self._seen:
            return
        self._seen[key] = value
        if self._depth < self._max_depth:
            node = self._node.children.get(name) or self._node.child(name)
            self._account(node, self._depth + 1, kind, value)
        else:
            self._account(self._node, self._depth, kind, value)

    def visit_item(self, value: object) -> None:
        """Visit a container element: its frame is its type, right below the container."""
        kind = self._kinds.get(type(value)) or self._kind(type(value))
        zero = kind.zero
        if zero is not None and zero(value):
            return
        key = id(value)
        if key in self._seen:
            return
        self._seen[key] = value
        self._account(self._node, self._depth, kind, value)

    def _account(self, parent: FlameGraph, depth: int, kind: Kind, value: object) -> None:
        """File ``value``'s bytes under ``parent`` and push it if it has children."""
        if depth < self._max_depth:
            node = parent.children.get(kind.name) or parent.child(kind.name)
            depth += 1
        else:
            node = parent
            self.truncated = True
        size = kind.size(value)
        if kind.unused is not None:
            unused = kind.unused(value)
            if unused:
                spare = node.children.get(UNUSED_CAPACITY) or node.child(UNUSED_CAPACITY)
                spare.self_size += unused
                size -= unused
        node.self_size += size
        total = size
        if kind.attrs is not None:
            attrs = kind.attrs(value)
            if attrs:
                storage = node.children.get(DICT_STORAGE) or node.child(DICT_STORAGE)
                storage.self_size += attrs
                total += attrs
        if self._overhead:
            rounding = self._overhead_of(kind, value, total)
            if rounding:
                node.child(ALLOCATOR_OVERHEAD).self_size += rounding
        if kind.reflective:
            self._note_reflective(kind, total)
        if kind.expand is not None:
            if self._inline < INLINE_DEPTH:
                self._inline += 1
                saved_node, saved_depth = self._node, self._depth
                self._node, self._depth = node, depth
                self._expand_now(kind, value)
                self._node, self._depth = saved_node, saved_depth
                self._inline -= 1
            else:
                self._stack.append((node, depth, kind, value, self._owner, self._field))

    def _elements(self, items: Any) -> None:
        """Visit a container's elements by their run-time types, as :meth:`visit_item` would.

        Elements of one type in a row share one kind lookup, one frame (created
        when the first of them is counted) and one size when the type's objects
        all have the same. Elements of a kind that may count every object, with
        no spare capacity (no ``zero`` test or ``unused``, not reflective), are
        claimed, filed and expanded here, with one call less each.
        """
        parent = self._node
        depth = self._depth + 1
        if self._slow or self._inline >= INLINE_DEPTH or depth > self._max_depth:
            visit = self.visit_item
            for element in items:
                visit(element)
            return
        kinds = self._kinds
        seen = self._seen
        journal = self._journal
        outer = self._inline
        last: type | None = None
        kind = _LIST
        direct = False
        node: FlameGraph | None = None
        run_size = -1  # the own size of every element of this run, when its type has one
        for element in items:
            if type(element) is not last:
                last = type(element)
                kind = kinds.get(last) or self._kind(last)
                direct = kind.zero is None and kind.unused is None and not kind.reflective
                run_size = kind.size(element) if kind.fixed_size else -1
                node = None
            if not direct:
                self.visit_item(element)
                continue
            # The count is the container's reference, ``element``'s and getrefcount's:
            # as in a typed visit.
            if getrefcount(element) > EXCLUSIVE_REFS:
                key = id(element)
                if key in seen:
                    continue
                seen[key] = element
            else:
                journal.append(element)
            if node is None:
                node = parent.children.get(kind.name) or parent.child(kind.name)
            node.self_size += run_size if run_size >= 0 else kind.size(element)
            if kind.attrs is not None:
                attrs = kind.attrs(element)
                if attrs:
                    (node.children.get(DICT_STORAGE) or node.child(DICT_STORAGE)).self_size += attrs
            if kind.expand is not None:
                self._inline = outer + 1
                self._node, self._depth = node, depth
                self._expand_now(kind, element)
                self._node, self._depth = parent, depth - 1
                self._inline = outer

    # -- typed visits ----------------------------------------------------------------

    def _fast(self) -> bool:
        """Whether typed visits may add two frames directly (no overhead, depth to spare)."""
        return not self._slow and self._depth + 2 <= self._max_depth

    def _leaf(self, name: str, frame: str) -> FlameGraph:
        node = self._node
        field = node.children.get(name) or node.child(name)
        return field.children.get(frame) or field.child(frame)

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

    # The scalar visits below, visit_list and visit_dict inline _fast, _claim and
    # _leaf: they run once per field of every object, and the calls would double
    # their cost.

    def visit_str(self, name: str, value: object) -> None:
        """Visit a field declared ``str``."""
        if (
            type(value) is str
            and type(name) is str
            and not self._slow
            and self._depth < self._max_depth - 1
        ):
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
            node = self._node
            field = node.children.get(name) or node.child(name)
            leaf = field.children.get("str") or field.child("str")
            leaf.self_size += str.__sizeof__(value)
            return
        self._declared(name, value)

    def visit_int(self, name: str, value: object) -> None:
        """Visit a field declared ``int``."""
        if (
            type(value) is int
            and type(name) is str
            and not self._slow
            and self._depth < self._max_depth - 1
        ):
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
            node = self._node
            field = node.children.get(name) or node.child(name)
            leaf = field.children.get("int") or field.child("int")
            leaf.self_size += _INT.size(value)
            return
        self._declared(name, value)

    def visit_float(self, name: str, value: object) -> None:
        """Visit a field declared ``float``."""
        if (
            type(value) is float
            and type(name) is str
            and not self._slow
            and self._depth < self._max_depth - 1
        ):
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
            node = self._node
            field = node.children.get(name) or node.child(name)
            leaf = field.children.get("float") or field.child("float")
            leaf.self_size += _FLOAT_BYTES
            return
        self._declared(name, value)

    def visit_bytes(self, name: str, value: object) -> None:
        """Visit a field declared ``bytes``."""
        if type(value) is bytes and type(name) is str and self._fast():
            if len(value) > 1 and self._claim(name, value):
                self._leaf(name, "bytes").self_size += _BYTES_KIND.size(value)
            return
        self._declared(name, value)

    def visit_list(self, name: str, value: object, item: type | None = None) -> None:
        """Visit a field declared ``list[item]``."""
        check_declared(item)
        if (
            type(value) is list
            and type(name) is str
            and value
            and not self._slow
            and self._depth + 2 <= self._max_depth
        ):
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
            self._fill_container(name, _LIST, value, item, None)
            return
        self._declared(name, value)

    def visit_tuple(self, name: str, value: object, item: type | None = None) -> None:
        """Visit a field declared ``tuple[item, ...]``."""
        check_declared(item)
        if type(value) is tuple and type(name) is str and value and self._fast():
            if self._claim(name, value):
                self._fill_container(name, _TUPLE, value, item, None)
            return
        self._declared(name, value)

    def visit_set(self, name: str, value: object, item: type | None = None) -> None:
        """Visit a field declared ``set[item]`` or ``frozenset[item]``."""
        check_declared(item)
        tp = type(value)
        if (tp is set or tp is frozenset) and type(name) is str and value and self._fast():
            if self._claim(name, value):
                self._fill_container(name, BUILTIN_KINDS[tp], value, item, None)
            return
        self._declared(name, value)

    def visit_dict(
        self, name: str, value: object, key: type | None = None, item: type | None = None
    ) -> None:
        """Visit a field declared ``dict[key, item]``."""
        check_declared(key)
        check_declared(item)
        if (
            type(value) is dict
            and type(name) is str
            and value
            and not self._slow
            and self._depth + 2 <= self._max_depth
        ):
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
            self._fill_container(name, _DICT, value, item, key)
            return
        self._declared(name, value)

    def _fill_container(
        self, name: str, kind: Kind, value: Any, item: type | None, key: type | None
    ) -> None:
        """File a claimed built-in container's bytes and visit its elements now.

        When another thread changes the container meanwhile, what the loop did not
        reach is visited from a copy, under the same frames.
        """
        self._field = name
        parent = self._node
        depth = self._depth
        field = parent.children.get(name) or parent.child(name)
        node = field.children.get(kind.name) or field.child(kind.name)
        if kind is _LIST:
            size = list.__sizeof__(value) + GC_HEADER
            unused = size - _EMPTY_LIST - WORD * len(value)
        elif kind is _DICT:
            size, unused = dict_size_and_unused(value)
        else:
            size = kind.size(value)
            unused = kind.unused(value) if kind.unused is not None else 0
        node.self_size += size - unused
        if unused:
            spare = node.children.get(UNUSED_CAPACITY) or node.child(UNUSED_CAPACITY)
            spare.self_size += unused
        self._node = node
        self._depth = depth + 2
        try:
            if kind is _DICT:
                if depth + 4 <= self._max_depth:  # room for key;str as the scalar visits need
                    self._entries(value)
                else:
                    self._visit_entries(value, key, item)
            elif item is float:
                added = count_floats(self, value)
                if added:
                    leaf = node.children.get("float") or node.child("float")
                    leaf.self_size += added * _FLOAT_BYTES
            else:
                visit = self.visit_item
                for element in value:
                    visit(element)
        except RuntimeError as error:
            self._refill(name, value, error)
        self._node = parent
        self._depth = depth

    def _visit_entries(self, value: dict[Any, Any], key: type | None, item: type | None) -> None:
        """Visit a dict's keys and values under ``key`` and ``value`` frames."""
        visit_key = _SCALAR_VISITS.get(key, _visit_any_field)
        visit_value = _SCALAR_VISITS.get(item, _visit_any_field)
        for k, v in value.items():
            visit_key(self, "key", k)
            visit_value(self, "value", v)

    def _entries(self, value: dict[Any, Any]) -> None:
        """Visit a dict's keys and values; strings, ints and floats filed inline.

        Needs two levels of depth to spare, as the scalar visits do.
        """
        node = self._node
        seen = self._seen
        journal = self._jappend
        keys = floats = ints = 0
        try:
            for key, item in value.items():
                if type(key) is str and len(key) > 1:
                    if not BYTES[id(key) + STR_STATE_OFFSET] & STR_INTERNED:
                        if getrefcount(key) <= ENTRY_EXCLUSIVE_REFS:
                            journal(key)
                            keys += str.__sizeof__(key)
                        elif id(key) not in seen:
                            seen[id(key)] = key
                            keys += str.__sizeof__(key)
                else:
                    _visit_any_field(self, "key", key)
                tp = type(item)
                if tp is float:
                    if getrefcount(item) <= ENTRY_EXCLUSIVE_REFS:
                        journal(item)
                        floats += _FLOAT_BYTES
                    elif id(item) not in seen:
                        seen[id(item)] = item
                        floats += _FLOAT_BYTES
                elif tp is int:
                    if -5 <= item <= 256:
                        continue
                    if getrefcount(item) <= ENTRY_EXCLUSIVE_REFS:
                        journal(item)
                        ints += _INT.size(item)
                    elif id(item) not in seen:
                        seen[id(item)] = item
                        ints += _INT.size(item)
                else:
                    _visit_any_field(self, "value", item)
        finally:
            _file_entries(node, keys, floats, ints)

    def visit_opaque(self, name: str, value: object) -> None:
        """Count ``value``'s own bytes under ``name`` and nothing it refers to."""
        name = frame_name_of(name)
        if getrefcount(value) < EXCLUSIVE_REFS:  # a temporary: see TEMPORARY
            self._temporary(name)
            return
        kind = self._kinds.get(type(value)) or self._kind(type(value))
        if (kind.zero is not None and kind.zero(value)) or id(value) in self._seen:
            return
        self._seen[id(value)] = value
        size = kind.size(value) + (kind.attrs(value) if kind.attrs is not None else 0)
        node = self._node.child(name).child(kind.name)
        node.self_size += size
        if self._overhead:
            rounding = self._overhead_of(kind, value, size)
            if rounding:
                node.child(ALLOCATOR_OVERHEAD).self_size += rounding

    def visit_simple(self, name: str, size: int) -> None:
        """Add a leaf frame ``name`` of ``size`` bytes below the current frame."""
        name = frame_name_of(name)
        self._node.child(name).self_size += self._report(size)

    def enter(self, name: str, size: int = 0) -> None:
        """Open frame ``name`` with ``size`` bytes of its own."""
        name = frame_name_of(name)
        size = self._report(size)
        self._open.append((self._node, self._depth))
        if self._depth < self._max_depth:
            self._node = self._node.child(name)
            self._depth += 1
        self._node.self_size += size

    def exit(self) -> None:
        """Close the frame the last :meth:`enter` opened."""
        if not self._open:
            self._note("exit() without enter(); ignored")
            return
        self._node, self._depth = self._open.pop()

    def visit_root(self, value: object, name: str | None) -> None:
        """Measure ``value``'s tree; the stack starts with ``name`` or its type's frame.

        Roots are kept alive until :meth:`release` so that a later root cannot reuse
        the identity of an earlier one that was freed.
        """
        self._refuse_busy("visit_root")
        frame = None if name is None else frame_name_of(name)
        self._roots.append(value)
        self._busy += 1
        try:
            self._node, self._depth = self.graph, 0
            if frame is None:
                self.visit_item(value)
            else:
                kind = self._kinds.get(type(value)) or self._kind(type(value))
                self._visit_root_named(frame, kind, value)
            self._drain()
        finally:
            self._node, self._depth = self.graph, 0
            self._busy -= 1

    def _visit_root_named(self, frame: str, kind: Kind, value: object) -> None:
        if (kind.zero is not None and kind.zero(value)) or id(value) in self._seen:
            return
        self._seen[id(value)] = value
        renamed = Kind(
            frame,
            kind.size,
            unused=kind.unused,
            attrs=kind.attrs,
            expand=kind.expand,
            blocks=kind.blocks,
            reflective=kind.reflective,
        )
        self._account(self.graph, 0, renamed, value)

    def _expand(self, entry: Any) -> None:
        node, depth, kind, value, self._owner, self._field = entry
        self._node, self._depth = node, depth
        self._expand_now(kind, value)

    def finish(self) -> tuple[FlameGraph, list[str]]:
        """The flame graph and warnings, once every reference to measured objects is dropped."""
        self._refuse_busy("finish")
        self.release()
        check_total(self.graph.total_size)
        return self.graph, self.finish_warnings()

    def _drop_references(self) -> None:
        """Empty the roots, the stack, the seen set and the journal."""
        del self._roots[:]
        del self._stack[:]
        super()._drop_references()

    def finish_warnings(self) -> list[str]:
        """All warnings of the measurement, reflective types first."""
        return self._finish_warnings(self.truncated, self._max_depth)


_ELEMENTS: Final = cast(Expand, FrameVisitor._elements)
as_visitor_methods(FrameVisitor)


def _file_entries(node: FlameGraph, keys: int, floats: int, ints: int) -> None:
    """Add the bytes ``_entries`` counted inline below a dict's frame ``node``."""
    if keys:
        field = node.children.get("key") or node.child("key")
        (field.children.get("str") or field.child("str")).self_size += keys
    if floats or ints:
        field = node.children.get("value") or node.child("value")
        if floats:
            (field.children.get("float") or field.child("float")).self_size += floats
        if ints:
            (field.children.get("int") or field.child("int")).self_size += ints


def _visit_any_field(visitor: FrameVisitor, name: str, value: object) -> None:
    """Visit a dict key or value of no declared scalar type, by its run-time type."""
    scalar = _SCALAR_VISITS.get(type(value))
    if scalar is not None:
        scalar(visitor, name, value)
    else:
        visitor._visit_named(name, value)


_SCALAR_VISITS: Final[dict[type | None, Any]] = {
    str: FrameVisitor.visit_str,
    int: FrameVisitor.visit_int,
    float: FrameVisitor.visit_float,
    bytes: FrameVisitor.visit_bytes,
}
