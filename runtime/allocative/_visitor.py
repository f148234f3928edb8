"""The pure engine: the Visitor API, written once over the walk, for ``size_of`` and flame
graphs alike.

Each method checks its arguments as the compiled engine does (a frame name is a
``str``; a declared type a type or ``None``; a reported size a non-negative int),
then claims and files what it is given (``_walk``). A typed visit (``visit_str``,
``visit_list(..., float)``) takes a fast path when the value has the declared type
and depth allows: one rule lookup fewer, and for scalars the claim and the filing
inline, since they run once per field of every object. A value of another type
is visited by its run-time type: a lying annotation costs speed, never exactness.
"""

from __future__ import annotations

from collections.abc import Callable
from sys import getrefcount, getsizeof
from typing import Any, Final

from allocative._constants import ALLOCATOR_OVERHEAD, UNUSED_CAPACITY, VISIT_FAILED
from allocative._flamegraph import FlameGraph
from allocative._impls import BUILTIN_RULES
from allocative._impls.scalars import LATIN1, int_size
from allocative._layout import BYTES, STR_INTERNED, STR_STATE_OFFSET, WORD
from allocative._names import callable_name, frame_name_of, type_name
from allocative._protocols import PendingGraph, VisitFunction
from allocative._refcounts import BULK_EXCLUSIVE_REFS, ENTRY_EXCLUSIVE_REFS, EXCLUSIVE_REFS
from allocative._rule import TypeRule
from allocative._sinks import Sum
from allocative._sizes import GC_HEADER, dict_size_and_unused
from allocative._walk import Walk, check_total, overhead_of

_LIST: Final = BUILTIN_RULES[list]
_TUPLE: Final = BUILTIN_RULES[tuple]
_DICT: Final = BUILTIN_RULES[dict]
_BYTES: Final = BUILTIN_RULES[bytes]
_FLOAT_BYTES: Final = BUILTIN_RULES[float].size(0.5)
_EMPTY_LIST: Final = getsizeof([])
_BULK_MIN: Final = 8
_ONLY_FLOATS: Final = frozenset([float])


