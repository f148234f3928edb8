"""allocative-any, once enabled: fields typed Any or left to inference."""
# mypy: disable-error-code="allocative-stale"
# mypy: enable-error-code="allocative-any"

from dataclasses import dataclass
from typing import Any

import attr

from allocative import allocative


def compute() -> int:
    return 1


@allocative
@dataclass
class Loose:
    anything: Any
    items: list[Any]
    bare: list
    known: list[int]


@allocative
@attr.s
class Classic:
    unannotated = attr.ib()


@allocative
class Plain:
    def __init__(self, size: int) -> None:
        self.size = size
        self.inferred = compute()
