"""The traversal: the :class:`Visitor` API that ``__allocative__`` methods call.

A measurement walks the object tree without recursion. Visiting a field
claims the object at once (each object is counted once, by identity, at the
first place it is met), adds its own bytes, and pushes it on an explicit work
stack if it has children; the stack is drained in depth-first, field order.
Two visitors share this engine: ``SizeVisitor`` (``_size_visitor``) only sums
bytes, and ``FrameVisitor`` (``_frame_visitor``) also files them under frames.
"""

from __future__ import annotations

from collections.abc import Callable
from sys import getrefcount
from typing import Any, Final

from allocative import _kinds, _registry, _resolve
from allocative._config import unregistered_warnings
from allocative._gate import GATED_WARNING, RAW_READS
from allocative._kinds import Kind
from allocative._names import callable_name, frame_name_of, raised_text, type_name
from allocative._refcounts import (
    EXCLUSIVE_REFS,
    temporary_warning,
)
from allocative._references import CountingSeen, outside

UNUSED_CAPACITY: Final = "unused_capacity"
DICT_STORAGE: Final = "__dict__"
ALLOCATOR_OVERHEAD: Final = "allocator_overhead"
VISIT_FAILED: Final = "[visit failed]"
CHANGED: Final = "changed while it was measured; measured again from a copy"
"""The warning for a container that another thread (or a method) changed mid-walk."""
LATIN1: Final = 256
"""One-character strings below this code point are the interpreter's own: never counted."""
MAX_REPORTED: Final = 1 << 62
"""The most bytes ``visit_simple`` and ``enter`` may report in one measurement, in all (4
EiB): with the objects' own bytes, which the address space bounds, no total can pass what
the compiled engine counts in 64 bits."""
TOO_MUCH_REPORTED: Final = "the sizes reported with visit_simple and enter pass 2**62 bytes"
REENTRY: Final = (
    "cannot be called while this engine is measuring (from a method, a visit function or a "
    "__del__ it ran)"
)
REINIT: Final = "Engine.__init__() may run once, before the engine measures"
MAX_TOTAL: Final = 2**63 - 1
"""The most bytes a measurement may hold in all: what the compiled engine counts in 64 bits."""
TOTAL_OVERFLOW: Final = (
    "the sizes measured pass 2**63 - 1 bytes in all: a __sizeof__ or a visit function "
    "reported sizes no object has"
)


def check_total(total: int) -> None:
    """Refuse a measurement whose bytes pass :data:`MAX_TOTAL`: only sizes no object can
    have (a lying ``__sizeof__``, a visit function's report) can get there."""
    if total > MAX_TOTAL:
        raise OverflowError(TOTAL_OVERFLOW)


INLINE_DEPTH: Final = 12
"""Objects are expanded as soon as they are met, up to this many levels of nesting;
deeper ones wait on the work stack, so no tree can exhaust the Python stack."""


PYMALLOC_MAX: Final = 512
"""Requests up to this size come from pymalloc, in multiples of 16 bytes."""
MMAP_THRESHOLD: Final = 128 * 1024
"""glibc's default ``M_MMAP_THRESHOLD``: requests from this size get their own mapping."""
PAGE: Final = 4096


