"""A type rule: how the objects of one type are measured.

A :class:`TypeRule` is resolved once per type per measurement (``_resolve``)
and cached by the engine, so the hot path is one dict lookup per object. The
built-in types' rules live in ``_impls``, one module per family of types;
a class's instances are measured by ``_instances``.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from allocative._instances import Instances
    from allocative._protocols import EngineSide

Expand = Callable[["EngineSide", Any], None]
"""``expand(engine, value)``: visit what ``value`` refers to; its own bytes are counted."""
Buffers = Callable[[Any], tuple[int, ...]]
"""The sizes of the blocks an object allocated apart from its own struct."""
Blocks = Callable[[Any], tuple[int, ...]]
"""An object's blocks: its own struct first, then each separate allocation."""
getsizeof: Final = sys.getsizeof


class TypeRule:
    """Everything an engine needs to measure one type's objects.

    ``size`` gives an object's own bytes; ``owned_by_nobody`` says that an object
    is the interpreter's (a small int, an interned string) and counts zero;
    ``unused`` is the part of ``size`` that is spare capacity; ``values_bytes``
    is an instance's attribute values storage, apart from ``size``; ``expand``
    visits what an object refers to; ``blocks`` splits its bytes by allocation
    (for allocator rounding). ``reflective`` says that objects without a method
    are measured by their attributes, with a warning; ``fixed_size`` that
    ``size`` is the same for every object of the type; ``instances`` is how a
    class's instances are measured.
    """

    __slots__ = (
        "blocks",
        "expand",
        "fixed_size",
        "instances",
        "name",
        "owned_by_nobody",
        "reflective",
        "size",
        "unused",
        "values_bytes",
    )

    def __init__(
        self,
        name: str,
        size: Callable[[Any], int] = getsizeof,
        *,
        owned_by_nobody: Callable[[Any], bool] | None = None,
        unused: Callable[[Any], int] | None = None,
        values_bytes: Callable[[Any], int] | None = None,
        expand: Expand | None = None,
        blocks: Blocks | None = None,
        reflective: bool = False,
    ) -> None:
        self.name = name
        self.size = size
        self.owned_by_nobody = owned_by_nobody
        self.unused = unused
        self.values_bytes = values_bytes
        self.expand = expand
        self.blocks = blocks
        self.reflective = reflective
        self.fixed_size = False
        self.instances: Instances | None = None

    def with_expand(self, expand: Expand) -> TypeRule:
        """A copy of this rule that expands its objects with ``expand``."""
        rule = copy.copy(self)
        rule.expand = expand
        return rule


def always(value: object) -> bool:
    """An ``owned_by_nobody`` that holds for every object."""
    return True


def no_buffers(value: object) -> tuple[int, ...]:
    """An object allocated in one block."""
    return ()


def block_sizes(
    size: Callable[[Any], int],
    buffers: Buffers,
    values: Callable[[Any], int] | None = None,
) -> Blocks:
    """``blocks(value)``: the object's own struct first, then each separate allocation.

    ``values`` is a separately allocated attribute values array (3.11/3.12 instances).
    """

    def blocks(value: Any) -> tuple[int, ...]:
        separate = buffers(value)
        total = size(value)
        if values is not None:
            array_bytes = values(value)
            if array_bytes:
                separate = (*separate, array_bytes)
                total += array_bytes
        return (total - sum(separate), *separate)

    return blocks
