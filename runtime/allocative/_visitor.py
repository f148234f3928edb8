"""The traversal: the :class:`Visitor` API that ``__allocative__`` methods call.

A measurement walks the object tree without recursion. Visiting a field
claims the object at once (each object is counted once, by identity, at the
first place it is met), adds its own bytes, and pushes it on an explicit work
stack if it has children; the stack is drained in depth-first, field order.
Two visitors share this engine: :class:`SizeVisitor` only sums bytes, and
:class:`FrameVisitor` also files them under flame graph frames.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from allocative import _kinds, _registry
from allocative._flamegraph import FlameGraph
from allocative._kinds import Kind

UNUSED_CAPACITY: Final = "unused_capacity"
DICT_STORAGE: Final = "__dict__"
ALLOCATOR_OVERHEAD: Final = "allocator_overhead"
VISIT_FAILED: Final = "[visit failed]"
MUTATED: Final = "[mutated during traversal]"
DEFAULT_MAX_DEPTH: Final = 1000


def allocator_rounding(block: int) -> int:
    """Bytes the allocator adds to a request of ``block`` bytes (pymalloc or glibc malloc)."""
    if block <= 0:
        return 0
    if block <= 512:
        return -block % 16
    return -(block + 8) % 16 + 8


class Visitor:
    """What an ``__allocative__(self, visitor)`` method calls to report its fields.

    The runtime has already counted the object's own bytes when the method
    runs; the method visits each field it owns with :meth:`visit_field`.
    Memory that is not a Python object (a buffer slice, a mapping) is reported
    with :meth:`visit_simple`; :meth:`enter` and :meth:`exit` group such
    reports under a frame and must balance.
    """

    __slots__ = (
        "_custom",
        "_kinds",
        "_open",
        "_overhead",
        "_reflected",
        "_seen",
        "_stack",
        "warnings",
    )

    def __init__(self, *, allocator_overhead: bool = False) -> None:
        self._seen: set[int] = set()
        self._kinds: dict[type, Kind] = {}
        self._custom = _registry.snapshot()
        self._stack: list[Any] = []
        self._open: list[Any] = []
        self._overhead = allocator_overhead
        self._reflected: dict[str, list[int]] = {}
        self.warnings: list[str] = []

    # -- the API of __allocative__ methods --------------------------------------

    def visit_field(self, name: str, value: object) -> None:
        """Visit ``value``, owned (or shared) by the current object, under frame ``name``."""
        raise NotImplementedError

    def visit_item(self, value: object) -> None:
        """Visit an element of a container: like :meth:`visit_field` with no field frame."""
        raise NotImplementedError

    def visit_opaque(self, name: str, value: object) -> None:
        """Count ``value``'s own bytes under ``name`` but nothing it refers to."""
        raise NotImplementedError

    def visit_simple(self, name: str, size: int) -> None:
        """Report ``size`` bytes that are not a Python object (a slice of an arena, a mapping)."""
        raise NotImplementedError

    def enter(self, name: str, size: int = 0) -> None:
        """Open frame ``name`` holding ``size`` bytes; visits until :meth:`exit` go below it."""
        raise NotImplementedError

    def exit(self) -> None:
        """Close the frame the last :meth:`enter` opened."""
        raise NotImplementedError

    def visit_field_with(
        self, name: str, value: object, visit: Callable[[Any, Visitor], None]
    ) -> None:
        """Visit ``value`` under frame ``name`` with ``visit(value, visitor)``, not by type."""
        self.enter(name)
        depth = len(self._open)
        try:
            visit(value, self)
        except Exception as error:
            self._close_to(depth, None)
            self._warn_failed(visit, error)
            self.visit_field(VISIT_FAILED, value)
        else:
            self._close_to(depth, getattr(visit, "__qualname__", repr(visit)))
        self.exit()

    # -- typed visits, emitted by allocative-gen ------------------------------------
    # Each is exact for any value: when the value is not of the declared type, it
    # is visited by its run-time type. The declared types only make them faster.

    def visit_str(self, name: str, value: object) -> None:
        """Visit a field declared ``str``."""
        self.visit_field(name, value)

    def visit_int(self, name: str, value: object) -> None:
        """Visit a field declared ``int``."""
        self.visit_field(name, value)

    def visit_float(self, name: str, value: object) -> None:
        """Visit a field declared ``float``."""
        self.visit_field(name, value)

    def visit_bytes(self, name: str, value: object) -> None:
        """Visit a field declared ``bytes``."""
        self.visit_field(name, value)

    def visit_list(self, name: str, value: object, item: type | None = None) -> None:
        """Visit a field declared ``list[item]``; ``item`` is given when it is a scalar type."""
        self.visit_field(name, value)

    def visit_tuple(self, name: str, value: object, item: type | None = None) -> None:
        """Visit a field declared ``tuple[item, ...]``."""
        self.visit_field(name, value)

    def visit_set(self, name: str, value: object, item: type | None = None) -> None:
        """Visit a field declared ``set[item]`` or ``frozenset[item]``."""
        self.visit_field(name, value)

    def visit_dict(
        self, name: str, value: object, key: type | None = None, item: type | None = None
    ) -> None:
        """Visit a field declared ``dict[key, item]``; scalar types are given, others ``None``."""
        self.visit_field(name, value)

    # -- the engine ---------------------------------------------------------------

    def _kind(self, tp: type) -> Kind:
        kind = self._kinds[tp] = _kinds.resolve(tp, self._custom)
        return kind

    def _drain(self) -> None:
        """Expand pushed objects until none is left, in depth-first field order."""
        stack = self._stack
        while stack:
            entry = stack.pop()
            mark = len(stack)
            self._expand(entry)
            if len(stack) - mark > 1:
                stack[mark:] = stack[mark:][::-1]

    def _expand(self, entry: Any) -> None:
        raise NotImplementedError

    def _run_expand(self, kind: Kind, value: object) -> None:
        """Call the kind's expander, turning any failure into a warning and a frame."""
        assert kind.expand is not None
        try:
            kind.expand(self, value)
        except RuntimeError as error:
            message = str(error)
            if "changed" not in message and "mutated" not in message:
                self._recover(kind, value, error)
                return
            self._close_to(0, None)
            self.warnings.append(
                f"{kind.name}: changed by another thread during traversal; "
                f"its contents are shown under '{MUTATED}'"
            )
            self._visit_snapshot(value)
        except Exception as error:
            self._recover(kind, value, error)
        else:
            self._close_to(0, kind.name)

    def _recover(self, kind: Kind, value: object, error: Exception) -> None:
        self._close_to(0, None)
        self.warnings.append(
            f"{kind.name}: visit raised {type(error).__name__}: {error}; "
            f"the rest is measured reflectively under '{VISIT_FAILED}'"
        )
        self.enter(VISIT_FAILED)
        for referent in _referents(value):
            self.visit_item(referent)
        self.exit()

    def _visit_snapshot(self, value: object) -> None:
        self.enter(MUTATED)
        for referent in _referents(value):
            self.visit_item(referent)
        self.exit()

    def _close_to(self, depth: int, owner: str | None) -> None:
        """Close frames left open past ``depth``; warn when ``owner``'s code left them."""
        left = len(self._open) - depth
        if left <= 0:
            return
        if owner is not None:
            self.warnings.append(
                f"{owner}: {left} enter() without exit(); the frames were closed for it"
            )
        while len(self._open) > depth:
            self.exit()

    def _warn_failed(self, visit: object, error: Exception) -> None:
        name = getattr(visit, "__qualname__", repr(visit))
        self.warnings.append(
            f"{name}: custom visit raised {type(error).__name__}: {error}; "
            f"the value is measured by type under '{VISIT_FAILED}'"
        )

    def _note_reflective(self, kind: Kind, size: int) -> None:
        counts = self._reflected.get(kind.name)
        if counts is None:
            counts = self._reflected[kind.name] = [0, 0]
        counts[0] += 1
        counts[1] += size

    def _overhead_of(self, kind: Kind, value: object, size: int) -> int:
        blocks = kind.blocks(value) if kind.blocks is not None else (size,)
        return sum(allocator_rounding(block) for block in blocks)

    def _finish_warnings(self) -> list[str]:
        notes = [
            f"{name}: no __allocative__; measured reflectively ({count} objects, {size} bytes)"
            for name, (count, size) in sorted(self._reflected.items())
        ]
        return notes + self.warnings


