"""Which base methods a generated method calls, and which inherited fields it visits inline.

Pure Python (no libcst, no jinja2, no mypy), shared by the generator and the
mypy plugin, like :mod:`allocative_gen.rules`. Both describe classes through
:class:`ClassGraph`: the generator from source, the plugin from mypy's
``TypeInfo``.

The rule: every field of the class's MRO is visited exactly once.

- ``Base.__allocative__(self, visitor)`` runs the method of the first class in
  ``Base``'s MRO that has one (:func:`method_owner`); that method visits every
  field of *its* MRO, plus the per-instance state of a pydantic model
  (:func:`call_covers`).
- The bases are taken last to first (the order of a dataclass's fields). A
  base is called when it reaches a method and none of the fields that call
  covers is covered already (by an earlier call or inline visit); otherwise no
  call is made for it. Then every field of the base's MRO not covered yet is
  visited inline, most basic class first.
- The class's own fields not covered yet follow, then its own extra state.

So in a diamond ``D(B, C)`` with ``B(A)`` and ``C(A)``, ``C`` is called (it
covers ``A``'s fields and ``C``'s), ``B``'s call would visit ``A``'s fields a
second time, so ``B``'s own fields are visited inline instead.

A field declared again by a subclass is one field, as in a dataclass: it is
visited once, where it is first met (its place in the base), but as the class
first in the MRO to declare it says (:func:`declarers`): the subclass's type,
option and ``@opaque``. A base's method visits the field as *its* MRO declares
it, so a base is not called when the class's MRO redeclares one of the fields
that call covers with another visit (:func:`overridden`); its fields are then
visited inline. A field whose declaration is an ``@opaque`` class's is covered
but not visited.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Generic, NamedTuple, Protocol, TypeVar

K = TypeVar("K", bound=Hashable)


class ClassGraph(Protocol[K]):
    """What the rule needs to know about a class ``K`` and its ancestors."""

    def bases(self, cls: K) -> Sequence[K]:
        """The class's direct bases that may hold fields, in the order written."""

    def mro(self, cls: K) -> Sequence[K]:
        """The class and its ancestors that may hold fields, in method resolution order."""

    def fields(self, cls: K) -> Sequence[str]:
        """The names of the fields the class declares itself (skipped ones included)."""

    def has_method(self, cls: K) -> bool:
        """Whether the class itself has an ``__allocative__`` (marked, opaque or written)."""

    def is_opaque(self, cls: K) -> bool:
        """Whether the class is ``@opaque``: its fields are not visited."""

    def extras(self, cls: K) -> Sequence[str]:
        """Per-instance state the class's own method visits besides fields (pydantic's)."""

    def visit_of(self, cls: K, name: str) -> Hashable:
        """How the class's own declaration of field ``name`` is visited, compared between
        declarations (equal: visited alike; the class's ``@opaque`` included)."""


class CallBase(NamedTuple):
    """Call the method reached through the class's ``position``-th direct base (0: the first)."""

    position: int


class InlineField(NamedTuple, Generic[K]):
    """Visit the field ``name`` inline, as ``owner`` declares it (the field's declarer)."""

    owner: K
    name: str


class Plan(NamedTuple, Generic[K]):
    """The steps of a class's method and the classes whose fields it visits itself.

    ``opened`` are the classes of the MRO not wholly covered by a call: a
    problem with one of them (a base not found) concerns the class's method.
    """

    steps: list[CallBase | InlineField[K]]
    opened: list[K]


def method_owner(graph: ClassGraph[K], cls: K) -> K | None:
    """The class whose method ``cls.__allocative__`` runs: the first of ``cls``'s MRO with one."""
    for ancestor in graph.mro(cls):
        if graph.has_method(ancestor):
            return ancestor
    return None


def call_covers(graph: ClassGraph[K], cls: K) -> frozenset[str]:
    """The fields and state ``cls.__allocative__(self, visitor)`` visits (or deliberately not)."""
    owner = method_owner(graph, cls)
    if owner is None:
        return frozenset()
    names = {name for ancestor in graph.mro(owner) for name in graph.fields(ancestor)}
    return frozenset(names.union(graph.extras(owner)))


