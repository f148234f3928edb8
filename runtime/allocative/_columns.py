"""Measure many instances of one generated class a field at a time: one column per visit.

A list of 200,000 records of one class is the common shape of large state.
Visiting each record calls its ``__allocative__`` and several typed visits;
here the class's plan (``_plans``) is applied to a whole run of records: each
field is read for every record with ``map(attrgetter(...))``, and the column's
types, reference counts and sizes are taken with ``map`` over built-in
functions, so the per-object work runs in C. Dicts whose keys are the same
objects in the same order (records kept as dicts) are split into one column
per key.

Exactness follows the refcount rule of typed visits. A column is a list that
holds one more reference to each of its objects; an object whose count is
its owner's, the column's and ``getrefcount``'s own (``COLUMN_EXCLUSIVE_REFS``)
has no other owner, so it is counted without the seen set. Other scalars are
counted once if all their owners are in the run (``_close_shared``), else
checked against the seen set in bulk, as typed visits would. Values whose
type is not the declared one, containers held elsewhere and values of other
classes are visited one by one afterwards. Nothing is counted until every
column of a run was read: a run that raises (an unset attribute) is left to
the per-object path untouched.
"""

from __future__ import annotations

from collections import Counter
from itertools import chain, compress, cycle, repeat
from operator import add, countOf, eq, is_, not_
from sys import getrefcount, getsizeof
from typing import TYPE_CHECKING, Any, Final

from allocative._kinds import GC_HEADER, MEDIUM_INT_STRUCT, ONE_DIGIT_INT
from allocative._layout import (
    BYTES,
    STR_INTERNED,
    STR_STATE_OFFSET,
    SUPPORTED,
    any_split_dict,
)
from allocative._plans import SCALARS, Column, Plan
from allocative._visitor import BULK_EXCLUSIVE_REFS

if TYPE_CHECKING:
    from allocative._size_visitor import SizeVisitor

COLUMN_EXCLUSIVE_REFS: Final = BULK_EXCLUSIVE_REFS + 1 if BULK_EXCLUSIVE_REFS else 0
"""``getrefcount`` of an object that one owner holds, mapped over a column listing it."""

_FLOAT_BYTES: Final = float.__sizeof__(0.5)
_CLOSED_EXTRA_REFS: Final = 2
"""References ``_closed`` holds on a listed scalar besides its listings: one list, one argument."""
_FOLDED_EXTRA_REFS: Final = 2
"""The same for the first of lists folded together, which also lists it once."""
_SMALL_INTS: Final = frozenset(range(-5, 257))
"""The interpreter's own ints, never counted."""
_LONG: Final = 2
"""Strings and bytes shorter than this may be the interpreter's own (see ``visit_str``)."""
_INTERNED_STATES: Final = bytes(b for b in range(256) if not b & STR_INTERNED)
"""State bytes of strings that are not interned, for ``bytes.translate(None, ...)``."""

Later = list[tuple[str, list[Any], tuple[Any, ...]]]
"""Visits left for after a run's bytes are added: visitor method, values, extra arguments."""


class Run:
    """The bytes of one run of records and what is left for after they are added: visits
    one by one (``later``) and scalars that may have other owners, by type (``shared``)."""

    __slots__ = ("later", "shared", "total")

    def __init__(self) -> None:
        self.total = 0
        self.later: Later = []
        self.shared: list[tuple[type, list[Any]]] = []


def measure_run(
    visitor: SizeVisitor, own: int, plan: Plan, records: list[Any], ids: list[int]
) -> bool:
    """Count ``records`` (one class, each held only by its container and ``records``).

    ``own`` is the records' own bytes, ``ids`` their ids. Returns False, having
    changed nothing, when a field cannot be read for every record.
    """
    run = Run()
    run.total = own
    try:
        for column in plan:
            _column(run, column, *_read_column(column, records))
        others = _close_shared(run)
    except Exception:
        return False
    visitor._journal.extend(ids)
    _commit(visitor, run, others)
    return True


