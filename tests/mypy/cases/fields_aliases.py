"""allocative-field through type aliases, generic aliases, recursive aliases and Annotated."""
# mypy: disable-error-code="allocative-stale"
# ruff: noqa: UP007

from dataclasses import dataclass
from typing import Annotated, TypeVar, Union

from allocative import allocative, skip


class Bad:
    """Neither built in nor with an ``__allocative__`` method."""


T = TypeVar("T")
Items = list[Bad]
Pair = tuple[T, T]
Json = Union[dict[str, "Json"], list["Json"], str, Bad]
Tree = Union[dict[str, "Tree"], int]
Documented = Annotated[Bad, "a comment, not a field option"]
SkippedAlias = Annotated[Bad, skip]


@allocative
@dataclass
class Aliases:
    items: Items
    pair_of_bad: Pair[Bad]
    pair_of_int: Pair[int]
    recursive_bad: Json
    recursive_fine: Tree
    documented: Documented
    annotated_without_option: Annotated[Bad, "unit: bytes"]
    # The option of an alias is not the field's own: the generator visits the field.
    option_behind_alias: SkippedAlias
