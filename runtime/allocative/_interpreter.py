"""Whether the compiled engine can run on this interpreter: one rule for the build and the runtime.

The compiled engine reads the interpreter's own structures, whose layout is
tested on CPython 3.11, 3.12 and 3.13 with the GIL only. This module imports
nothing from the package, so the build loads it by path.
"""

from __future__ import annotations

import sys
import sysconfig
from typing import Final

SUPPORTED_VERSIONS: Final = ((3, 11), (3, 12), (3, 13))
"""The CPython ``(major, minor)`` versions whose structures the compiled engine knows."""


def unsupported_reason() -> str | None:
    """Why the compiled engine cannot run on this interpreter, or ``None`` when it can."""
    name = sys.implementation.name
    major, minor = sys.version_info[:2]
    if name != "cpython":
        return f"the compiled engine needs CPython, not {name}"
    if (major, minor) not in SUPPORTED_VERSIONS:
        return f"the compiled engine supports CPython 3.11 to 3.13, not {major}.{minor}"
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        return "the compiled engine needs the GIL: free-threaded builds are not supported"
    return None
