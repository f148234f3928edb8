"""Fields with skip, opaque or visit_with are not checked, however the option is spelled."""
# mypy: disable-error-code="allocative-stale"

from dataclasses import dataclass
from typing import Annotated, Any

import allocative as alloc
from allocative import Visitor, allocative, opaque, skip, visit_with


class Bad:
    """Neither built in nor with an ``__allocative__`` method."""


def visit_bad(value: Any, visitor: Visitor) -> None:
    """A custom visit function."""


def not_an_option(function: Any) -> Any:
    """A call in ``Annotated`` that is not ``visit_with``: mypy keeps only a note of it."""


@allocative
@dataclass
class Options:
    skipped: Annotated[Bad, skip]
    opaque_field: Annotated[Bad, opaque]
    custom: Annotated[Bad, visit_with(visit_bad)]
    other_call: Annotated[Bad, not_an_option(visit_bad)]
    quoted: "Annotated[Bad, skip]"
    dotted: Annotated[Bad, alloc.skip]
    dotted_call: Annotated[list[Bad], alloc.visit_with(visit_bad)]
    first_of_several: Annotated[Bad, "doc", skip]
    inner_option_is_not_the_fields: list[Annotated[Bad, skip]]
