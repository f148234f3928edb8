"""allocative-any is off by default: Any and unannotated fields are not reported."""
# mypy: disable-error-code="allocative-stale"

from dataclasses import dataclass
from typing import Any

import attr

from allocative import allocative


@allocative
@dataclass
class Loose:
    anything: Any
    items: list[Any]


@allocative
@attr.s
class Classic:
    unannotated = attr.ib()
