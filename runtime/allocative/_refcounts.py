"""What an object's reference count says during a walk: held by one owner only, or a
temporary that nothing in the tree holds.

The counts are pinned for CPython 3.11 to 3.13 with the GIL (behind the gate); elsewhere
``EXCLUSIVE_REFS`` is 0 and neither conclusion is drawn.
"""

from __future__ import annotations

from typing import Final

from allocative._constants import TEMPORARY
from allocative._gate import RAW_READS


def temporary_warning(owner: str, name: str) -> str:
    """The warning for field ``name`` of class ``owner`` visited with a temporary."""
    return f"{owner}.{name}: {TEMPORARY}" if owner else f"{name}: {TEMPORARY}"


def _exclusive_refcount() -> int:
    """``sys.getrefcount`` of an object that exactly one owner holds, seen in a typed visit.

    Inside ``visit_float(self, name, value)`` called as ``visit_float("x", obj.x)``
    the count is the owner's reference, the parameter's and ``getrefcount``'s own:
    3. Such an object cannot be met again through another reference, so it needs
    no entry in the seen set: the measurement is faster and its bookkeeping
    smaller. Methods must visit each reference of ``self`` once (the engine's own
    passes over an object skip what its method counted). Only behind the gate
    (CPython 3.11 to 3.13 with the GIL, where the tests pin the count); elsewhere
    0 turns the shortcut off. A count below it is a temporary: only the parameter
    and ``getrefcount`` hold the value, nothing in the tree (:data:`TEMPORARY`).
    """
    return 3 if RAW_READS else 0


EXCLUSIVE_REFS: Final = _exclusive_refcount()
"""Above this count an object may have other owners and is checked against the seen set."""
BULK_EXCLUSIVE_REFS: Final = EXCLUSIVE_REFS - 1 if EXCLUSIVE_REFS else 0
"""The same bound for ``map(getrefcount, container)``, which holds no extra reference."""
ENTRY_EXCLUSIVE_REFS: Final = EXCLUSIVE_REFS + 1 if EXCLUSIVE_REFS else 0
"""The same bound for ``key`` or ``item`` in ``for key, item in d.items()``: the
iterator's result tuple, reused from one entry to the next, holds one more."""
