"""What the compiled engine (``allocative._core``) takes from Python: one contract.

Type rules are resolved by one piece of Python code for both engines (``_resolve``);
:func:`describe` tells the compiled engine how it measures each rule's objects, as a
:class:`NativeRule` record it reads by attribute name. The rest are the helpers it
calls where the Python rule is the whole rule: a copy of a changed container,
allocator rounding, the warnings' final text. Constants both engines share are in
``_constants`` (written into ``_core_src/constants.h``).
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from gc import get_referents as referents
from typing import TYPE_CHECKING, Final

from allocative._flamegraph import FlameGraph
from allocative._impls import BUILTIN_RULES
from allocative._impls.code import ZERO
from allocative._impls.containers import contents_copy, expand_contents
from allocative._names import callable_name, raised_text
from allocative._resolve import resolve
from allocative._rule import TypeRule
from allocative._walk import finish_warnings, is_mutation, overhead_of

if TYPE_CHECKING:
    from allocative._instances import Instances
    from allocative._protocols import VisitFunction

__all__ = [
    "FlameGraph",
    "InstanceRule",
    "NativeRule",
    "callable_name",
    "contents_copy",
    "describe",
    "expand_contents",
    "finish_warnings",
    "is_mutation",
    "overhead_of",
    "raised_text",
    "referents",
    "resolve",
]

_NATIVE: Final = {
    id(BUILTIN_RULES[tp]): tp.__name__
    for tp in (str, int, float, complex, bytes, list, tuple, set, frozenset, dict)
}
"""The built-in rules the compiled engine sizes and walks itself, by the rule's identity."""


@dataclass(frozen=True, slots=True)
class InstanceRule:
    """What the compiled engine's fast paths for a class's instances need (``instances.c``).

    ``values_model`` says how the instance's attribute storage is sized: 0 no storage,
    1 a 3.11/3.12 values array (its bytes by prefix byte in ``array_bytes``), 2 3.13 inline
    values, -1 an estimate the Python rule makes.
    """

    instances: Instances
    method: VisitFunction | None
    complete: bool
    """The method is known to visit everything an instance can hold (the short path)."""
    attributes_only: bool
    """No method, no built-in part: measured by its attributes, natively."""
    managed: bool
    """Interpreter-managed attribute storage (a values array or inline values)."""
    dict_offset: int
    """Where an instance keeps a ``__dict__`` pointer of its own (> 0), else 0."""
    slots: tuple[tuple[str, types.MemberDescriptorType], ...]
    key_names: tuple[str, ...]
    values_model: int
    array_bytes: tuple[int, ...]
    steady_capacity: int
    settled: bool


@dataclass(frozen=True, slots=True)
class NativeRule:
    """How the compiled engine measures a rule's objects: ``code`` is ``"zero"`` (owned by
    nobody), the name of a built-in it sizes and walks itself, ``"instance"`` (with
    ``instance``), or ``"python"`` (the rule's own functions)."""

    code: str
    instance: InstanceRule | None = None


def describe(rule: TypeRule) -> NativeRule:
    """How the compiled engine measures ``rule``'s objects."""
    if rule is ZERO:
        return NativeRule("zero")
    native = _NATIVE.get(id(rule))
    if native is not None:
        return NativeRule(native)
    instances = rule.instances
    if instances is None:
        return NativeRule("python")
    attributes = instances.attributes
    storage = attributes.storage
    if storage is not None:
        model, array_bytes, steady, settled = storage.model
    else:
        model, array_bytes, steady, settled = (-1 if rule.values_bytes else 0), (), 0, True
    return NativeRule(
        "instance",
        InstanceRule(
            instances=instances,
            method=instances.method,
            complete=instances.complete,
            attributes_only=instances.attributes_only and attributes.dict_offset >= 0,
            managed=storage is not None,
            dict_offset=max(attributes.dict_offset, 0),
            slots=attributes.slots,
            key_names=attributes.key_names,
            values_model=model,
            array_bytes=array_bytes,
            steady_capacity=steady,
            settled=settled,
        ),
    )