class PythonEngine(Walk):
    """The pure engine: what ``__allocative__`` methods call, and the measurement's entry
    points. With ``frames`` it files bytes under frames (a flame graph); without, it sums
    them (``size_of``)."""

    __slots__ = ()

    # -- the Visitor API ------------------------------------------------------------

    def visit_field(self, name: str, value: object) -> None:
        """Visit ``value`` under frame ``name`` below the current object."""
        if type(name) is not str:
            name = frame_name_of(name)
        if getrefcount(value) < EXCLUSIVE_REFS:  # a temporary: see TEMPORARY
            self._temporary(name)
            return
        self._field = name
        self._visit_named(name, value)

    def visit_opaque(self, name: str, value: object) -> None:
        """Count ``value``'s own bytes under ``name`` and nothing it refers to."""
        name = frame_name_of(name)
        if getrefcount(value) < EXCLUSIVE_REFS:  # a temporary: see TEMPORARY
            self._temporary(name)
            return
        rule = self._rules.get(type(value)) or self._rule(type(value))
        if (rule.owned_by_nobody is not None and rule.owned_by_nobody(value)) or id(
            value
        ) in self._seen:
            return
        self._seen[id(value)] = value
        size = rule.size(value) + (rule.values_bytes(value) if rule.values_bytes else 0)
        node = self._node.child(name).child(rule.name)
        node.self_size += size
        if self._overhead:
            rounding = overhead_of(rule, value, size)
            if rounding:
                node.child(ALLOCATOR_OVERHEAD).self_size += rounding

    def visit_simple(self, name: str, size: int) -> None:
        """Add a leaf frame ``name`` of ``size`` bytes below the current frame."""
        name = frame_name_of(name)
        self._node.child(name).self_size += self._report(size)

    def enter(self, name: str, size: int = 0) -> None:
        """Open frame ``name`` with ``size`` bytes of its own."""
        name = frame_name_of(name)
        self._open_frame(name, self._report(size))

    def exit(self) -> None:
        """Close the frame the last :meth:`enter` opened."""
        self._close_frame()

    def skip(self, name: str) -> None:
        """Declare that field ``name`` is deliberately not visited (the ``skip`` option).

        Generated methods call it for each ``skip`` field, so that the runtime's
        check for attributes a method did not visit leaves the field alone.
        """
        frame_name_of(name)

    def visit_field_with(self, name: str, value: object, visit: VisitFunction) -> None:
        """Visit ``value`` under frame ``name`` with ``visit(value, visitor)``, not by type."""
        name = frame_name_of(name)
        if getrefcount(value) < EXCLUSIVE_REFS:  # this parameter's reference and getrefcount's
            self._temporary(name)
            return
        self.enter(name)
        depth = len(self._open)
        try:
            visit(value, self)
        except Exception as error:
            self._promote()
            self._close_to(depth, None)
            self._warn_failed(visit, error)
            self.visit_field(VISIT_FAILED, value)
        else:
            self._close_to(depth, callable_name(visit))
        self.exit()

    def visit_stored(self, name: str, owner: object) -> None:
        """Visit the value ``owner`` keeps under attribute ``name`` in its own storage (its
        instance ``__dict__``), if there is one, as the field ``name``.

        No descriptor runs: a ``functools.cached_property`` counts once computed, and
        measuring never computes it.
        """
        name = frame_name_of(name)
        rule = self._rules.get(type(owner)) or self._rule(type(owner))
        if rule.instances is not None:
            value = rule.instances.stored(owner, name)
            if value is not None:
                self.visit_field(name, value)

    # -- typed visits ------------------------------------------------------------------
    # The scalar visits, visit_list and visit_dict inline the claim and the filing: they
    # run once per field of every object, and the calls would double their cost. In
    # size_of (``_sum``) every frame is the total.

    def visit_str(self, name: str, value: object) -> None:
        """Visit a field declared ``str``."""
        if type(value) is str and type(name) is str and self._depth < self._typed_limit:
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
            leaf = self._sum
            if leaf is None:
                node = self._node
                field = node.children.get(name) or node.child(name)
                leaf = field.children.get("str") or field.child("str")
            leaf.self_size += str.__sizeof__(value)
            return
        self._declared(name, value)

    def visit_int(self, name: str, value: object) -> None:
        """Visit a field declared ``int``."""
        if type(value) is int and type(name) is str and self._depth < self._typed_limit:
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
            leaf = self._sum
            if leaf is None:
                node = self._node
                field = node.children.get(name) or node.child(name)
                leaf = field.children.get("int") or field.child("int")
            leaf.self_size += int_size(value)
            return
        self._declared(name, value)

    def visit_float(self, name: str, value: object) -> None:
        """Visit a field declared ``float``."""
        if type(value) is float and type(name) is str and self._depth < self._typed_limit:
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
            leaf = self._sum
            if leaf is None:
                node = self._node
                field = node.children.get(name) or node.child(name)
                leaf = field.children.get("float") or field.child("float")
            leaf.self_size += _FLOAT_BYTES
            return
        self._declared(name, value)

    def visit_bytes(self, name: str, value: object) -> None:
        """Visit a field declared ``bytes``."""
        if type(value) is bytes and type(name) is str and self._depth < self._typed_limit:
            if len(value) > 1 and self._claim(name, value):
                self._leaf(name, "bytes").self_size += _BYTES.size(value)
            return
        self._declared(name, value)

    def visit_list(self, name: str, value: object, item: type | None = None) -> None:
        """Visit a field declared ``list[item]``."""
        check_declared(item)
        if type(value) is list and type(name) is str and value and self._depth < self._typed_limit:
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
        if type(value) is tuple and type(name) is str and value and self._depth < self._typed_limit:
            if self._claim(name, value):
                self._fill_container(name, _TUPLE, value, item, None)
            return
        self._declared(name, value)

    def visit_set(self, name: str, value: object, item: type | None = None) -> None:
        """Visit a field declared ``set[item]`` or ``frozenset[item]``."""
        check_declared(item)
        tp = type(value)
        if (
            (tp is set or tp is frozenset)
            and type(name) is str
            and value
            and self._depth < self._typed_limit
        ):
            if self._claim(name, value):
                self._fill_container(name, BUILTIN_RULES[tp], value, item, None)
            return
        self._declared(name, value)

    def visit_dict(
        self, name: str, value: object, key: type | None = None, item: type | None = None
    ) -> None:
        """Visit a field declared ``dict[key, item]``."""
        check_declared(key)
        check_declared(item)
        if type(value) is dict and type(name) is str and value and self._depth < self._typed_limit:
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

    # -- what the typed visits share ----------------------------------------------------

    def _declared(self, name: str, value: object) -> None:
        """A typed visit's value measured by its run-time type: a value not of the declared
        type, or a visit without a fast path. A temporary is not counted (:data:`TEMPORARY`).

        The held value's count is its owner's reference, the typed visit's parameter,
        this one's and getrefcount's: one more than :data:`EXCLUSIVE_REFS`.
        """
        name = frame_name_of(name)
        if getrefcount(value) <= EXCLUSIVE_REFS:
            self._temporary(name)
            return
        self.visit_field(name, value)

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

    def _leaf(self, name: str, frame: str) -> FlameGraph:
        """The node ``name;frame`` below the current one (the total, in size_of)."""
        if self._sum is not None:
            return self._sum
        node = self._node
        field = node.children.get(name) or node.child(name)
        return field.children.get(frame) or field.child(frame)

    def _fill_container(
        self, name: str, rule: TypeRule, value: Any, item: type | None, key: type | None
    ) -> None:
        """File a claimed built-in container's bytes and visit its elements now.

        When another thread changes the container meanwhile, what the loop did not
        reach is visited from a copy, under the same frames.
        """
        self._field = name
        parent = self._node
        depth = self._depth
        field = parent.children.get(name) or parent.child(name)
        node = field.children.get(rule.name) or field.child(rule.name)
        if rule is _LIST:
            size = list.__sizeof__(value) + GC_HEADER
            unused = size - _EMPTY_LIST - WORD * len(value)
        elif rule is _DICT:
            size, unused = dict_size_and_unused(value)
        else:
            size = rule.size(value)
            unused = rule.unused(value) if rule.unused is not None else 0
        node.self_size += size - unused
        if unused:
            spare = node.children.get(UNUSED_CAPACITY) or node.child(UNUSED_CAPACITY)
            spare.self_size += unused
        self._node = node
        self._depth = depth + 2
        try:
            if rule is _DICT:
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
                self._elements(value)
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
                        ints += int_size(item)
                    elif id(item) not in seen:
                        seen[id(item)] = item
                        ints += int_size(item)
                else:
                    _visit_any_field(self, "value", item)
        finally:
            _file_entries(node, keys, floats, ints)

    # -- measuring -------------------------------------------------------------------------

    def measure(self, value: object) -> int:
        """Add ``value``'s tree to the total (size_of) and return the new total."""
        self._refuse_busy("measure")
        self._busy += 1
        try:
            self.visit_item(value)
            self._drain()
        finally:
            self._busy -= 1
        check_total(self._root.self_size)
        return self._root.self_size

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
            self._node, self._depth = self._root, 0
            if frame is None:
                self.visit_item(value)
            else:
                rule = self._rules.get(type(value)) or self._rule(type(value))
                owned_by_nobody = rule.owned_by_nobody
                if not (owned_by_nobody is not None and owned_by_nobody(value)) and (
                    id(value) not in self._seen
                ):
                    self._seen[id(value)] = value
                    self._account(self._root, 0, rule, value, frame)
            self._drain()
        finally:
            self._node, self._depth = self._root, 0
            self._busy -= 1

    def finish(self) -> tuple[FlameGraph | PendingGraph, list[str]]:
        """The flame graph and warnings, once every reference to measured objects is dropped."""
        self._refuse_busy("finish")
        self.release()
        root = self._root
        graph = root.close() if isinstance(root, Sum) else root
        check_total(graph.total_size)
        return graph, self.finish_warnings()


