"""Compare what a method visits with what the class's current fields need.

The result is a list of short reasons, empty when the method is current.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping

from mypy.nodes import TypeInfo

from allocative_gen.rules import SKIP_VISIT, STORED_VISIT, Visit, read_expression
from allocative_mypy._method import BaseCall, Expected, FieldCall, Step, Unrecognised, matches


def stale_reasons(
    steps: list[Step],
    expected: Mapping[str, Expected | None],
    covered_by: Callable[[TypeInfo], frozenset[str]],
    overridden_by: Callable[[TypeInfo], list[str]],
) -> list[str]:
    """Why ``steps`` do not visit exactly the ``expected`` fields (None: a field of an
    ``@opaque`` base, which nothing visits).

    A base call covers what :func:`allocative_gen.inheritance.call_covers` says
    (``covered_by``): every field of the MRO of the class whose method it runs;
    that method decides how each is visited, so a field the class's MRO
    redeclares with another visit (``overridden_by``, as
    :func:`allocative_gen.inheritance.overridden` says) is visited wrongly.
    Two calls that cover the same field (both sides of a diamond) visit it twice.
    """
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
    reasons += [_missing(name, visit) for name, visit in expected.items() if name not in covered]
    return [reason for reason in reasons if reason]


def _times(count: int) -> str:
    return "twice" if count == 2 else f"{count} times"


def _unrecognised(step: Step) -> bool:
    return isinstance(step, Unrecognised)


def _missing(name: str, expected: Expected | None) -> str:
    if expected is None:
        return ""
    if expected.visit.method == SKIP_VISIT:
        return f'"{name}" is skip but not declared with visitor.skip("{name}")'
    if expected.visit.method == STORED_VISIT:
        call = f'visitor.visit_stored("{expected.read.attr}", self)'
        return f'"{name}" is a cached property but not visited with {call}'
    return f'"{name}" is not visited'


def _is_wrong(call: FieldCall, expected: Mapping[str, Expected | None]) -> bool:
    found = expected.get(call.field)
    return found is None or not matches(call, found)


def _wrong_visit(call: FieldCall, expected: Mapping[str, Expected | None]) -> str:
    if call.field not in expected:
        return f'"{call.field}" is visited but is not a field'
    found = expected[call.field]
    if found is None:
        return f'"{call.field}" is visited but its class is @opaque'
    if call.visit != found.visit:
        return f'"{call.field}" is visited with {_show(call.visit)} instead of {_show(found.visit)}'
    wanted = read_expression(call.field, found.read)
    if call.read is None:
        return f'"{call.field}" is not read with {wanted}'
    written = read_expression(call.field, call.read)
    return f'"{call.field}" is read with {written} instead of {wanted}'


def _show(visit: Visit) -> str:
    return f"{visit.method}({', '.join(visit.type_args)})" if visit.type_args else visit.method