def measure_items(visitor: SizeVisitor, items: list[Any]) -> None:
    """Count ``items`` (each held by one slot of a claimed container and by ``items``)
    by type, in bulk where they are scalars; the others are visited one by one."""
    run = Run()
    _dynamic(run, items, list(map(getrefcount, items)))
    others = _close_shared(run)
    visitor._journal.extend(map(id, items))  # they are the container's direct referents
    _commit(visitor, run, others)


def _commit(visitor: SizeVisitor, run: Run, others: list[tuple[type, list[Any]]]) -> None:
    """Add a run's bytes, then check its other shared scalars and make the visits it left."""
    visitor.total += run.total
    for tp, values in others:
        visitor.total += _new_shared_bytes(visitor, tp, values)
    for name, values, extra in run.later:
        visit = getattr(visitor, name)
        for value in values:
            visit("", value, *extra)


def _read_column(column: Column, records: list[Any]) -> tuple[list[Any], list[int]]:
    """The column's values and their reference counts while only the records and it hold them."""
    values = list(map(column.read, records))
    return values, list(map(getrefcount, values))


def _close_shared(run: Run) -> list[tuple[type, list[Any]]]:
    """Count the shared scalars whose every owner is in the run; return the others.

    ``run.shared`` lists each scalar once per owner slot in the run (the same int
    as a record's ``n`` and in its ``meta`` dict is listed twice). Once only the
    lists made here hold them, a scalar whose count is one per listing plus
    those references has no owner outside the run: it is counted once, without
    the seen set. The others are returned to be checked against the seen set,
    as typed visits do.
    """
    grouped = _by_type(run.shared)
    run.shared.clear()
    others: list[tuple[type, list[Any]]] = []
    for tp in list(grouped):
        values, closed = _closed(grouped.pop(tp))
        if all(closed):
            counted, rest = values, []
        else:
            counted = list(compress(values, closed))
            rest = list(compress(values, map(not_, closed)))
        del values
        if tp is str or tp is bytes:
            others.append((tp, [value for value in counted if len(value) < _LONG]))
            counted = [value for value in counted if len(value) >= _LONG]
        run.total += _scalar_bytes(counted, tp)
        others.append((tp, rest))
    return others


def _closed(lists: list[list[Any]]) -> tuple[list[Any], list[bool]]:
    """The scalars listed in ``lists`` (which this takes over), and which are closed.

    Lists that repeat the first one item by item (two fields of each record
    holding the same object) are folded into it: its items are then listed
    ``len(lists)`` times each. Otherwise the listings are counted by identity.
    """
    first = lists[0]
    width = len(first)
    if all(len(other) == width and all(map(is_, other, first)) for other in lists[1:]):
        times = len(lists)
        lists.clear()
        # An item the first list holds twice has twice the owners: never equal.
        return first, list(map(eq, map(getrefcount, first), repeat(times + _FOLDED_EXTRA_REFS)))
    del first
    ids = list(chain.from_iterable([list(map(id, values)) for values in lists]))
    unique = dict(zip(ids, chain.from_iterable(lists), strict=True))
    lists.clear()
    listings = list(Counter(ids).values())  # in first-listed order, as ``unique``
    values = list(unique.values())
    del unique
    # owners (= listings when none is outside) + ``values`` + getrefcount's own
    counts = map(getrefcount, values)
    return values, list(map(eq, counts, map(add, listings, repeat(_CLOSED_EXTRA_REFS))))


def _by_type(lists: list[tuple[type, list[Any]]]) -> dict[type, list[list[Any]]]:
    grouped: dict[type, list[list[Any]]] = {}
    for tp, values in lists:
        grouped.setdefault(tp, []).append(values)
    return grouped


