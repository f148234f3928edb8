"""``# type: ignore[code]`` on a field's line silences exactly that field's error."""
# mypy: disable-error-code="allocative-stale"
# mypy: warn-unused-ignores

from dataclasses import dataclass
from typing import Generic, TypeVar

from allocative import allocative


class Bad:
    """Neither built in nor with an ``__allocative__`` method."""


T = TypeVar("T")


@allocative
@dataclass
class Holder(Generic[T]):
    item: T


@allocative
@dataclass
class Silenced:
    silenced: Bad  # type: ignore[allocative-field]
    reported: Bad
    generic_by_parent_code: Holder[Bad]  # type: ignore[allocative-field]
    generic_by_own_code: Holder[Bad]  # type: ignore[allocative-generic]
    wrong_code_keeps_the_error: Bad  # type: ignore[allocative-stale]
