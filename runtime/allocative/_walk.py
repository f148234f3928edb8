"""The pure engine's walk: claiming each object once, filing its bytes, expanding it.

A measurement walks the object tree without recursion. Visiting a field claims
the object at once (each object is counted once, by identity, at the first
place it is met), files its own bytes at its frame, and expands it (visits what
it refers to) at once up to :data:`INLINE_DEPTH` levels deep, or pushes it on an
explicit stack, drained in depth-first field order.

Claims: an object that more than its owner may hold is entered in the seen set
(id -> object: the set holds it, so its id stands for it alone until the
measurement ends). An object only its owner holds (its reference count says so,
behind the gate) cannot be met again: it skips the seen set and is journaled
instead, held while the expansion that claimed it runs, so that the engine's own
later passes over the same object (``_instances``) and a failure's repair know it.

Bytes go to a sink (``_sinks``): the frames of a :class:`~allocative.FlameGraph`,
or a Sum for ``size_of``. The Visitor API on top of this is ``_visitor``.
"""

from __future__ import annotations

import gc
import sys
from sys import getrefcount
from typing import Any, Final, cast

from allocative import _registry, _resolve
from allocative._config import unregistered_warnings
from allocative._constants import (
    ALLOCATOR_OVERHEAD,
    CHANGED,
    DICT_STORAGE,
    INLINE_DEPTH,
    MAX_REPORTED,
    MAX_TOTAL,
    NEGATIVE_REPORT,
    REENTRY,
    REINIT,
    TOO_MUCH_REPORTED,
    TOTAL_OVERFLOW,
    UNUSED_CAPACITY,
    VISIT_FAILED,
)
from allocative._flamegraph import FlameGraph
from allocative._gate import GATED_WARNING, RAW_READS
from allocative._impls.containers import contents_copy, expand_contents, expand_items
from allocative._names import callable_name, raised_text, type_name
from allocative._refcounts import EXCLUSIVE_REFS, temporary_warning
from allocative._references import CountingSeen, outside
from allocative._rule import Expand, TypeRule
from allocative._sinks import Sum
from allocative._sizes import allocator_rounding

DEFAULT_MAX_DEPTH: Final = 1000
"""How many frames deep a flame graph's stacks go; deeper ones fold into that depth."""


