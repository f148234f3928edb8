"""Growth in a diff that may be shared objects counted at another stack, not new bytes.

An object is counted once, where the traversal first meets it. When the
stack that met a shared object first no longer reaches it (its owner was
removed, or fields were reordered), the object is counted at the next stack
that does: that stack grows although nothing was allocated. From two folded
files this cannot be proven (a moved object and a freed one plus a new one of
the same type leave the same stacks), but its sign can: a stack grew while
the bytes of its type did not grow in all, so at least as many bytes of that
type went from other stacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from allocative._render.frames import GAPS, human_bytes, owning_type, signed_bytes

Stacks = Mapping[tuple[str, ...], int]


@dataclass(frozen=True, slots=True)
class Moves:
    """Of one type that did not grow in all: the stacks that grew and those that shrank."""

    owner: str
    change: int
    grew: list[tuple[str, int, int]]
    shrank: list[tuple[str, int, int]]

    @property
    def moved(self) -> int:
        """The bytes that may have moved: all that grew, as at least as much shrank."""
        return sum(after - before for _, before, after in self.grew)


def possible_moves(before: Stacks, after: Stacks) -> list[Moves]:
    """Each type with a stack that grew while the type's total did not, most bytes first.

    An object's gap frames count with the object: a dict that fills its spare
    capacity moves bytes from ``dict;unused_capacity`` to ``dict``, and that is no move.
    """
    old_objects, new_objects = _by_object(before), _by_object(after)
    changes: dict[str, list[tuple[str, int, int]]] = {}
    for path in old_objects.keys() | new_objects.keys():
        old, new = old_objects.get(path, 0), new_objects.get(path, 0)
        if old != new:
            changes.setdefault(owning_type(path), []).append((";".join(path), old, new))
    found = []
    for owner, rows in changes.items():
        change = sum(new - old for _, old, new in rows)
        grew = [row for row in rows if row[2] > row[1]]
        if change <= 0 and grew:
            shrank = [row for row in rows if row[2] < row[1]]
            found.append(Moves(owner, change, _largest(grew), _largest(shrank)))
    found.sort(key=lambda moves: (-moves.moved, moves.owner))
    return found


def _by_object(stacks: Stacks) -> dict[tuple[str, ...], int]:
    """Bytes by stack, each gap frame's bytes added to the object it belongs to."""
    objects: dict[tuple[str, ...], int] = {}
    for path, size in stacks.items():
        owner = path[:-1] if path[-1] in GAPS and len(path) > 1 else path
        objects[owner] = objects.get(owner, 0) + size
    return objects


def _largest(rows: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    return sorted(rows, key=lambda row: (-abs(row[2] - row[1]), row[0]))


EXPLANATION = (
    "These stacks grew while their type did not grow in all. An object is counted once, where "
    "the traversal first meets it: when the stack that met a shared object first no longer "
    "reaches it, the next stack that does counts it and grows without any new allocation. "
    "Two folded files cannot tell this from freed objects and new ones of the same type."
)


def type_change(moves: Moves) -> str:
    """How the type's total changed: ``Decimal: -1.2 KiB in all``, ``Decimal: unchanged in all``."""
    change = signed_bytes(moves.change) if moves.change else "unchanged"
    return f"{moves.owner}: {change} in all"


def describe(moves: Moves) -> str:
    """One sentence for a note: which stacks grew, how their type changed, where it shrank most."""
    stack = moves.grew[0][0]
    others = f" and {len(moves.grew) - 1} more stacks" if len(moves.grew) > 1 else ""
    source, was, now = moves.shrank[0]
    change = signed_bytes(moves.change) if moves.change else "unchanged"
    return (
        f"{stack}{others} grew by {signed_bytes(moves.moved)}, but {moves.owner} did not grow "
        f"in all ({change}; {source} {human_bytes(now - was)}): possibly shared objects that "
        "another stack counted before, where the traversal met them first"
    )
