"""The type rules of built-in and standard-library types, one module per family, as the
seed crate's ``impls/``: scalars, containers, buffers, values (decimals, dates...), code
(functions, methods, and what no data owns), exceptions, threads' locks, numpy arrays.

Each family gives ``RULES`` (type -> rule, by exact type) and ``BUFFERS`` (type -> the
blocks its objects allocate apart from their struct, for allocator rounding, found for
subclasses too). A class's instances are measured by ``_instances``, with the sizes of
``classes``. To add a built-in type: give it a rule in its family's module.
"""

from __future__ import annotations

from typing import Final

from allocative._impls import buffers, code, containers, scalars, threads, values
from allocative._rule import Buffers, TypeRule, block_sizes, no_buffers

_FAMILIES: Final = (scalars, containers, buffers, values, code, threads)

BUFFERS: Final[dict[type, Buffers]] = {
    tp: found for family in _FAMILIES for tp, found in family.BUFFERS.items()
}
"""The blocks objects of each type allocate apart from their struct."""


def _builtin_rules() -> dict[type, TypeRule]:
    rules: dict[type, TypeRule] = {}
    for family in _FAMILIES:
        for tp, rule in family.RULES.items():
            rule.blocks = block_sizes(rule.size, BUFFERS.get(tp, no_buffers))
            rules[tp] = rule
    return rules


BUILTIN_RULES: Final = _builtin_rules()
"""The rule of each built-in type, by exact type."""
