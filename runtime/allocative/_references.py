"""The pure engine's reference mode: the references a tree holds to each object it checks.

Retained size needs, for every object of the tree that more than its owner
might hold, how many references to it come from inside the tree. Every such
object is checked against the seen set once per reference the walk meets,
so in reference mode the seen set counts its membership tests. The compiled
engine does the same in C (``_core_src/references.c``).
"""

from __future__ import annotations

from collections.abc import Iterable

from allocative._layout import WORDS, object_at


class CountingSet(set[int]):
    """A seen set of ids that counts how many times each id was looked up.

    The engine looks an id up once for each reference it meets (the first
    lookup finds it missing, then claims it). Lookups that are not a
    reference met (``Visitor._is_new``) go through ``set.__contains__``.
    """

    __slots__ = ("met",)

    def __init__(self) -> None:
        super().__init__()
        self.met: dict[int, int] = {}

    def __contains__(self, key: object) -> bool:
        if type(key) is int:
            met = self.met
            met[key] = met.get(key, 0) + 1
        return set.__contains__(self, key)


def refcount_at(address: int) -> int:
    """The reference count of the live object at ``address`` (behind the gate only)."""
    return int(WORDS[address >> 3])


def outside(met: dict[int, int], root_ids: Iterable[int]) -> tuple[list[object], list[int]]:
    """Objects met that something outside the tree holds too, and each root's references
    beyond the tree's: what ``Engine._outside`` gives for the compiled engine.

    A root's first lookup is its own measurement, not a reference to it.
    """
    roots = list(root_ids)
    root_set = set(roots)
    held = [refcount_at(key) - max(met.get(key, 0) - 1, 0) for key in roots]
    found = [
        object_at(key)
        for key, count in met.items()
        if key not in root_set and refcount_at(key) - count > 0
    ]
    return found, held
