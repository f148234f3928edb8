"""The plugin's error codes, usable in ``# type: ignore[...]`` and ``--enable-error-code``."""

from __future__ import annotations

from typing import Final

from mypy.errorcodes import ErrorCode

_CATEGORY: Final = "allocative"

FIELD: Final = ErrorCode(
    "allocative-field",
    "Check that each field of an @allocative class can be measured",
    _CATEGORY,
)
GENERIC: Final = ErrorCode(
    "allocative-generic",
    "Check that a type variable field of an @allocative class is bound to a measurable type",
    _CATEGORY,
    sub_code_of=FIELD,
)
ANY: Final = ErrorCode(
    "allocative-any",
    "Report fields of @allocative classes typed Any or left to inference",
    _CATEGORY,
    default_enabled=False,
)
STALE: Final = ErrorCode(
    "allocative-stale",
    "Check that the generated __allocative__ method visits exactly the current fields",
    _CATEGORY,
)
MARK: Final = ErrorCode(
    "allocative-mark",
    "Check that @allocative marks a class whose instances a method can measure",
    _CATEGORY,
)