PUBLIC_METHODS: Final = (
    "visit_field",
    "visit_item",
    "visit_opaque",
    "visit_simple",
    "enter",
    "exit",
    "skip",
    "visit_field_with",
    "visit_stored",
    "visit_str",
    "visit_int",
    "visit_float",
    "visit_bytes",
    "visit_list",
    "visit_tuple",
    "visit_set",
    "visit_dict",
)
"""The Visitor API: what ``__allocative__`` methods and visit functions call."""


def _name_as_visitor_methods(*classes: type) -> None:
    """Name the Visitor API's methods ``Visitor.<name>``, so that a wrong call reads the
    same whichever engine it reached (Python words its errors by the qualified name)."""
    for cls in classes:
        for name in PUBLIC_METHODS:
            method = vars(cls).get(name)
            if method is not None:
                method.__qualname__ = f"Visitor.{name}"


_name_as_visitor_methods(PythonEngine, Walk)


def check_declared(declared: object) -> None:
    """Refuse a typed visit's declared element, key or value type that is not a type or None."""
    if declared is not None and not isinstance(declared, type):
        message = f"a declared type must be a type or None, not {type_name(type(declared))}"
        raise TypeError(message)


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


def _visit_any_field(engine: PythonEngine, name: str, value: object) -> None:
    """Visit a dict key or value of no declared scalar type, by its run-time type."""
    scalar = _SCALAR_VISITS.get(type(value))
    if scalar is not None:
        scalar(engine, name, value)
    else:
        engine._visit_named(name, value)


_SCALAR_VISITS: Final[dict[type | None, Callable[[PythonEngine, str, Any], None]]] = {
    str: PythonEngine.visit_str,
    int: PythonEngine.visit_int,
    float: PythonEngine.visit_float,
    bytes: PythonEngine.visit_bytes,
}


def count_floats(engine: PythonEngine, items: Any) -> int:
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
    seen = engine._seen
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
            engine.visit_item(element)
    return added
