"""The one gate in front of every raw read of interpreter memory.

The runtime reads a few facts that no public API gives without side effects
(an instance's attribute storage, whether a string is interned, a deque's
cached blocks) straight from memory, at offsets the tests pin for CPython
3.11, 3.12 and 3.13 with the GIL. On any other interpreter (PyPy, a
free-threaded build, 3.14 and later) a wrong offset would read arbitrary
memory, so there the runtime measures with public APIs only
(``sys.getsizeof``, ``gc.get_referents``, declared attribute names) and says
once, in the warnings, which figures are estimates. ``ALLOCATIVE_RAW_READS=0``
forces that mode on a tested interpreter.
"""

from __future__ import annotations

import os
import sys
from typing import Final

TESTED_VERSIONS: Final = ((3, 11), (3, 12), (3, 13))


def _refusal() -> str:
    """Why raw reads are off here, or ``""`` when they are allowed."""
    if os.environ.get("ALLOCATIVE_RAW_READS", "1") == "0":
        return "ALLOCATIVE_RAW_READS=0 is set"
    return untested_interpreter()


def untested_interpreter() -> str:
    """Why this interpreter's layout is not one the tests pin, or ``""`` when it is.

    The compiled engine's build asks this too: it is built only where it may read.
    """
    if sys.implementation.name != "cpython":
        return f"{sys.implementation.name} is not CPython"
    if sys.version_info[:2] not in TESTED_VERSIONS:
        version = ".".join(map(str, sys.version_info[:2]))
        return f"CPython {version}'s object layout is not one the runtime was tested on"
    if not getattr(sys, "_is_gil_enabled", lambda: True)():
        return "this is a free-threaded build"
    if sys.maxsize != 2**63 - 1:
        return "this is not a 64-bit build"
    return ""


REFUSAL: Final = _refusal()
RAW_READS: Final = not REFUSAL
"""Whether interpreter memory may be read at the offsets the tests pin."""

GATED_WARNING: Final = (
    f"measured with public APIs only ({REFUSAL}): per-instance attribute storage is estimated "
    "from the attribute count, interned strings are counted as owned, a deque's cached "
    "blocks and a string's cached UTF-8 copy are not seen, and attributes are named only "
    "where the class declares them"
)
"""The warning a measurement carries when raw reads are off."""