def declarers(graph: ClassGraph[K], cls: K) -> dict[str, K]:
    """Each field of ``cls``'s MRO and the class whose declaration of it is the field's:
    the first of the MRO to declare it (a subclass's redeclaration wins, as in Python)."""
    found: dict[str, K] = {}
    for ancestor in graph.mro(cls):
        for name in graph.fields(ancestor):
            found.setdefault(name, ancestor)
    return found


def overridden(
    graph: ClassGraph[K], cls: K, base: K, declared: dict[str, K] | None = None
) -> list[str]:
    """The fields ``base.__allocative__(self, visitor)`` would visit otherwise than ``cls``
    declares them: redeclared below the called method's class with another visit.

    ``declared`` is ``declarers(graph, cls)`` when the caller has it already.
    """
    owner = method_owner(graph, base)
    if owner is None:
        return []
    if declared is None:
        declared = declarers(graph, cls)
    found = []
    for name, theirs in declarers(graph, owner).items():
        mine = declared.get(name, theirs)
        if mine is not theirs and graph.visit_of(mine, name) != graph.visit_of(theirs, name):
            found.append(name)
    return found


def plan(graph: ClassGraph[K], cls: K) -> Plan[K]:
    """The steps of the generated method of ``cls``: each field of its MRO visited once."""
    steps: list[CallBase | InlineField[K]] = []
    covered: set[str] = set()
    called: set[K] = set()
    declared = declarers(graph, cls)
    bases = graph.bases(cls)
    for index in reversed(range(len(bases))):
        base = bases[index]
        owner = method_owner(graph, base)
        if owner is not None:
            covers = call_covers(graph, owner)
            if covers.isdisjoint(covered) and not overridden(graph, cls, owner, declared):
                steps.append(CallBase(index))
                covered |= covers
                called.update(graph.mro(owner))
        for ancestor in reversed(graph.mro(base)):
            _inline(graph, ancestor, covered, steps, declared)
    _inline(graph, cls, covered, steps, declared)
    for name in graph.extras(cls):
        if name not in covered:
            covered.add(name)
            steps.append(InlineField(cls, name))
    opened = [ancestor for ancestor in graph.mro(cls) if ancestor not in called]
    return Plan(steps, opened)


def _inline(
    graph: ClassGraph[K],
    cls: K,
    covered: set[str],
    steps: list[CallBase | InlineField[K]],
    declared: dict[str, K],
) -> None:
    """Visit inline the fields ``cls`` declares that nothing covers yet, each by the
    declaration that is the field's (``declared``: a subclass's redeclaration)."""
    for name in graph.fields(cls):
        if name in covered:
            continue
        covered.add(name)
        owner = declared.get(name, cls)
        if not graph.is_opaque(owner):
            steps.append(InlineField(owner, name))


def linearize(cls: K, bases: Sequence[K], mro_of: dict[K, list[K]]) -> list[K]:
    """The C3 method resolution order of ``cls`` from its bases' (in ``mro_of``).

    Falls back to depth-first order without repeats when the bases admit no
    consistent order (Python would refuse to create the class).
    """
    sequences = [list(mro_of[base]) for base in bases] + [list(bases)]
    found = [cls]
    while True:
        sequences = [sequence for sequence in sequences if sequence]
        if not sequences:
            return found
        for sequence in sequences:
            head = sequence[0]
            if not any(head in other[1:] for other in sequences):
                break
        else:
            return _depth_first(cls, bases, mro_of)
        found.append(head)
        for sequence in sequences:
            if sequence[0] == head:
                del sequence[0]


def _depth_first(cls: K, bases: Sequence[K], mro_of: dict[K, list[K]]) -> list[K]:
    found = [cls]
    for base in bases:
        found.extend(ancestor for ancestor in mro_of[base] if ancestor not in found)
    return found
