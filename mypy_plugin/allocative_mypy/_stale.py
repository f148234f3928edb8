"""Compare what a method visits with what the class's current fields need.

The result is a list of short reasons, empty when the method is current.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping

from mypy.nodes import TypeInfo

from allocative_gen.rules import Visit
from allocative_mypy._method import BaseCall, FieldCall, Step, Unrecognised


def stale_reasons(
    steps: list[Step],
    expected: Mapping[str, Visit | None],
    covered_by: Callable[[TypeInfo], frozenset[str]],
    overridden_by: Callable[[TypeInfo], list[str]],
) -> list[str]:
    """Why ``steps`` do not visit exactly the ``expected`` fields (None: a skipped field).

    A base call covers what :func:`allocative_gen.inheritance.call_covers` says
    (``covered_by``): every field of the MRO of the class whose method it runs;
    that method decides how each is visited, so a field the class's MRO
    redeclares with another visit (``overridden_by``, as
    :func:`allocative_gen.inheritance.overridden` says) is visited wrongly.
    Two calls that cover the same field (both sides of a diamond) visit it twice.
    """
    if _is_current(steps, expected):
        return []
    reasons = [f"line {s.line} is not a generated visit" for s in steps if _unrecognised(s)]
    calls = [s for s in steps if isinstance(s, FieldCall)]
    covered: Counter[str] = Counter()
    for step in steps:
        if isinstance(step, BaseCall):
            covered.update(sorted(covered_by(step.base)))
            reasons += [
                f'"{name}" is redeclared but covered by "{step.base.name}.__allocative__"'
                " as the base declares it"
                for name in overridden_by(step.base)
            ]
    covered.update(call.field for call in calls)
    reasons += [f'"{name}" is visited {_times(n)}' for name, n in covered.items() if n > 1]
    reasons += [_wrong_visit(call, expected) for call in calls if _is_wrong(call, expected)]
    reasons += [f'"{name}" is not visited' for name in _missing(expected, covered)]
    return reasons


def _is_current(steps: list[Step], expected: Mapping[str, Visit | None]) -> bool:
    """The common case, checked fast: only field visits, exactly the expected ones."""
    wanted = {name: visit for name, visit in expected.items() if visit is not None}
    if len(steps) != len(wanted):
        return False
    for step in steps:
        if not isinstance(step, FieldCall) or wanted.pop(step.field, None) != step.visit:
            return False
        if step.attr != step.field:
            return False
    return True


def _times(count: int) -> str:
    return "twice" if count == 2 else f"{count} times"


def _unrecognised(step: Step) -> bool:
    return isinstance(step, Unrecognised)


def _missing(expected: Mapping[str, Visit | None], covered: Counter[str]) -> list[str]:
    return [name for name, visit in expected.items() if visit is not None and name not in covered]


def _is_wrong(call: FieldCall, expected: Mapping[str, Visit | None]) -> bool:
    return not _reads_field(call) or expected.get(call.field) != call.visit


def _reads_field(call: FieldCall) -> bool:
    """Whether the call reads the field (a base's ``__x`` under its mangled name)."""
    if call.attr == call.field:
        return True
    mangled = call.field.startswith("__") and not call.field.endswith("__")
    return mangled and call.attr is not None and call.attr.endswith(call.field)


def _wrong_visit(call: FieldCall, expected: Mapping[str, Visit | None]) -> str:
    if call.field not in expected:
        return f'"{call.field}" is visited but is not a field'
    visit = expected[call.field]
    if visit is None:
        return f'"{call.field}" is visited but is marked skip'
    if not _reads_field(call):
        return f'"{call.field}" is visited with "self.{call.attr}"'
    return f'"{call.field}" is visited with {_show(call.visit)} instead of {_show(visit)}'


def _show(visit: Visit) -> str:
    return f"{visit.method}({', '.join(visit.type_args)})" if visit.type_args else visit.method
