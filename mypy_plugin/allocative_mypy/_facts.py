"""What the checker needs of a declared field, worked out once per distinct declaration.

A field's declared type as written (:class:`~allocative_gen.rules.TypeRef`) and
its option decide its expected visit, whether its type needs the measurability
walk, and its form in the cache's metadata. Classes repeat the same
declarations (``name: str``), so :func:`facts_of` is memoised, and a
:class:`~allocative_mypy._written.Written` carries its facts from the start.
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

from allocative_gen import rules
from allocative_gen.rules import Option, TypeRef, Visit
from allocative_mypy._method import normalised


class Facts(NamedTuple):
    """The expected visit (``skip`` for a skipped field), whether the type is measured without a
    walk (:func:`allocative_gen.rules.is_plain`), and the metadata form after the name."""

    visit: Visit
    plain: bool
    stored: tuple[Any, ...]


_FACTS: dict[tuple[TypeRef | None, Option | None], Facts] = {}
_MAX_FACTS: Final = 4096


def facts_of(ref: TypeRef | None, option: Option | None) -> Facts:
    """The :class:`Facts` of a field declared ``ref`` with ``option``, memoised."""
    key = (ref, option)
    found = _FACTS.get(key)
    if found is None:
        if len(_FACTS) >= _MAX_FACTS:
            _FACTS.clear()
        found = _FACTS[key] = _make(ref, option)
    return found


def _make(ref: TypeRef | None, option: Option | None) -> Facts:
    visit = normalised(rules.visit_for_option(option, ref))
    stored = (ref_json(ref),) if option is None else (ref_json(ref), option.value)
    return Facts(visit, option is None and rules.is_plain(ref), stored)


def ref_json(ref: TypeRef | None) -> Any:
    """The compact JSON form of a declared type: ``name`` or ``[name, arg, ...]``; None."""
    if ref is None:
        return None
    if not ref.args:
        return ref.name
    return [ref.name, *(ref_json(arg) for arg in ref.args)]


def ref_from_json(data: Any) -> TypeRef | None:
    """The declared type of :func:`ref_json`'s form."""
    if data is None:
        return None
    if isinstance(data, str):
        return TypeRef(data)
    name, *args = data
    return TypeRef(name, tuple(_ref(arg) for arg in args))


def _ref(data: Any) -> TypeRef:
    ref = ref_from_json(data)
    assert ref is not None, "an argument is a type"
    return ref