def _column(run: Run, column: Column, values: list[Any], counts: list[int]) -> None:
    """Count one field's values; ``counts``: their reference counts while ``values`` holds them."""
    visit = column.visit
    if visit in _SCALAR_TYPES:
        _scalars(run, values, counts, _SCALAR_TYPES[visit])
    elif visit == "visit_dict":
        key, item = (*column.types, None, None)[:2]
        _dicts(run, values, counts, key, item)
    elif visit in _SEQUENCE_TYPES:
        item = column.types[0] if column.types else None
        _sequences(run, values, counts, visit, item)
    elif visit == "visit_field":
        _dynamic(run, values, counts)
    else:
        run.later.append((visit, values, ()))


def _split(values: list[Any], counts: list[int]) -> tuple[list[Any], list[Any]]:
    """The values only their owner holds, and the others."""
    bound = COLUMN_EXCLUSIVE_REFS
    if not values or max(counts) <= bound:
        return values, []
    if min(counts) > bound:
        return [], values
    mask = list(map(bound.__ge__, counts))
    return list(compress(values, mask)), list(compress(values, map(not_, mask)))


def _scalars(run: Run, values: list[Any], counts: list[int], tp: type) -> None:
    """A column declared ``str``, ``int``, ``float`` or ``bytes``."""
    if values and set(map(type, values)) != {tp}:
        run.later.append((_SCALAR_VISITS[tp], values, ()))  # a lying annotation: one by one
        return
    _typed_scalars(run, values, counts, tp)


def _typed_scalars(run: Run, values: list[Any], counts: list[int], tp: type) -> None:
    """Scalars all of type ``tp``."""
    if not values:
        return
    if (tp is str or tp is bytes) and min(map(len, values)) < _LONG:
        run.later.append((_SCALAR_VISITS[tp], values, ()))  # may be the interpreter's own
        return
    own, shared = _split(values, counts)
    if shared:
        run.shared.append((tp, shared))
    run.total += _scalar_bytes(own, tp)


def _new_shared_bytes(visitor: SizeVisitor, tp: type, values: list[Any]) -> int:
    """Bytes of the scalars among ``values`` not counted yet; marks them as counted.

    As a typed visit does: small ints and interned strings are never counted
    nor marked; strings and bytes of one character go through the typed visit.
    """
    seen = visitor._seen
    unique = dict(zip(map(id, values), values, strict=True))
    values = list(map(unique.__getitem__, unique.keys() - seen))
    if not values:
        return 0
    if tp is int:
        values = list(compress(values, map(not_, map(_SMALL_INTS.__contains__, values))))
    elif tp is str or tp is bytes:
        lengths = list(map(len, values))
        if min(lengths) < _LONG:
            visit = getattr(visitor, _SCALAR_VISITS[tp])
            for value in compress(values, map(_LONG.__gt__, lengths)):
                visit("", value)
            values = list(compress(values, map(_LONG.__le__, lengths)))
        if tp is str:
            values = _not_interned(values)
            seen.update(map(id, values))
            return sum(map(str.__sizeof__, values))
    seen.update(map(id, values))
    return _scalar_bytes(values, tp)


def _scalar_bytes(values: list[Any], tp: type) -> int:
    """Bytes of scalars of type ``tp`` with one owner (strings: those not interned)."""
    if tp is float:
        return len(values) * _FLOAT_BYTES
    if tp is int:
        sizes = list(map(int.__sizeof__, values))
        return sum(sizes) + countOf(sizes, ONE_DIGIT_INT) * (MEDIUM_INT_STRUCT - ONE_DIGIT_INT)
    if tp is str:
        return sum(map(str.__sizeof__, _not_interned(values)))
    return sum(map(bytes.__sizeof__, values))


def _not_interned(values: list[str]) -> list[str]:
    """The strings that are not interned (interned ones are the interpreter's, not the data's)."""
    states = bytes(map(BYTES.__getitem__, map(add, map(id, values), repeat(STR_STATE_OFFSET))))
    if not states.translate(None, _INTERNED_STATES):
        return values
    return list(compress(values, map(not_, map(STR_INTERNED.__and__, states))))


