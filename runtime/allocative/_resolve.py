"""Which :class:`~allocative._rule.TypeRule` measures the objects of a type, resolved once per
type and measurement, by the same code for both engines.

Order: a visit function registered for the type or one of its bases (it applies to every
type, built-ins and their subclasses included); built-ins by exact type (``_impls``);
types whose objects no data owns (classes, modules, descriptors, Enum members); numpy
arrays; then every other type as a class whose instances are measured by their method,
built-in part and attributes (``_instances``).
"""

from __future__ import annotations

from allocative import _typeinfo
from allocative._impls import BUILTIN_RULES
from allocative._impls.code import ZERO, owns_nothing
from allocative._impls.numpy import is_numpy_array, numpy_rule
from allocative._instances import instance_rule
from allocative._names import frame_name
from allocative._protocols import VisitFunction
from allocative._rule import TypeRule


def resolve(tp: type, custom: dict[type, VisitFunction]) -> TypeRule:
    """The rule for objects of type ``tp``, given the registered visit functions."""
    registered = next((custom[base] for base in _typeinfo.mro(tp) if base in custom), None)
    if registered is None:
        rule = BUILTIN_RULES.get(tp)
        if rule is not None:
            return rule
        if owns_nothing(tp):
            return ZERO
        if is_numpy_array(tp):
            return numpy_rule(frame_name(tp))
    return instance_rule(tp, frame_name(tp), registered)