def allocator_rounding(block: int) -> int:
    """Bytes the allocator adds to a request of ``block`` bytes (pymalloc or glibc malloc).

    glibc gives a request a chunk of ``block + 8`` rounded up to 16 bytes; a big
    request is mapped on its own, that chunk plus 8 rounded up to whole pages.
    """
    if block <= 0:
        return 0
    if block <= PYMALLOC_MAX:
        return -block % 16
    if block >= MMAP_THRESHOLD:
        chunk = -(-(block + 8) // 16) * 16 + 8
        return -(-chunk // PAGE) * PAGE - block
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
        "_busy",
        "_custom",
        "_field",
        "_inline",
        "_jappend",
        "_journal",
        "_kinds",
        "_notes",
        "_open",
        "_overhead",
        "_owner",
        "_reflected",
        "_reported",
        "_seen",
        "_slow",
        "_stack",
    )

    def __init__(self, *, allocator_overhead: bool = False) -> None:
        if getattr(self, "_busy", None) is not None:
            raise RuntimeError(REINIT)
        self._busy = 0
        self._reported = 0
        # Every object claimed through the seen set, by id: holding it keeps its id
        # its own until the measurement ends, whatever code runs meanwhile.
        self._seen: dict[int, object] = {}
        # Objects that visits claimed without the seen set (they had one owner), held
        # while the expansion that claimed them runs: the engine's own passes over
        # the same object skip them, and a failure moves them into the seen set.
        self._journal: list[object] = []
        self._jappend = self._journal.append
        self._inline = 0
        self._kinds: dict[type, Kind] = {}
        self._custom = _registry.snapshot()
        self._stack: list[Any] = []
        self._open: list[Any] = []
        self._overhead = allocator_overhead
        # Typed visits take their fast paths only with raw reads and no allocator rounding.
        self._slow = allocator_overhead or not RAW_READS
        self._reflected: dict[str, list[int]] = {}
        self._notes: dict[str, int] = {}
        # The class and field being visited, for naming warnings ("Book.by_id").
        self._owner = ""
        self._field = ""

    # -- the API of __allocative__ methods --------------------------------------

    def visit_field(self, name: str, value: object) -> None:
        """Visit ``value``, owned (or shared) by the current object, under frame ``name``."""
        raise NotImplementedError

    def visit_item(self, value: object) -> None:
        """Visit an element of a container: like :meth:`visit_field` with no field frame."""
        raise NotImplementedError

    def _visit_named(self, name: str, value: object) -> None:
        """The engine's own named visits (dict entries, attributes of built-ins)."""
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

    def skip(self, name: str) -> None:
        """Declare that field ``name`` is deliberately not visited (the ``skip`` option).

        Generated methods call it for each ``skip`` field, so that the runtime's
        check for attributes a method did not visit leaves the field alone.
        """
        frame_name_of(name)

    def visit_field_with(
        self, name: str, value: object, visit: Callable[[Any, Visitor], None]
    ) -> None:
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
        kind = self._kinds.get(type(owner)) or self._kind(type(owner))
        if kind.instances is not None:
            value = kind.instances.stored(owner, name)
            if value is not None:
                self.visit_field(name, value)

    # -- typed visits, emitted by allocative-gen ------------------------------------
    # Each is exact for any value: when the value is not of the declared type, it
    # is visited by its run-time type. The declared types only make them faster.

    def visit_str(self, name: str, value: object) -> None:
        """Visit a field declared ``str``."""
        self._declared(name, value)

    def visit_int(self, name: str, value: object) -> None:
        """Visit a field declared ``int``."""
        self._declared(name, value)

    def visit_float(self, name: str, value: object) -> None:
        """Visit a field declared ``float``."""
        self._declared(name, value)

    def visit_bytes(self, name: str, value: object) -> None:
        """Visit a field declared ``bytes``."""
        self._declared(name, value)

    def visit_list(self, name: str, value: object, item: type | None = None) -> None:
        """Visit a field declared ``list[item]``; ``item`` is given when it is a scalar type."""
        self._declared(name, value)

    def visit_tuple(self, name: str, value: object, item: type | None = None) -> None:
        """Visit a field declared ``tuple[item, ...]``."""
        self._declared(name, value)

    def visit_set(self, name: str, value: object, item: type | None = None) -> None:
        """Visit a field declared ``set[item]`` or ``frozenset[item]``."""
        self._declared(name, value)

    def visit_dict(
        self, name: str, value: object, key: type | None = None, item: type | None = None
    ) -> None:
        """Visit a field declared ``dict[key, item]``; scalar types are given, others ``None``."""
        self._declared(name, value)

    # -- the engine ---------------------------------------------------------------

    def _kind(self, tp: type) -> Kind:
        kind = self._kinds[tp] = _resolve.resolve(tp, self._custom)
        return kind

    def _drain(self) -> None:
        """Expand pushed objects until none is left, in depth-first field order."""
        stack = self._stack
        expand = self._expand
        while stack:
            entry = stack.pop()
            mark = len(stack)
            expand(entry)
            if len(stack) - mark > 1:
                stack[mark:] = stack[mark:][::-1]

    def _expand(self, entry: Any) -> None:
        raise NotImplementedError

    def _expand_now(self, kind: Kind, value: object) -> None:
        """Visit what ``value`` refers to; a failure becomes a warning and a frame."""
        base = len(self._open)
        journal = self._journal
        mark = len(journal)
        try:
            kind.expand(self, value)  # type: ignore[misc]
        except Exception as error:
            self._failed(kind, value, error, base)
        del journal[mark:]
        if len(self._open) > base:
            self._close_to(base, kind.name)

    def _failed(self, kind: Kind, value: object, error: Exception, base: int) -> None:
        """Turn an expansion that raised into a warning; visit what it did not reach.

        A container changed by another thread is visited again from a copy, under
        its own frames; whatever the failed pass counted is skipped (the journal
        joins the seen set first). Any other failure visits the object's referents
        under a ``[visit failed]`` frame.
        """
        self._promote()
        self._close_to(base, None)
        copy = _kinds.contents_copy(value) if is_mutation(error) else None
        if copy is not None:
            self._note(f"{self._where(kind)}: {CHANGED}")
            _kinds.expand_contents(self, copy)
            return
        self._note(
            f"{self._where(kind)}: visit raised {raised_text(error)}; "
            f"the rest is measured by type under '{VISIT_FAILED}'"
        )
        self.enter(VISIT_FAILED)
        for referent in _referents(value):
            self.visit_item(referent)
        self.exit()

    def _refill(self, name: str, value: object, error: Exception) -> None:
        """A typed visit's loop over field ``name``'s container raised: visit it again.

        What the loop counted before it raised is skipped; the frames the caller
        set up for the container stay in place.
        """
        if not is_mutation(error):
            raise error
        self._promote()
        copy = _kinds.contents_copy(value)
        if copy is None:
            raise error
        owner = self._owner or type_name(type(value))
        self._note(f"{owner}.{name}: {CHANGED}" if name else f"{owner}: {CHANGED}")
        _kinds.expand_contents(self, copy)

    # -- what the class measurement (``_instances``) asks of an engine ----------------

    def _mark(self) -> int:
        """A mark in the journal: what is claimed without the seen set from here on."""
        return len(self._journal)

    def _claimed_since(self, mark: int) -> set[int]:
        """Ids counted without the seen set since ``mark``."""
        journal = self._journal
        return {id(value) for value in journal[mark:]} if len(journal) > mark else set()

    def _is_new(self, value: object, here: set[int]) -> bool:
        """Whether ``value`` would be counted now: not claimed yet (``here`` holds what
        this expansion claimed without the seen set), not owned by nobody."""
        key = id(value)
        # Not a reference met: a counting seen set (reference mode) must not count it.
        if key in here or dict.__contains__(self._seen, key):
            return False
        kind = self._kinds.get(type(value)) or self._kind(type(value))
        return kind.zero is None or not kind.zero(value)

    def _meet_again(self, value: object) -> None:
        """A reference met to ``value`` that another name of the tree already claimed (a
        second attribute holding it): reference mode counts it, nothing else happens."""
        seen = self._seen
        if isinstance(seen, CountingSeen):
            key = id(value)
            if dict.__contains__(seen, key):
                seen.met[key] = seen.met.get(key, 0) + 1

    def _outside(self, roots: list[object]) -> tuple[list[object], list[int]]:
        """After measuring in reference mode: the objects met that something outside the
        tree holds too, and how many references each root has beyond the tree's."""
        self._refuse_busy("_outside")
        seen = self._seen
        if not isinstance(seen, CountingSeen):
            raise RuntimeError("_outside() needs a visitor in reference mode")
        self._busy += 1
        try:
            return outside(seen, roots)
        finally:
            self._busy -= 1

    def release(self) -> None:
        """Drop every reference to measured objects (the compiled engine's ``release``)."""
        self._refuse_busy("release")
        self._busy += 1
        try:
            self._drop_references()
        finally:
            self._busy -= 1

    def _drop_references(self) -> None:
        """Empty the seen set and the journal; dropping a reference may run a ``__del__``."""
        self._seen = CountingSeen() if isinstance(self._seen, CountingSeen) else {}
        del self._journal[:]

    def _exclude_claimed(self, other: Visitor) -> None:
        """Enter every object ``other`` claimed in the seen set: they are not counted."""
        self._refuse_busy("_exclude_claimed")
        other._refuse_busy("_exclude_claimed")
        dict.update(self._seen, other._seen)

    def _promote(self) -> None:
        """Enter every journaled object in the seen set (after a failure, where the journal
        of the failed expansion cannot be told apart)."""
        dict.update(self._seen, {id(value): value for value in self._journal})

    def _refuse_busy(self, what: str) -> None:
        """Refuse ``what`` while a walk or its clean-up runs: a method, a visit function or
        a ``__del__`` calling back into the engine would undo what the walk is using."""
        if self._busy:
            message = f"{what}() {REENTRY}"
            raise RuntimeError(message)

    def _report(self, size: object) -> int:
        """Count ``size`` bytes a method reported (``visit_simple``, ``enter``) against the
        measurement's bound, :data:`MAX_REPORTED`."""
        if not isinstance(size, int):
            message = f"a reported size must be an int, not {type_name(type(size))}"
            raise TypeError(message)
        size = int.__index__(size)
        if size < 0:
            raise ValueError("a reported size must not be negative")
        if size > MAX_REPORTED - self._reported:
            raise OverflowError(TOO_MUCH_REPORTED)
        self._reported += size
        return size

    def _open_depth(self) -> int:
        """How many frames ``enter`` opened that are not closed yet."""
        return len(self._open)

    def _where(self, kind: Kind) -> str:
        """The field a failure happened in, ``Class.field``, or the kind's name at a root."""
        if self._owner:
            return f"{self._owner}.{self._field}" if self._field else self._owner
        return kind.name

    def _close_to(self, depth: int, owner: str | None) -> None:
        """Close frames left open past ``depth``; warn when ``owner``'s code left them."""
        left = len(self._open) - depth
        if left <= 0:
            return
        if owner is not None:
            self._note(f"{owner}: {left} enter() without exit(); the frames were closed for it")
        while len(self._open) > depth:
            self.exit()

    def _warn_failed(self, visit: object, error: Exception) -> None:
        self._note(
            f"{callable_name(visit)}: custom visit raised {raised_text(error)}; "
            f"the value is measured by type under '{VISIT_FAILED}'"
        )

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

    def _temporary(self, name: str) -> None:
        """Warn that field ``name`` was visited with a temporary, which is not counted."""
        self._note(temporary_warning(self._owner, name))

    def _note(self, message: str) -> None:
        """Add a warning; the same warning again only raises its count."""
        notes = self._notes
        notes[message] = notes.get(message, 0) + 1

    def _note_reflective(self, kind: Kind, size: int) -> None:
        counts = self._reflected.get(kind.name)
        if counts is None:
            counts = self._reflected[kind.name] = [0, 0]
        counts[0] += 1
        counts[1] += size

    def _overhead_of(self, kind: Kind, value: object, size: int) -> int:
        return overhead_of(kind, value, size)

    def _finish_warnings(self, truncated: bool = False, max_depth: int = 0) -> list[str]:
        return finish_warnings(self._reflected, self._notes, truncated, max_depth)


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


def as_visitor_methods(cls: type) -> None:
    """Name ``cls``'s own Visitor API methods ``Visitor.<name>``, so that a wrong call
    reads the same whichever visitor (or engine) it reached."""
    for name in PUBLIC_METHODS:
        method = vars(cls).get(name)
        if method is not None:
            method.__qualname__ = f"Visitor.{name}"


def check_declared(declared: object) -> None:
    """Refuse a typed visit's declared element, key or value type that is not a type or None."""
    if declared is not None and not isinstance(declared, type):
        message = f"a declared type must be a type or None, not {type_name(type(declared))}"
        raise TypeError(message)


def overhead_of(kind: Kind, value: object, size: int) -> int:
    """Bytes the allocator adds to the blocks of ``value`` (``size`` bytes in all)."""
    blocks = kind.blocks(value) if kind.blocks is not None else (size,)
    return sum(allocator_rounding(block) for block in blocks)


def finish_warnings(
    reflected: dict[str, list[int]], notes: dict[str, int], truncated: bool, max_depth: int
) -> list[str]:
    """Every warning of a measurement once, with how many times it happened when more
    than once: the engine's mode first, then types measured by their attributes."""
    found = [] if RAW_READS else [GATED_WARNING]
    found += unregistered_warnings(list(_registry.snapshot()))
    found += [
        f"{name}: no __allocative__; measured by its attributes ({count:,} objects, {size:,} bytes)"
        for name, (count, size) in sorted(reflected.items())
    ]
    found += [
        message if count == 1 else f"{message} ({count:,} times)"
        for message, count in notes.items()
    ]
    if truncated:
        found.append(
            f"stacks deeper than {max_depth} frames were folded into the frame at that depth"
        )
    return found


def is_mutation(error: BaseException) -> bool:
    """Whether ``error`` is a built-in container's complaint that it changed while iterated."""
    message = str(error)
    return isinstance(error, RuntimeError) and ("changed" in message or "mutated" in message)


def _referents(value: object) -> list[object]:
    import gc

    try:
        return [r for r in gc.get_referents(value) if r is not type(value)]
    except Exception:
        return []
