"""Fully qualified names the plugin reacts to, held in ``Final`` sets for constant-time look-ups.

Names are compared in the generator's canonical spelling (:func:`canonical`):
``typing_extensions.X`` is ``typing.X`` and the runtime's defining module
``allocative._marker`` is the public ``allocative``.
"""

from __future__ import annotations

from typing import Final

from allocative_gen import rules
from allocative_gen.rules import Option

# TO SHARE: the generator has the same folding in allocative_gen/annotations.py
# (``canonical``), which imports libcst, so the plugin cannot import it.
_FOLDED: Final = (("typing_extensions.", "typing."), ("allocative._marker.", "allocative."))
_FOLDED_PREFIXES: Final = tuple(prefix for prefix, _ in _FOLDED)


def canonical(name: str) -> str:
    """One spelling per name: ``typing_extensions`` and the runtime's private module folded."""
    if not name.startswith(_FOLDED_PREFIXES):
        return name
    for prefix, replacement in _FOLDED:
        if name.startswith(prefix):
            return replacement + name[len(prefix) :]
    return name


OPTIONS: Final = {rules.SKIP: Option.SKIP, rules.OPAQUE: Option.OPAQUE}
VISIT_WITH: Final = rules.VISIT_WITH
"""Field options inside ``typing.Annotated[...]``, by canonical name."""

METHOD: Final = rules.METHOD_NAME
"""The method the generator writes and the runtime calls."""

METADATA_KEY: Final = "allocative"
"""The key of the plugin's facts in ``TypeInfo.metadata`` (kept in mypy's cache)."""

ANNOTATED: Final = frozenset({"typing.Annotated"})
# TO SHARE: allocative_gen/annotations.py NOT_FIELDS and _UNWRAP.
NOT_FIELDS: Final = frozenset({"typing.ClassVar", "dataclasses.InitVar", "dataclasses.KW_ONLY"})
"""Annotations that declare something other than an instance field."""
UNWRAPPED: Final = frozenset({"typing.Final", "typing.Required", "typing.NotRequired"})
"""Annotations whose first argument is the field's type."""

# TO SHARE: allocative_gen/kinds.py, in mypy's spelling of each definition.
DATACLASS_DECORATORS: Final = frozenset({"dataclasses.dataclass", "pydantic.dataclasses.dataclass"})
ATTRS_CLASSIC: Final = frozenset({"attr.s", "attr.attrs", "attr.attributes", "attrs.attrs"})
ATTRS_NEXT_GEN: Final = frozenset(
    {f"{module}.{name}" for module in ("attr", "attrs") for name in ("define", "frozen", "mutable")}
    | {"attr.dataclass"}
)
ATTRS_FIELD_CALLS: Final = frozenset(
    {"attr.ib", "attr.attrib", "attr.attr", "attr.field", "attrs.field"}
)
"""Calls that declare an attrs field (``x = attr.ib()``)."""
PYDANTIC_MODEL: Final = "pydantic.main.BaseModel"
PYDANTIC_INTERNALS: Final = (
    "__pydantic_fields_set__",
    "__pydantic_extra__",
    "__pydantic_private__",
)
"""Per-instance attributes every pydantic model owns besides its fields (visited dynamically)."""
NOT_SLOTS: Final = frozenset({"__dict__", "__weakref__"})
SLOTS: Final = "__slots__"
INIT: Final = "__init__"

FIELDLESS_BASES: Final = frozenset(
    {
        "typing.Generic",
        "typing.Protocol",
        "typing.NamedTuple",
        PYDANTIC_MODEL,
        "abc.ABC",
        "enum.Enum",
        "attr.AttrsInstance",
        "attrs.AttrsInstance",
    }
)
FIELDLESS_MODULES: Final = frozenset({"builtins"})
"""Bases that contribute no fields to a marked class (all of ``builtins`` too)."""