def _sequences(
    run: Run,
    values: list[Any],
    counts: list[int],
    visit: str,
    item: type | None,
) -> None:
    """A column declared ``list[item]``, ``tuple[item, ...]``, ``set[item]``."""
    tp = _SEQUENCE_TYPES[visit]
    if not values:
        return
    if set(map(type, values)) != {tp} or (tp is tuple and min(map(len, values)) == 0):
        run.later.append((visit, values, (item,)))
        return
    own, shared = _split(values, counts)
    if shared:
        run.later.append((visit, shared, (item,)))
    if tp is list:
        run.total += sum(map(list.__sizeof__, own)) + len(own) * GC_HEADER
    else:
        run.total += sum(map(getsizeof, own))
    _elements(run, list(chain.from_iterable(own)), item)


def _dicts(
    run: Run,
    values: list[Any],
    counts: list[int],
    key: type | None,
    item: type | None,
) -> None:
    """A column declared ``dict[key, item]``."""
    if not values:
        return
    if set(map(type, values)) != {dict} or (SUPPORTED and any_split_dict(values)):
        run.later.append(("visit_dict", values, (key, item)))  # split tables: one by one
        return
    own, shared = _split(values, counts)
    if shared:
        run.later.append(("visit_dict", shared, (key, item)))
    run.total += sum(map(dict.__sizeof__, own)) + len(own) * GC_HEADER
    keys = _common_keys(own)
    if keys is None:
        _elements(run, list(chain.from_iterable(own)), key)
        _elements(run, list(chain.from_iterable(map(dict.values, own))), item)
        return
    # Record-like dicts: the same key objects in the same order. The keys are
    # visited once; each key's values form a column of their own (often of one type).
    run.later.append((_SCALAR_VISITS[key] if key is not None else _ANY, list(keys), ()))
    values = list(chain.from_iterable(map(dict.values, own)))
    counts = list(map(getrefcount, values))
    width = len(keys)
    for index in range(width):
        column, column_counts = values[index::width], counts[index::width]
        if item is not None:
            _scalars(run, column, column_counts, item)
        else:
            _dynamic(run, column, column_counts)


def _common_keys(dicts: list[dict[Any, Any]]) -> tuple[Any, ...] | None:
    """The key objects every one of ``dicts`` has, in the same order; None when they differ."""
    keys = tuple(dicts[0])
    if (
        not keys
        or countOf(map(len, dicts), len(keys)) != len(dicts)
        or not all(map(is_, chain.from_iterable(dicts), cycle(keys)))
    ):
        return None
    return keys


def _elements(run: Run, values: list[Any], item: type | None) -> None:
    """Elements of containers with one owner, of declared scalar type ``item`` or any type."""
    counts = list(map(getrefcount, values))
    if item is not None:
        _scalars(run, values, counts, item)
    else:
        _dynamic(run, values, counts)


def _dynamic(run: Run, values: list[Any], counts: list[int]) -> None:
    """A column of any types: scalars by type, in bulk; the rest visited one by one."""
    if not values:
        return
    types = list(map(type, values))
    kinds = set(types)
    if len(kinds) == 1:
        tp = types[0]
        if tp in SCALARS:
            _typed_scalars(run, values, counts, tp)
        else:
            run.later.append((_ANY, values, ()))
        return
    for tp in kinds:
        mask = list(map(is_, types, repeat(tp)))
        chosen = list(compress(values, mask))
        if tp in SCALARS:
            _typed_scalars(run, chosen, list(compress(counts, mask)), tp)
        else:
            run.later.append((_ANY, chosen, ()))


_ANY: Final = "visit_field"
"""The visit of a value of any type (``SizeVisitor.visit_field`` visits by run-time type)."""
_SCALAR_TYPES: Final = {
    "visit_str": str,
    "visit_int": int,
    "visit_float": float,
    "visit_bytes": bytes,
}
_SCALAR_VISITS: Final = {tp: name for name, tp in _SCALAR_TYPES.items()}
_SEQUENCE_TYPES: Final = {"visit_list": list, "visit_tuple": tuple, "visit_set": set}
