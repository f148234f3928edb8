"""What both engines must agree on, written once: limits, the names of gap frames and the
texts of warnings and errors.

``build_core.py`` writes every constant here into ``_core_src/constants.h`` (as
``ALLOCATIVE_<NAME>``) for the compiled engine; ``tests/test_build.py`` checks that the
header is current. This module imports nothing.
"""

from __future__ import annotations

from typing import Final

INLINE_DEPTH: Final = 12
"""Objects are expanded as soon as they are met, up to this many levels of nesting;
deeper ones wait on the work stack, so no tree can exhaust the C or Python stack."""

MAX_REPORTED: Final = 1 << 62
"""The most bytes ``visit_simple`` and ``enter`` may report in one measurement, in all (4
EiB): with the objects' own bytes, which the address space bounds, no total passes what
64 bits hold."""

MAX_TOTAL: Final = 2**63 - 1
"""The most bytes a measurement may hold in all: what the compiled engine counts in."""

UNUSED_CAPACITY: Final = "unused_capacity"
"""The gap frame of spare room in a container."""
DICT_STORAGE: Final = "__dict__"
"""The gap frame of per-instance attribute storage."""
ALLOCATOR_OVERHEAD: Final = "allocator_overhead"
"""The gap frame of the allocator's rounding (``allocator_overhead=True``)."""
VISIT_FAILED: Final = "[visit failed]"
"""The frame under which what a failed visit did not reach is measured, by type."""

CHANGED: Final = "changed while it was measured; measured again from a copy"
"""The warning for a container that another thread (or a method) changed mid-walk."""
STORAGE_CHANGED: Final = (
    "its attributes changed while they were measured; the rest are measured without their names"
)
"""The warning for an instance whose attribute storage changed while it was read."""
TEMPORARY: Final = (
    "the value visited is not held by the object: it was made while measuring (a property, "
    "a bound method, a class attribute read through getattr, a computed value); not counted"
)
"""The warning for a field visit given a temporary: nothing in the tree holds it, so it is
not part of the tree, and walking it could meet objects of the tree through references that
did not exist when they were counted."""

REENTRY: Final = (
    "cannot be called while this engine is measuring (from a method, a visit function or a "
    "__del__ it ran)"
)
"""Why a call back into a walking engine is refused (after the method's name and ``()``)."""
REINIT: Final = "Engine.__init__() may run once, before the engine measures"
NEGATIVE_REPORT: Final = "a reported size must not be negative"
TOO_MUCH_REPORTED: Final = "the sizes reported with visit_simple and enter pass 2**62 bytes"
TOTAL_OVERFLOW: Final = (
    "the sizes measured pass 2**63 - 1 bytes in all: a __sizeof__ or a visit function "
    "reported sizes no object has"
)
