"""allocative-field: an unmeasurable class anywhere inside a field's type."""
# mypy: disable-error-code="allocative-stale"
# ruff: noqa: UP045

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Optional

from allocative import allocative


class Bad:
    """Neither built in nor with an ``__allocative__`` method."""


@allocative
@dataclass
class Containers:
    plain: Bad
    in_list: list[Bad]
    in_dict_value: dict[str, Bad]
    in_dict_key: dict[Bad, int]
    optional: Bad | None
    typing_optional: Optional[Bad]
    in_tuple: tuple[int, Bad]
    in_variadic_tuple: tuple[Bad, ...]
    nested: dict[str, list[set[Bad]]]
    in_deque: deque[Bad]
    in_sequence: Sequence[Bad]
    in_mapping: Mapping[str, Bad]
    reported_once: tuple[Bad, Bad]
    fine: dict[str, list[int]]