def _referents(value: object) -> list[object]:
    import gc

    try:
        return [r for r in gc.get_referents(value) if r is not type(value)]
    except Exception:
        return []


class SizeVisitor(Visitor):
    """Sums the bytes of a tree, each object once; frames are ignored."""

    __slots__ = ("total",)

    def __init__(self, *, allocator_overhead: bool = False) -> None:
        super().__init__(allocator_overhead=allocator_overhead)
        self.total = 0

    def visit_field(self, name: str, value: object) -> None:
        """Visit ``value`` (the frame name is not needed for a total)."""
        # Same body as visit_item, inlined: this is the hot path.
        kind = self._kinds.get(type(value)) or self._kind(type(value))
        zero = kind.zero
        if zero is not None and zero(value):
            return
        key = id(value)
        if key in self._seen:
            return
        self._seen.add(key)
        size = kind.size(value)
        if kind.attrs is not None:
            size += kind.attrs(value)
        if self._overhead:
            size += self._overhead_of(kind, value, size)
        if kind.reflective:
            self._note_reflective(kind, size)
        self.total += size
        if kind.expand is not None:
            self._stack.append((kind, value))

    def visit_item(self, value: object) -> None:
        """Visit a container element."""
        kind = self._kinds.get(type(value)) or self._kind(type(value))
        zero = kind.zero
        if zero is not None and zero(value):
            return
        key = id(value)
        if key in self._seen:
            return
        self._seen.add(key)
        size = kind.size(value)
        if kind.attrs is not None:
            size += kind.attrs(value)
        if self._overhead:
            size += self._overhead_of(kind, value, size)
        if kind.reflective:
            self._note_reflective(kind, size)
        self.total += size
        if kind.expand is not None:
            self._stack.append((kind, value))

    def visit_opaque(self, name: str, value: object) -> None:
        """Count ``value``'s own bytes only."""
        kind = self._kinds.get(type(value)) or self._kind(type(value))
        if (kind.zero is not None and kind.zero(value)) or id(value) in self._seen:
            return
        self._seen.add(id(value))
        size = kind.size(value) + (kind.attrs(value) if kind.attrs is not None else 0)
        self.total += size + (self._overhead_of(kind, value, size) if self._overhead else 0)

    def visit_simple(self, name: str, size: int) -> None:
        """Add ``size`` bytes."""
        self.total += size

    def enter(self, name: str, size: int = 0) -> None:
        """Add ``size`` bytes and open a (nameless) level."""
        self.total += size
        self._open.append(None)

    def exit(self) -> None:
        """Close the level :meth:`enter` opened."""
        if self._open:
            self._open.pop()
        else:
            self.warnings.append("exit() without enter(); ignored")

    def measure(self, value: object) -> int:
        """Add ``value``'s tree to the total and return the new total."""
        self.visit_item(value)
        self._drain()
        return self.total

    def _expand(self, entry: Any) -> None:
        kind, value = entry
        self._run_expand(kind, value)


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

    def visit_field(self, name: str, value: object) -> None:
        """Visit ``value`` under frame ``name`` below the current object."""
        kind = self._kinds.get(type(value)) or self._kind(type(value))
        zero = kind.zero
        if zero is not None and zero(value):
            return
        key = id(value)
        if key in self._seen:
            return
        self._seen.add(key)
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
        self._seen.add(key)
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
                node.child(UNUSED_CAPACITY).self_size += unused
                size -= unused
        node.self_size += size
        total = size
        if kind.attrs is not None:
            attrs = kind.attrs(value)
            if attrs:
                node.child(DICT_STORAGE).self_size += attrs
                total += attrs
        if self._overhead:
            rounding = self._overhead_of(kind, value, total)
            if rounding:
                node.child(ALLOCATOR_OVERHEAD).self_size += rounding
        if kind.reflective:
            self._note_reflective(kind, total)
        if kind.expand is not None:
            self._stack.append((node, depth, kind, value))

    def visit_opaque(self, name: str, value: object) -> None:
        """Count ``value``'s own bytes under ``name`` and nothing it refers to."""
        kind = self._kinds.get(type(value)) or self._kind(type(value))
        if (kind.zero is not None and kind.zero(value)) or id(value) in self._seen:
            return
        self._seen.add(id(value))
        size = kind.size(value) + (kind.attrs(value) if kind.attrs is not None else 0)
        node = self._node.child(name).child(kind.name)
        node.self_size += size
        if self._overhead:
            rounding = self._overhead_of(kind, value, size)
            if rounding:
                node.child(ALLOCATOR_OVERHEAD).self_size += rounding

    def visit_simple(self, name: str, size: int) -> None:
        """Add a leaf frame ``name`` of ``size`` bytes below the current frame."""
        self._node.child(name).self_size += size

    def enter(self, name: str, size: int = 0) -> None:
        """Open frame ``name`` with ``size`` bytes of its own."""
        self._open.append((self._node, self._depth))
        if self._depth < self._max_depth:
            self._node = self._node.child(name)
            self._depth += 1
        self._node.self_size += size

    def exit(self) -> None:
        """Close the frame the last :meth:`enter` opened."""
        if not self._open:
            self.warnings.append("exit() without enter(); ignored")
            return
        self._node, self._depth = self._open.pop()

    def visit_root(self, value: object, name: str | None) -> None:
        """Measure ``value``'s tree; the stack starts with ``name`` or its type's frame.

        Roots are kept alive until :meth:`release` so that a later root cannot reuse
        the identity of an earlier one that was freed.
        """
        self._roots.append(value)
        kind = self._kinds.get(type(value)) or self._kind(type(value))
        if name is None:
            self._node, self._depth = self.graph, 0
            self.visit_item(value)
        else:
            frame = name.replace(";", ":").replace("\n", " ")
            self._node, self._depth = self.graph, 0
            self._visit_root_named(frame, kind, value)
        self._drain()
        self._node, self._depth = self.graph, 0

    def _visit_root_named(self, frame: str, kind: Kind, value: object) -> None:
        if (kind.zero is not None and kind.zero(value)) or id(value) in self._seen:
            return
        self._seen.add(id(value))
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
        node, depth, kind, value = entry
        self._node, self._depth = node, depth
        self._run_expand(kind, value)

    def release(self) -> None:
        """Drop every reference to measured objects."""
        self._roots.clear()
        self._seen.clear()
        self._stack.clear()

    def finish_warnings(self) -> list[str]:
        """All warnings of the measurement, reflective types first."""
        notes = self._finish_warnings()
        if self.truncated:
            notes.append(
                f"stacks deeper than {self._max_depth} frames were folded into "
                f"the frame at that depth"
            )
        return notes
