"""The contracts between the pieces of the runtime, each written once.

- :class:`Visitor`: what ``__allocative__`` methods and visit functions call.
  Both engines implement it: the pure engine (``_visitor.PythonEngine``) and
  the compiled one (``_core.Engine``); ``_engine.new_engine`` returns either
  as an :class:`Engine`, which mypy checks each against.
- :class:`EngineSide`: what the code both engines share (the class
  measurement in ``_instances``, the type rules in ``_impls``) asks of the
  engine that measures, beyond the Visitor API.
- :class:`Engine`: what the entry points (``_api``, ``_retained``) ask of it.
- :class:`Allocative`: an object that reports its fields.

This module imports nothing of the runtime: every other module may import it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from allocative._flamegraph import FlameGraph

VisitFunction = Callable[[Any, "Visitor"], None]
"""A visit function: ``visit(value, visitor)`` (``visit_with``, ``register``)."""


class Visitor(Protocol):
    """What an ``__allocative__(self, visitor)`` method calls to report its fields.

    The runtime has already counted the object's own bytes when the method
    runs; the method visits each field it owns. Memory that is not a Python
    object (a buffer slice, a mapping) is reported with :meth:`visit_simple`;
    :meth:`enter` and :meth:`exit` group such reports under a frame and must
    balance. Every method takes its arguments by position or by keyword.
    """

    def visit_field(self, name: str, value: object) -> None:
        """Visit ``value``, owned (or shared) by the current object, under frame ``name``."""

    def visit_item(self, value: object) -> None:
        """Visit an element of a container: like :meth:`visit_field` with no field frame."""

    def visit_opaque(self, name: str, value: object) -> None:
        """Count ``value``'s own bytes under ``name`` but nothing it refers to."""

    def visit_simple(self, name: str, size: int) -> None:
        """Report ``size`` bytes that are not a Python object (a slice of an arena, a mapping)."""

    def enter(self, name: str, size: int = 0) -> None:
        """Open frame ``name`` holding ``size`` bytes; visits until :meth:`exit` go below it."""

    def exit(self) -> None:
        """Close the frame the last :meth:`enter` opened."""

    def skip(self, name: str) -> None:
        """Declare that field ``name`` is deliberately not visited (the ``skip`` option)."""

    def visit_field_with(self, name: str, value: object, visit: VisitFunction) -> None:
        """Visit ``value`` under frame ``name`` with ``visit(value, visitor)``, not by type."""

    def visit_stored(self, name: str, owner: object) -> None:
        """Visit what ``owner`` keeps under attribute ``name`` in its ``__dict__``, if anything,
        without running a descriptor (a ``functools.cached_property`` is never computed)."""

    def visit_str(self, name: str, value: object) -> None:
        """Visit a field declared ``str``."""

    def visit_int(self, name: str, value: object) -> None:
        """Visit a field declared ``int``."""

    def visit_float(self, name: str, value: object) -> None:
        """Visit a field declared ``float``."""

    def visit_bytes(self, name: str, value: object) -> None:
        """Visit a field declared ``bytes``."""

    def visit_list(self, name: str, value: object, item: type | None = None) -> None:
        """Visit a field declared ``list[item]``; ``item`` is given when it is a scalar type."""

    def visit_tuple(self, name: str, value: object, item: type | None = None) -> None:
        """Visit a field declared ``tuple[item, ...]``."""

    def visit_set(self, name: str, value: object, item: type | None = None) -> None:
        """Visit a field declared ``set[item]`` or ``frozenset[item]``."""

    def visit_dict(
        self, name: str, value: object, key: type | None = None, item: type | None = None
    ) -> None:
        """Visit a field declared ``dict[key, item]``; scalar types are given, others ``None``."""


class EngineSide(Visitor, Protocol):
    """What the shared Python code asks of the engine that measures (both implement it)."""

    _owner: str
    """The class being visited, for warnings (``""``: none)."""
    _field: str
    """The field being visited, for warnings (``""``: none)."""

    def _visit_named(self, name: str, value: object, /) -> None:
        """The engine's own named visits (dict entries, attributes, parts of built-ins)."""

    def _mark(self) -> int:
        """A mark in the journal: what is claimed without the seen set from here on."""

    def _claimed_since(self, mark: int, /) -> set[int]:
        """Ids of what was claimed without the seen set since ``mark``."""

    def _is_new(self, value: object, here: set[int], /) -> bool:
        """Whether ``value`` would be counted now (``here``: what this expansion claimed)."""

    def _meet_again(self, value: object, /) -> None:
        """A reference met to ``value`` that another name already claimed (reference mode)."""

    def _promote(self) -> None:
        """Enter every journaled object in the seen set (after a failure)."""

    def _open_depth(self) -> int:
        """How many frames ``enter`` opened that are not closed yet."""

    def _close_to(self, depth: int, owner: str | None, /) -> None:
        """Close frames left open past ``depth``; warn when ``owner``'s code left them."""

    def _note(self, message: str, /) -> None:
        """Add a warning; the same warning again only raises its count."""

    def _refill(self, name: str, value: object, error: Exception, /) -> None:
        """A typed visit's loop over ``value`` raised ``error``: visit it again from a copy."""


class PendingGraph(Protocol):
    """A flame graph an engine still holds in its own form (the compiled engine's FrameTree)."""

    def total(self) -> int:
        """Bytes of every frame."""

    def graph(self) -> FlameGraph:
        """The tree as a FlameGraph; called at most once."""


class Engine(EngineSide, Protocol):
    """What the entry points (``size_of``, ``FlameGraphBuilder``, retained size) ask of an
    engine: to measure, and to let go."""

    def measure(self, value: object, /) -> int:
        """Add ``value``'s tree to the total (size mode) and return the new total."""

    def visit_root(self, value: object, name: str | None, /) -> None:
        """Measure ``value``'s tree into the flame graph under ``name`` (or its type's)."""

    def finish(self) -> tuple[FlameGraph | PendingGraph, list[str]]:
        """The flame graph and the warnings; nothing measured is kept."""

    def release(self) -> None:
        """Drop every reference to measured objects."""

    def _outside(self, roots: list[object], /) -> tuple[list[object], list[int]]:
        """Reference mode, after measuring: objects held from outside too, and each root's
        references beyond the tree's."""

    def _exclude_claimed(self, other: Any, /) -> None:
        """Enter every object ``other`` claimed in the seen set: they are not counted."""


@runtime_checkable
class Allocative(Protocol):
    """An object that reports its fields to a :class:`Visitor`."""

    def __allocative__(self, visitor: Visitor) -> None:
        """Visit each field this object owns; its own bytes are already counted."""
