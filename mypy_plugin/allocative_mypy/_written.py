"""Read an annotation as it is written (mypy's unanalysed type), the way the generator reads it.

The generator works on source text, so the visit it picks depends on the
annotation as written: an alias ``Vec = list[float]`` is a name to it, not a
list. Reading mypy's unanalysed type through the module's names gives the
same :class:`~allocative_gen.rules.TypeRef` and field option.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, NamedTuple

from mypy.nodes import MypyFile, SymbolTable, SymbolTableNode
from mypy.types import (
    EllipsisType,
    RawExpressionType,
    Type,
    TypeList,
    UnboundType,
    UnionType,
)

from allocative_gen.rules import (
    ANNOTATED,
    ELLIPSIS,
    NOT_FIELDS,
    OPTIONS,
    UNWRAPPED,
    VISIT_WITH,
    Option,
    TypeRef,
    canonical,
)
from allocative_mypy._facts import Facts, facts_of

_CALL_NOTE_PREFIX: Final = "Suggestion: use "
_CALL_NOTE_SUFFIX: Final = "[...]"
_EXPRESSION: Final = "<expression>"


class Written(NamedTuple):
    """What an annotation says: its type as the rules see it, its option, whether a field,
    and the checker's :class:`~allocative_mypy._facts.Facts` of that declaration."""

    ref: TypeRef | None
    option: Option | None
    is_field: bool
    facts: Facts


def written_of(ref: TypeRef | None, option: Option | None = None) -> Written:
    """The :class:`Written` of a field declared ``ref`` with ``option``."""
    return Written(ref, option, True, facts_of(ref, option))


UNANNOTATED: Final = written_of(None)
_NOT_A_FIELD: Final = Written(None, None, False, facts_of(None, None))

_PLAIN, _NOT_FIELD, _ANNOTATED, _UNWRAPPED = range(4)
_FORMS: Final = {
    **dict.fromkeys(NOT_FIELDS, _NOT_FIELD),
    ANNOTATED: _ANNOTATED,
    **dict.fromkeys(UNWRAPPED, _UNWRAPPED),
}
"""The special forms an annotation can start with, by canonical name: one look-up."""


class _Name(NamedTuple):
    """What a name written in a module means: the module's symbol for it (None: not the
    module's own, so a built-in or unknown), its canonical full name, and as an annotation
    (None: not read as one yet)."""

    symbol: SymbolTableNode | None
    fullname: str | None
    ref: TypeRef
    written: Written | None


