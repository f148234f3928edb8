"""The pure engine's reference mode: the references a tree holds to each object it checks.

Retained size needs, for every object of the tree that more than its owner
might hold, how many references to it come from inside the tree. Every such
object is checked against the seen set once per reference the walk meets,
so in reference mode the seen set counts its membership tests. It holds each
object it was given, like every seen set: the counts are read from live
objects after the walk, never from an id whose object may be gone. The
compiled engine does the same in C (``_core_src/references.c``).
"""

from __future__ import annotations

from sys import getrefcount
from typing import Final


class CountingSeen(dict[int, object]):
    """A seen set (id -> object) that counts how many times each id was looked up.

    The engine looks an id up once for each reference it meets (the first
    lookup finds it missing, then claims it). Lookups that are not a
    reference met (``Visitor._is_new``) go through ``dict.__contains__``.
    """

    __slots__ = ("met",)

    def __init__(self) -> None:
        super().__init__()
        self.met: dict[int, int] = {}

    def __contains__(self, key: object) -> bool:
        if type(key) is int:
            met = self.met
            met[key] = met.get(key, 0) + 1
        return dict.__contains__(self, key)


_OWN_REFERENCES: Final = 3
"""What ``getrefcount(value)`` counts of this module's own in :func:`outside`: the seen
set's entry, the loop's variable and the call's argument."""


def outside(seen: CountingSeen, roots: list[object]) -> tuple[list[object], list[int]]:
    """Objects met that something outside the tree holds too, and each root's references
    beyond the tree's: what ``Engine._outside`` gives for the compiled engine.

    A root's first lookup is its own measurement, not a reference to it; a root that
    was never claimed is counted whole (less the references of ``roots`` and the
    caller's argument, which the caller counts as its own).
    """
    met = seen.met
    root_ids = {id(root) for root in roots}
    held = []
    for root in roots:
        key = id(root)
        tree = max(met.get(key, 0) - 1, 0)
        own = _OWN_REFERENCES if dict.__contains__(seen, key) else _OWN_REFERENCES - 1
        held.append(getrefcount(root) - own - tree)
    found = []
    for key in list(seen):
        if key in root_ids:
            continue
        value = dict.__getitem__(seen, key)
        if getrefcount(value) - _OWN_REFERENCES - met.get(key, 0) > 0:
            found.append(value)
    return found, held
