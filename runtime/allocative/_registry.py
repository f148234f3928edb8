"""Process-wide registrations: visit functions for types you do not own, and global roots."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from allocative._marker import _Opaque, _visit_nothing

if TYPE_CHECKING:
    from allocative._protocols import Visitor

_lock = threading.Lock()
_custom: dict[type, Callable[[Any, Visitor], None]] = {}
_roots: list[tuple[str, object]] = []


def register(tp: type, visit: Callable[[Any, Visitor], None] | _Opaque) -> None:
    """Measure instances of ``tp`` with ``visit(obj, visitor)``, or own size only if ``opaque``.

    For types you cannot add ``__allocative__`` to (third-party classes). The
    object's own bytes are counted by the runtime; ``visit`` reports what it owns.
    """
    fn = _visit_nothing if isinstance(visit, _Opaque) else visit
    with _lock:
        _custom[tp] = fn


def snapshot() -> dict[type, Callable[[Any, Visitor], None]]:
    """The registered visit functions, copied for one measurement."""
    with _lock:
        return dict(_custom)


def register_root(obj: object, name: str) -> None:
    """Add ``obj`` to the global roots that ``FlameGraphBuilder.visit_global_roots`` measures.

    The registry holds a strong reference until :func:`unregister_root`.
    """
    with _lock:
        _roots.append((name, obj))


def unregister_root(name: str) -> None:
    """Remove every global root registered under ``name``."""
    with _lock:
        _roots[:] = [(n, o) for n, o in _roots if n != name]


def global_roots() -> list[tuple[str, object]]:
    """The registered roots, in registration order."""
    with _lock:
        return list(_roots)