class Reader:
    """Reads annotations written in one module, resolving names through its symbol table.

    One reader serves every class of its module (:func:`reader_for`): mypy runs
    the class hooks after the module's semantic analysis, so its names are
    final by then. A bare name is resolved once and reused while the module
    still binds it to the same symbol; dotted names are resolved afresh.

    An annotation with arguments (``list[float]``, ``str | None``,
    ``Annotated[Bad, skip]``) is read once per module: its :class:`Written` is
    kept under the annotation itself (mypy's types compare and hash by
    structure) and reused for the module's other classes. Annotations holding an
    expression that mypy keeps only as a note (``visit_with(f)``) or that it does
    not compare are read afresh each time. The daemon may analyse a module again
    in the same tree, with names bound anew: a class checked a second time
    (:meth:`checking`) starts a new pass, which forgets what was read.
    """

    def __init__(self, module: str, modules: dict[str, MypyFile]) -> None:
        self.tree = modules.get(module)
        self.builtins = modules.get("builtins")
        self._module_names = self.tree.names if self.tree is not None else SymbolTable()
        self._scopes = [t.names for t in (self.tree, self.builtins) if t is not None]
        self._names: dict[str, _Name] = {}
        self._read: dict[object, Written] = {}
        self._checked: set[object] = set()
        self._exact = True

    def checking(self, defn: object) -> None:
        """Note that the class statement ``defn`` of this module is being checked."""
        if defn in self._checked:
            self._checked.clear()
            self._read.clear()
            self._names.clear()
        self._checked.add(defn)

    def annotation(self, written: Type | None) -> Written:
        """The :class:`Written` of an annotation (None: unannotated)."""
        if written is None:
            return UNANNOTATED
        key: object = written
        if isinstance(written, UnboundType):
            args = written.args
            if not args:
                return self._bare(written.name)
            if len(args) == 2 and isinstance(args[1], EllipsisType):
                key = (ELLIPSIS, written.name, args[0])  # mypy's ``...`` compares by identity
        found = self._read.get(key)
        if found is not None:
            return found
        self._exact = True
        result = self._annotation(written)
        if self._exact:
            if len(self._read) >= _MAX_READ:
                self._read.clear()
            self._read[key] = result
        return result

    def _annotation(self, written: Type) -> Written:
        if not isinstance(written, UnboundType):
            return written_of(self.type_ref(written))
        name, args = written.name, written.args
        if not args:
            return self._bare(name)
        base = self._name(name).fullname
        form = _FORMS.get(base, _PLAIN) if base is not None else _PLAIN
        if form == _PLAIN:
            ref = TypeRef(base or _EXPRESSION, tuple(map(self.type_ref, args)))
            return written_of(ref)
        if form == _NOT_FIELD:
            return _NOT_A_FIELD
        if form == _ANNOTATED:
            inner = self._annotation(args[0])
            if not inner.is_field:  # Annotated[ClassVar[int], skip]: still not a field
                return _NOT_A_FIELD
            return written_of(inner.ref, self._first_option(args[1:]))
        return self._annotation(args[0])

    def _bare(self, name: str) -> Written:
        """The :class:`Written` of an annotation that is the bare name ``name``."""
        found = self._name(name)
        if found.written is not None:
            return found.written
        fullname = found.fullname
        written = _NOT_A_FIELD if fullname in NOT_FIELDS else written_of(found.ref)
        if "." not in name:
            self._names[name] = found._replace(written=written)
        return written

    def _name(self, name: str) -> _Name:
        """What the name ``name`` means here, reused while the module binds it alike."""
        symbol = self._module_names.get(name)
        found = self._names.get(name)
        if found is not None and found.symbol is symbol:
            return found
        fullname = self.resolve(name)
        ref = TypeRef(fullname or _EXPRESSION)
        found = _Name(symbol, fullname, ref, None)
        if "." not in name:
            self._names[name] = found
        return found

    def type_ref(self, written: Type) -> TypeRef:
        """The :class:`TypeRef` of a type expression as written."""
        if isinstance(written, UnboundType):
            args = written.args
            if not args:
                return self._name(written.name).ref
            base = self._name(written.name).fullname or _EXPRESSION
            if base == ANNOTATED or base in UNWRAPPED:
                return self.type_ref(args[0])
            return TypeRef(base, tuple(map(self.type_ref, args)))
        if isinstance(written, UnionType):
            return TypeRef("types.UnionType", tuple(map(self.type_ref, written.items)))
        if isinstance(written, EllipsisType):
            return TypeRef(ELLIPSIS)
        if isinstance(written, TypeList):
            self._exact = False
            return TypeRef("<list>", tuple(map(self.type_ref, written.items)))
        self._exact = False
        return TypeRef(_EXPRESSION)

    def resolve(self, name: str) -> str | None:
        """The canonical full name a (possibly dotted) name refers to in this module."""
        if not name:
            return None
        if "." not in name:
            for scope in self._scopes:
                symbol = scope.get(name)
                if symbol is not None and symbol.fullname is not None:
                    return canonical(symbol.fullname)
            return None
        parts = name.split(".")
        for scope in self._scopes:
            found = _resolve_in(scope, parts)
            if found is not None:
                return canonical(found)
        return None

    def _first_option(self, extras: Sequence[Type]) -> Option | None:
        for extra in extras:
            if not isinstance(extra, UnboundType):
                self._exact = False  # a string or a call: mypy's types do not tell them apart
            called = _called_name(extra)
            if called is not None:
                if self.resolve(called) == VISIT_WITH:
                    return Option.VISIT_WITH
            elif isinstance(extra, UnboundType):
                option = OPTIONS.get(self.resolve(extra.name) or "")
                if option is not None:
                    return option
        return None


_MAX_READ: Final = 4096


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


_READERS: dict[str, Reader] = {}
"""The reader of each module of the build in progress, kept while mypy keeps the module's tree."""
_BUILD: list[dict[str, MypyFile]] = []
"""The module table of the build ``_READERS`` belongs to: a new build drops the old readers,
which hold every tree of theirs (one process may run many builds: ``mypy.api.run``)."""


def reader_for(module: str, modules: dict[str, MypyFile]) -> Reader:
    """The reader of ``module``: shared by its classes, remade when mypy has a new tree for it."""
    if not _BUILD or _BUILD[0] is not modules:
        release()
        _BUILD.append(modules)
    reader = _READERS.get(module)
    if (
        reader is None
        or reader.tree is not modules.get(module)
        or reader.builtins is not modules.get("builtins")
    ):
        reader = _READERS[module] = Reader(module, modules)
    return reader


def release() -> None:
    """Forget the readers and the build they read, so that its trees can be freed."""
    _READERS.clear()
    _BUILD.clear()
