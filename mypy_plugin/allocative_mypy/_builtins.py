"""Adapter over :mod:`allocative_gen.rules`: which classes the runtime measures without help.

``rules.is_measured_builtin`` is the shared table. This module only adds what
the plugin needs on top of it and what the table does not (yet) say; each
addition is marked ``TO SHARE`` and belongs in ``rules.py``.
"""

from __future__ import annotations

import functools
from typing import Final

from allocative_gen import rules

NOT_MEASURED: Final = frozenset({"builtins.object"})
"""``object`` says nothing about the value: the runtime can only measure it reflectively."""

# TO SHARE: the runtime dispatches on the run-time type of a value declared with
# an abstract collection and checks its arguments (``_kinds.py``); rules.py has
# no entry for these names yet.
ABSTRACT_COLLECTIONS: Final = frozenset(
    {
        "typing.Iterable",
        "typing.Iterator",
        "typing.Reversible",
        "typing.Collection",
        "typing.Container",
        "typing.Sized",
        "typing.Sequence",
        "typing.MutableSequence",
        "typing.Mapping",
        "typing.MutableMapping",
        "typing.AbstractSet",
        "typing.MutableSet",
        "typing.MappingView",
        "typing.KeysView",
        "typing.ValuesView",
        "typing.ItemsView",
    }
)

# TO SHARE: measured built in by the runtime (``_kinds._builtin_kinds``) but
# missing from ``rules._RUNTIME_BUILTINS``.
MISSING_FROM_RULES: Final = frozenset({"datetime.timezone", "datetime.tzinfo", "types.NoneType"})


# TO SHARE: which built-in generic classes hold values of their type arguments
# (so ``list[Bad]`` is a problem but ``numpy.ndarray[Any, dtype[float64]]`` is not).
CONTAINERS: Final = (
    frozenset(rules.SEQUENCES)
    | frozenset(rules.MAPPINGS)
    | ABSTRACT_COLLECTIONS
    | {
        "collections.deque",
        "collections.defaultdict",
        "collections.OrderedDict",
        "collections.Counter",
        "collections.ChainMap",
    }
)


def holds_arguments(fullname: str) -> bool:
    """Whether values of the class ``fullname`` hold values of its type arguments.

    True for containers and for any class that is not built in (a marked
    generic class visits its ``T`` fields); False for ``ndarray``, ``array``...
    """
    return fullname in CONTAINERS or not is_measured_builtin(fullname)


@functools.lru_cache(maxsize=4096)
def is_measured_builtin(fullname: str) -> bool:
    """Whether instances of the class ``fullname`` are measured by the runtime without help.

    Cached: a pure function of the name, asked for every class in every field type.
    """
    if fullname in NOT_MEASURED:
        return False
    if fullname in ABSTRACT_COLLECTIONS or fullname in MISSING_FROM_RULES:
        return True
    return rules.is_measured_builtin(rules.TypeRef(fullname))
