"""Forward references and postponed annotations: checked once the names resolve."""

from __future__ import annotations

from dataclasses import dataclass

from allocative import Visitor, allocative

early: Later  # a forward reference at module level: mypy analyses this module twice


@allocative
@dataclass
class Early:
    later: Later
    bad_later: BadLater
    items: list[Later]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_field("later", self.later)
        visitor.visit_field("bad_later", self.bad_later)
        visitor.visit_list("items", self.items)


@allocative
@dataclass
class Later:
    value: int

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_int("value", self.value)


class BadLater:
    """Defined after its use, and not measurable."""
