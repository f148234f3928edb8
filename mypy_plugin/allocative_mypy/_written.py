"""Read an annotation as it is written (mypy's unanalysed type), the way the generator reads it.

The generator works on source text, so the visit it picks depends on the
annotation as written: an alias ``Vec = list[float]`` is a name to it, not a
list. Reading mypy's unanalysed type through the module's names gives the
same :class:`~allocative_gen.rules.TypeRef` and field option.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, NamedTuple

from mypy.nodes import MypyFile, SymbolTable
from mypy.types import (
    EllipsisType,
    RawExpressionType,
    Type,
    TypeList,
    UnboundType,
    UnionType,
)

from allocative_gen.rules import ELLIPSIS, Option, TypeRef
from allocative_mypy import _names

_CALL_NOTE_PREFIX: Final = "Suggestion: use "
_CALL_NOTE_SUFFIX: Final = "[...]"
_EXPRESSION: Final = "<expression>"


class Written(NamedTuple):
    """What an annotation says: its type as the rules see it, its option, whether a field."""

    ref: TypeRef | None
    option: Option | None = None
    is_field: bool = True


class Reader:
    """Reads annotations written in one module, resolving names through its symbol table."""

    def __init__(self, module: str, modules: dict[str, MypyFile]) -> None:
        tree = modules.get(module)
        builtins = modules.get("builtins")
        self._scopes = [t.names for t in (tree, builtins) if t is not None]
        self._resolved: dict[str, str | None] = {}
        self._refs: dict[str, TypeRef] = {}

    def annotation(self, written: Type | None) -> Written:
        """The :class:`Written` of an annotation (None: unannotated)."""
        if written is None:
            return Written(None)
        if isinstance(written, UnboundType):
            base = self.resolve(written.name)
            if base in _names.NOT_FIELDS:
                return Written(None, is_field=False)
            if base in _names.ANNOTATED and written.args:
                option = self._first_option(written.args[1:])
                return Written(self.annotation(written.args[0]).ref, option)
            if base in _names.UNWRAPPED and written.args:
                return self.annotation(written.args[0])
        return Written(self.type_ref(written))

    def type_ref(self, written: Type) -> TypeRef:
        """The :class:`TypeRef` of a type expression as written."""
        if isinstance(written, UnboundType):
            if not written.args:
                return self._named(written.name)
            base = self.resolve(written.name) or _EXPRESSION
            if base in _names.ANNOTATED or base in _names.UNWRAPPED:
                return self.type_ref(written.args[0])
            return TypeRef(base, tuple(self.type_ref(arg) for arg in written.args))
        if isinstance(written, UnionType):
            return TypeRef("types.UnionType", tuple(self.type_ref(i) for i in written.items))
        if isinstance(written, EllipsisType):
            return TypeRef(ELLIPSIS)
        if isinstance(written, TypeList):
            return TypeRef("<list>", tuple(self.type_ref(i) for i in written.items))
        return TypeRef(_EXPRESSION)

    def _named(self, name: str) -> TypeRef:
        """The :class:`TypeRef` of a bare name, made once per name and module."""
        ref = self._refs.get(name)
        if ref is None:
            ref = self._refs[name] = TypeRef(self.resolve(name) or _EXPRESSION)
        return ref

    def resolve(self, name: str) -> str | None:
        """The canonical full name a (possibly dotted) name refers to in this module."""
        if name not in self._resolved:
            self._resolved[name] = self._lookup(name)
        return self._resolved[name]

    def _lookup(self, name: str) -> str | None:
        if not name:
            return None
        parts = name.split(".")
        for scope in self._scopes:
            found = _resolve_in(scope, parts)
            if found is not None:
                return _names.canonical(found)
        return None

    def _first_option(self, extras: Sequence[Type]) -> Option | None:
        for extra in extras:
            called = _called_name(extra)
            if called is not None:
                if self.resolve(called) == _names.VISIT_WITH:
                    return Option.VISIT_WITH
            elif isinstance(extra, UnboundType):
                option = _names.OPTIONS.get(self.resolve(extra.name) or "")
                if option is not None:
                    return option
        return None


def _called_name(extra: Type) -> str | None:
    """The called name of an ``Annotated`` extra written as a call (``visit_with(fn)``).

    mypy keeps no expression for a call inside a type, only a note that
    suggests ``name[...]``; the called name is read from that note.
    """
    if isinstance(extra, RawExpressionType) and extra.note:
        note = extra.note
        if note.startswith(_CALL_NOTE_PREFIX):
            return note[len(_CALL_NOTE_PREFIX) :].partition(_CALL_NOTE_SUFFIX)[0]
    return None


def _resolve_in(names: SymbolTable, parts: list[str]) -> str | None:
    symbol = names.get(parts[0])
    if symbol is None:
        return None
    if len(parts) == 1:
        return symbol.fullname
    if isinstance(symbol.node, MypyFile):
        return _resolve_in(symbol.node.names, parts[1:])
    return None
