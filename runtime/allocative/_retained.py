"""Retained size: the bytes that dropping the caller's last reference to a root would free.

An object of the tree is freed with its roots when every reference to it
comes from objects freed with them. The walk counts, for every object that
more than its owner might hold, the references the tree itself holds to it;
the interpreter's reference count says how many there are in all. An object
with more is held from outside, and so is everything it reaches. Three steps,
each a walk by the engine that measures:

1. measure the roots in reference mode: the total, and the objects held from
   outside (for a root, more references than the caller's own);
2. measure what those objects reach, together: the bytes that stay;
3. for a flame graph only, measure the roots again with everything step 2
   claimed excluded: the bytes that go, at their places; the rest of the full
   graph is what stays (``[shared]``).

"Outside" is any reference the walk did not meet: another variable or
container, a frame of the running code, a closure, a module global, an
object the engine does not look into (an opaque field, a C structure). Weak
references hold nothing. Objects the engine counts as the interpreter's
(interned strings, small ints, the empty tuple, types) count zero either way.
Reference counts are read only where the engines' gate trusts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from allocative import _engine, _registry
from allocative._gate import REFUSAL

SHARED: Final = "[shared]"
"""The frame under which a retained flame graph files the bytes that would stay."""


class RetainedSizeUnavailable(RuntimeError):
    """Reference counts cannot be trusted on this interpreter: no retained size is given."""


@dataclass(frozen=True)
class Retention:
    """What measuring with reference counts found: every byte, and the bytes that stay."""

    total: int
    shared: int
    survivors: Any
    """The engine that measured the bytes that stay (its seen set excludes them later)."""

    @property
    def retained(self) -> int:
        """The bytes that would be freed."""
        return self.total - self.shared


def _size_engine(references: bool, allocator_overhead: bool) -> Any:
    if _engine.engine().name == _engine.COMPILED:
        from allocative import _core

        return _core.Engine(
            allocator_overhead=allocator_overhead,
            custom=_registry.snapshot(),
            references=references,
        )
    from allocative._size_visitor import SizeVisitor

    return SizeVisitor(allocator_overhead=allocator_overhead, references=references)


def check_available() -> None:
    """Raise :class:`RetainedSizeUnavailable` where reference counts are not trusted."""
    if REFUSAL:
        raise RetainedSizeUnavailable(
            f"retained size needs exact reference counts, which are not read here: {REFUSAL}"
        )


def retention(
    roots: list[object], caller_refs: int, *, allocator_overhead: bool = False
) -> Retention:
    """Measure ``roots`` (steps 1 and 2 above).

    ``caller_refs`` is how many references to each root the caller's side holds
    in all (its variable, ``roots`` itself, the entry point's parameter): a root
    with more is held from outside. No local here names a root: that would be
    one reference more.
    """
    check_available()
    walk = _size_engine(True, allocator_overhead)
    total = 0
    for index in range(len(roots)):
        total = walk.measure(roots[index])
    held, root_refs = walk._outside(roots)
    walk.release()
    held.extend(roots[index] for index, refs in enumerate(root_refs) if refs > caller_refs)
    stay = _size_engine(False, allocator_overhead)
    shared = 0
    while held:
        shared = stay.measure(held.pop())
    return Retention(total, shared, stay)
