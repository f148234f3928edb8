"""The compiled measuring engine (C sources in ``_core_src/``): CPython 3.11-3.13 with the GIL."""

from collections.abc import Callable
from typing import Any, Final, final

from allocative._flamegraph import FlameGraph

ABI: Final[tuple[int, int]]
"""The ``(major, minor)`` Python version it was built for; it refuses to load on any other."""
LAYOUT: Final[dict[str, int]]
"""Offsets of interpreter structures the pure engine reads (``ht_cached_keys``), as this
build's headers give them."""

@final
class AddressSet:
    """A set of object addresses: holds no reference to the objects it has seen.

    An address identifies its object only while that object is alive. The
    table is 1/2 to 3/4 full: 10.7 to 16 bytes per address.
    """

    def __init__(self) -> None: ...
    def add(self, obj: object, /) -> bool:
        """Add ``obj``'s address; ``True`` when it was not there yet."""
    def __contains__(self, obj: object, /) -> bool: ...
    def __len__(self) -> int: ...
    def clear(self) -> None:
        """Forget every address and free the table."""
    def memory(self) -> int:
        """Bytes the table holds."""

@final
class FrameTree:
    """A finished flame graph tree, held in the engine's arena until a FlameGraph is asked for."""

    def total(self) -> int:
        """Bytes of every frame."""
    def graph(self) -> FlameGraph:
        """The tree as a FlameGraph; the tree itself is freed (RuntimeError if called again)."""
    def __len__(self) -> int: ...

@final
class Engine:
    """The compiled engine: the Visitor that ``__allocative__`` methods call, and the walk.

    It holds every object it keeps (seen set, journal, stack) until ``finish`` or
    ``release``; a walk in progress refuses ``measure``, ``visit_root``, ``finish``,
    ``release`` and ``__init__`` with RuntimeError. ``Engine.__new__`` alone gives a working
    size engine; ``__init__`` may run once, before it measures.
    """

    _owner: str
    _field: str

    def __init__(
        self,
        frames: bool = False,
        allocator_overhead: bool = False,
        max_depth: int = ...,
        custom: dict[type, Callable[[Any, Any], None]] = ...,
        references: bool = False,
    ) -> None: ...
    def visit_field(self, name: str, value: object) -> None: ...
    def visit_item(self, value: object) -> None: ...
    def visit_opaque(self, name: str, value: object) -> None: ...
    def visit_simple(self, name: str, size: int) -> None: ...
    def enter(self, name: str, size: int = 0) -> None: ...
    def exit(self) -> None: ...
    def skip(self, name: str) -> None: ...
    def visit_field_with(
        self, name: str, value: object, visit: Callable[[Any, Any], None]
    ) -> None: ...
    def visit_str(self, name: str, value: object) -> None: ...
    def visit_int(self, name: str, value: object) -> None: ...
    def visit_float(self, name: str, value: object) -> None: ...
    def visit_bytes(self, name: str, value: object) -> None: ...
    def visit_list(self, name: str, value: object, item: type | None = None) -> None: ...
    def visit_tuple(self, name: str, value: object, item: type | None = None) -> None: ...
    def visit_set(self, name: str, value: object, item: type | None = None) -> None: ...
    def visit_dict(
        self, name: str, value: object, key: type | None = None, item: type | None = None
    ) -> None: ...
    def visit_stored(self, name: str, owner: object) -> None: ...
    def _visit_named(self, name: str, value: object, /) -> None: ...
    def _mark(self) -> int: ...
    def _claimed_since(self, mark: int, /) -> set[int]: ...
    def _is_new(self, value: object, here: set[int], /) -> bool: ...
    def _meet_again(self, value: object, /) -> None: ...
    def _promote(self) -> None: ...
    def _open_depth(self) -> int: ...
    def _close_to(self, depth: int, owner: str | None, /) -> None: ...
    def _note(self, message: str, /) -> None: ...
    def _refill(self, name: str, value: object, error: Exception, /) -> None: ...
    def measure(self, value: object, /) -> int:
        """Total bytes of ``value``'s tree (without frames)."""
    def visit_root(self, value: object, name: str | None, /) -> None:
        """Measure ``value``'s tree into the flame graph."""
    def finish(self) -> tuple[FrameTree, list[str]]:
        """The frame tree and warnings; nothing measured is kept, a new tree is started."""
    def release(self) -> None:
        """Drop every reference to measured objects."""
    def _outside(self, roots: list[object], /) -> tuple[list[object], list[int]]:
        """In reference mode, after measure(): objects met that are held from outside too,
        and each root's references beyond the tree's and the engine's."""
    def _exclude_claimed(self, other: Engine, /) -> None:
        """Enter every object ``other`` claimed in the seen set: they are not counted."""
    def bookkeeping(self) -> dict[str, int]:
        """Bytes of the engine's own bookkeeping: its peak, and the seen set, stack, journal
        and frames now."""