class Walk:
    """The engine's state and its walk; ``_visitor.PythonEngine`` adds the Visitor API."""

    __slots__ = (
        "_busy",
        "_custom",
        "_depth",
        "_field",
        "_inline",
        "_jappend",
        "_journal",
        "_max_depth",
        "_node",
        "_notes",
        "_open",
        "_overhead",
        "_owner",
        "_reflected",
        "_reported",
        "_root",
        "_roots",
        "_rules",
        "_seen",
        "_slow",
        "_stack",
        "_sum",
        "_typed_limit",
        "truncated",
    )

    def __init__(
        self,
        *,
        frames: bool = False,
        allocator_overhead: bool = False,
        max_depth: int = DEFAULT_MAX_DEPTH,
        references: bool = False,
    ) -> None:
        if getattr(self, "_busy", None) is not None:
            raise RuntimeError(REINIT)
        self._busy = 0
        self._reported = 0
        self._seen: dict[int, object] = CountingSeen() if references else {}
        self._journal: list[object] = []
        self._jappend = self._journal.append
        self._inline = 0
        self._rules: dict[type, TypeRule] = {}
        self._custom = _registry.snapshot()
        self._stack: list[Any] = []
        self._open: list[tuple[FlameGraph, int]] = []
        self._overhead = allocator_overhead
        # Typed visits take their fast paths only with raw reads and no allocator rounding.
        self._slow = allocator_overhead or not RAW_READS
        self._reflected: dict[str, list[int]] = {}
        self._notes: dict[str, int] = {}
        # The class and field being visited, for naming warnings ("Book.by_id").
        self._owner = ""
        self._field = ""
        self._root: FlameGraph = FlameGraph() if frames else Sum()
        self._sum: FlameGraph | None = None if frames else self._root
        self._node = self._root
        self._depth = 0
        self._max_depth = max_depth if frames else sys.maxsize
        # A typed visit files two frames at once: it needs two levels of depth to spare.
        self._typed_limit = -1 if self._slow else self._max_depth - 1
        self._roots: list[object] = []
        self.truncated = False

    # -- rules ---------------------------------------------------------------------

    def _rule(self, tp: type) -> TypeRule:
        """The rule for ``tp``, resolved once; containers of elements expand with
        :meth:`_elements`."""
        rule = _resolve.resolve(tp, self._custom)
        if rule.expand is expand_items:
            rule = rule.with_expand(cast("Expand", _ELEMENTS))
        self._rules[tp] = rule
        return rule

    # -- claiming and filing ---------------------------------------------------------

    def visit_item(self, value: object) -> None:
        """Visit a container element: its frame is its type, right below the container."""
        rule = self._rules.get(type(value)) or self._rule(type(value))
        owned_by_nobody = rule.owned_by_nobody
        if owned_by_nobody is not None and owned_by_nobody(value):
            return
        key = id(value)
        if key in self._seen:
            return
        self._seen[key] = value
        self._account(self._node, self._depth, rule, value)

    def _visit_named(self, name: str, value: object) -> None:
        """Visit ``value`` under frame ``name`` (the engine's own named visits)."""
        rule = self._rules.get(type(value)) or self._rule(type(value))
        owned_by_nobody = rule.owned_by_nobody
        if owned_by_nobody is not None and owned_by_nobody(value):
            return
        key = id(value)
        if key in self._seen:
            return
        self._seen[key] = value
        if self._depth < self._max_depth:
            node = self._node.children.get(name) or self._node.child(name)
            self._account(node, self._depth + 1, rule, value)
        else:
            self._account(self._node, self._depth, rule, value)

    def _account(
        self, parent: FlameGraph, depth: int, rule: TypeRule, value: object, frame: str = ""
    ) -> None:
        """File claimed ``value``'s bytes under ``parent`` (at ``frame``, or its rule's name);
        expand it now or push it."""
        if depth < self._max_depth:
            name = frame or rule.name
            node = parent.children.get(name) or parent.child(name)
            depth += 1
        else:
            node = parent
            self.truncated = True
        size = rule.size(value)
        if rule.unused is not None:
            unused = rule.unused(value)
            if unused:
                spare = node.children.get(UNUSED_CAPACITY) or node.child(UNUSED_CAPACITY)
                spare.self_size += unused
                size -= unused
        node.self_size += size
        total = size
        if rule.values_bytes is not None:
            values = rule.values_bytes(value)
            if values:
                storage = node.children.get(DICT_STORAGE) or node.child(DICT_STORAGE)
                storage.self_size += values
                total += values
        if self._overhead:
            rounding = overhead_of(rule, value, total)
            if rounding:
                node.child(ALLOCATOR_OVERHEAD).self_size += rounding
        if rule.reflective:
            self._note_reflective(rule, total)
        if rule.expand is not None:
            if self._inline < INLINE_DEPTH:
                self._inline += 1
                saved_node, saved_depth = self._node, self._depth
                self._node, self._depth = node, depth
                self._expand_now(rule, value)
                self._node, self._depth = saved_node, saved_depth
                self._inline -= 1
            else:
                self._stack.append((node, depth, rule, value, self._owner, self._field))

    def _elements(self, items: Any) -> None:
        """Visit a container's elements by their run-time types, as :meth:`visit_item` would.

        Elements of one type in a row share one rule lookup, one frame (created
        when the first of them is counted) and one size when the type's objects
        all have the same. Elements of a rule that may count every object, with
        no spare capacity (no ``owned_by_nobody`` or ``unused``, not reflective),
        are claimed, filed and expanded here, with one call less each.
        """
        parent = self._node
        depth = self._depth + 1
        if self._slow or self._inline >= INLINE_DEPTH or depth > self._max_depth:
            visit = self.visit_item
            for element in items:
                visit(element)
            return
        rules = self._rules
        seen = self._seen
        journal = self._journal
        outer = self._inline
        last: type | None = None
        rule: TypeRule | None = None
        direct = False
        node: FlameGraph | None = None
        run_size = -1  # the own size of every element of this run, when its type has one
        for element in items:
            if type(element) is not last:
                last = type(element)
                rule = rules.get(last) or self._rule(last)
                direct = (
                    rule.owned_by_nobody is None and rule.unused is None and not rule.reflective
                )
                run_size = rule.size(element) if rule.fixed_size else -1
                node = None
            if not direct:
                self.visit_item(element)
                continue
            assert rule is not None
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
                node = parent.children.get(rule.name) or parent.child(rule.name)
            node.self_size += run_size if run_size >= 0 else rule.size(element)
            if rule.values_bytes is not None:
                values = rule.values_bytes(element)
                if values:
                    (
                        node.children.get(DICT_STORAGE) or node.child(DICT_STORAGE)
                    ).self_size += values
            if rule.expand is not None:
                self._inline = outer + 1
                self._node, self._depth = node, depth
                self._expand_now(rule, element)
                self._node, self._depth = parent, depth - 1
                self._inline = outer

    # -- expanding -------------------------------------------------------------------

    def _drain(self) -> None:
        """Expand pushed objects until none is left, in depth-first field order."""
        stack = self._stack
        while stack:
            node, depth, rule, value, self._owner, self._field = stack.pop()
            mark = len(stack)
            self._node, self._depth = node, depth
            self._expand_now(rule, value)
            if len(stack) - mark > 1:
                stack[mark:] = stack[mark:][::-1]

    def _expand_now(self, rule: TypeRule, value: object) -> None:
        """Visit what ``value`` refers to; a failure becomes a warning and a frame."""
        base = len(self._open)
        journal = self._journal
        mark = len(journal)
        try:
            # The walk is always a PythonEngine's, which adds the Visitor API.
            rule.expand(self, value)  # type: ignore[arg-type, misc]
        except Exception as error:
            self._failed(rule, value, error, base)
        del journal[mark:]
        if len(self._open) > base:
            self._close_to(base, rule.name)

    def _failed(self, rule: TypeRule, value: object, error: Exception, base: int) -> None:
        """Turn an expansion that raised into a warning; visit what it did not reach.

        A container changed by another thread is visited again from a copy, under
        its own frames; whatever the failed pass counted is skipped (the journal
        joins the seen set first). Any other failure visits the object's referents
        under a ``[visit failed]`` frame.
        """
        self._promote()
        self._close_to(base, None)
        copy = contents_copy(value) if is_mutation(error) else None
        if copy is not None:
            self._note(f"{self._where(rule)}: {CHANGED}")
            expand_contents(self, copy)  # type: ignore[arg-type]
            return
        self._note(
            f"{self._where(rule)}: visit raised {raised_text(error)}; "
            f"the rest is measured by type under '{VISIT_FAILED}'"
        )
        self._open_frame(VISIT_FAILED, 0)
        for referent in _referents(value):
            self.visit_item(referent)
        self._close_frame()

    def _refill(self, name: str, value: object, error: Exception) -> None:
        """A typed visit's loop over field ``name``'s container raised: visit it again.

        What the loop counted before it raised is skipped; the frames the caller
        set up for the container stay in place.
        """
        if not is_mutation(error):
            raise error
        self._promote()
        copy = contents_copy(value)
        if copy is None:
            raise error
        owner = self._owner or type_name(type(value))
        self._note(f"{owner}.{name}: {CHANGED}" if name else f"{owner}: {CHANGED}")
        expand_contents(self, copy)  # type: ignore[arg-type]

    # -- frames ------------------------------------------------------------------------

    def _open_frame(self, name: str, size: int) -> None:
        """Open frame ``name`` holding ``size`` bytes below the current one."""
        self._open.append((self._node, self._depth))
        if self._depth < self._max_depth:
            self._node = self._node.children.get(name) or self._node.child(name)
            self._depth += 1
        self._node.self_size += size

    def _close_frame(self) -> None:
        """Close the frame :meth:`_open_frame` opened last."""
        if not self._open:
            self._note("exit() without enter(); ignored")
            return
        self._node, self._depth = self._open.pop()

    def _open_depth(self) -> int:
        """How many frames ``enter`` opened that are not closed yet."""
        return len(self._open)

    def _close_to(self, depth: int, owner: str | None) -> None:
        """Close frames left open past ``depth``; warn when ``owner``'s code left them."""
        left = len(self._open) - depth
        if left <= 0:
            return
        if owner is not None:
            self._note(f"{owner}: {left} enter() without exit(); the frames were closed for it")
        while len(self._open) > depth:
            self._close_frame()

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
        rule = self._rules.get(type(value)) or self._rule(type(value))
        return rule.owned_by_nobody is None or not rule.owned_by_nobody(value)

    def _meet_again(self, value: object) -> None:
        """A reference met to ``value`` that another name of the tree already claimed (a
        second attribute holding it): reference mode counts it, nothing else happens."""
        seen = self._seen
        if isinstance(seen, CountingSeen):
            key = id(value)
            if dict.__contains__(seen, key):
                seen.met[key] = seen.met.get(key, 0) + 1

    def _promote(self) -> None:
        """Enter every journaled object in the seen set (after a failure, where the journal
        of the failed expansion cannot be told apart)."""
        dict.update(self._seen, {id(value): value for value in self._journal})

    def _where(self, rule: TypeRule) -> str:
        """The field a failure happened in, ``Class.field``, or the rule's name at a root."""
        if self._owner:
            return f"{self._owner}.{self._field}" if self._field else self._owner
        return rule.name

    def _temporary(self, name: str) -> None:
        """Warn that field ``name`` was visited with a temporary, which is not counted."""
        self._note(temporary_warning(self._owner, name))

    def _warn_failed(self, visit: object, error: Exception) -> None:
        self._note(
            f"{callable_name(visit)}: custom visit raised {raised_text(error)}; "
            f"the value is measured by type under '{VISIT_FAILED}'"
        )

    def _note(self, message: str) -> None:
        """Add a warning; the same warning again only raises its count."""
        notes = self._notes
        notes[message] = notes.get(message, 0) + 1

    def _note_reflective(self, rule: TypeRule, size: int) -> None:
        counts = self._reflected.get(rule.name)
        if counts is None:
            counts = self._reflected[rule.name] = [0, 0]
        counts[0] += 1
        counts[1] += size

    # -- the measurement's bounds ---------------------------------------------------

    def _report(self, size: object) -> int:
        """Count ``size`` bytes a method reported (``visit_simple``, ``enter``) against the
        measurement's bound, :data:`MAX_REPORTED`."""
        if not isinstance(size, int):
            message = f"a reported size must be an int, not {type_name(type(size))}"
            raise TypeError(message)
        size = int.__index__(size)
        if size < 0:
            raise ValueError(NEGATIVE_REPORT)
        if size > MAX_REPORTED - self._reported:
            raise OverflowError(TOO_MUCH_REPORTED)
        self._reported += size
        return size

    def _refuse_busy(self, what: str) -> None:
        """Refuse ``what`` while a walk or its clean-up runs: a method, a visit function or
        a ``__del__`` calling back into the engine would undo what the walk is using."""
        if self._busy:
            message = f"{what}() {REENTRY}"
            raise RuntimeError(message)

    # -- letting go ----------------------------------------------------------------------

    def release(self) -> None:
        """Drop every reference to measured objects."""
        self._refuse_busy("release")
        self._busy += 1
        try:
            self._roots = []
            self._stack = []
            self._seen = CountingSeen() if isinstance(self._seen, CountingSeen) else {}
            del self._journal[:]
        finally:
            self._busy -= 1

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

    def _exclude_claimed(self, other: Walk) -> None:
        """Enter every object ``other`` claimed in the seen set: they are not counted."""
        self._refuse_busy("_exclude_claimed")
        other._refuse_busy("_exclude_claimed")
        dict.update(self._seen, other._seen)

    def finish_warnings(self) -> list[str]:
        """Every warning of the measurement once, with how many times it happened when more
        than once: the engine's mode first, then types measured by their attributes."""
        return finish_warnings(self._reflected, self._notes, self.truncated, self._max_depth)


_ELEMENTS: Final = Walk._elements


def check_total(total: int) -> None:
    """Refuse a measurement whose bytes pass :data:`MAX_TOTAL`: only sizes no object can
    have (a lying ``__sizeof__``, a visit function's report) can get there."""
    if total > MAX_TOTAL:
        raise OverflowError(TOTAL_OVERFLOW)


def overhead_of(rule: TypeRule, value: object, size: int) -> int:
    """Bytes the allocator adds to the blocks of ``value`` (``size`` bytes in all)."""
    blocks = rule.blocks(value) if rule.blocks is not None else (size,)
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
    try:
        return [r for r in gc.get_referents(value) if r is not type(value)]
    except Exception:
        return []
