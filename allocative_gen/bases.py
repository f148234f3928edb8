"""A class statement's bases, resolved as Python evaluates them, and the kind they give it."""

from __future__ import annotations

from typing import Final, NamedTuple, Protocol

import libcst as cst

from allocative_gen.kinds import decorator_kind
from allocative_gen.names import LOCAL, Imported, dotted
from allocative_gen.rules import (
    ENUM_METACLASSES,
    ENUMS,
    NAMEDTUPLE,
    NAMEDTUPLE_FACTORIES,
    PROTOCOL,
    PYDANTIC_MODELS,
    TYPED_DICTS,
    Kind,
    canonical,
    is_fieldless_base,
)
from allocative_gen.sources import ClassSource, Outside

_EMPTY_MODULE: Final = cst.Module(body=[])
MAX_DEPTH: Final = 50
"""How deep base classes are followed (a cycle of bases ends there)."""
_INHERITED_KINDS: Final = frozenset({Kind.PYDANTIC, Kind.TYPED_DICT, Kind.ENUM})
"""Kinds a class gets from any of its bases (a Protocol or NamedTuple is only the class
that lists ``Protocol`` or ``NamedTuple`` itself)."""


class BaseFinder(Protocol):
    """Finds the class statement a qualified base class name refers to."""

    def find(
        self, qualified: str, context: ClassSource, module: str | None = None
    ) -> ClassSource | Outside | None:
        """The class named ``qualified`` as seen from ``context``'s module: its statement,
        :class:`Outside` for one of the standard library, or None when not found.
        ``module``: the leading part of ``qualified`` that an import names as a module."""

    def member(self, owner: ClassSource, parts: list[str]) -> ClassSource | Outside | None:
        """The class ``owner.<parts>`` names: nested in its body, else in its bases'."""


class Base(NamedTuple):
    """A positional base of a class statement.

    ``written`` is the expression as written (without ``[...]``), ``reach`` how the class's
    methods name it, ``qualified`` its canonical name ("" when it is not a name),
    ``found`` its class statement when found, and ``fieldless`` whether it adds no fields
    to the class: a known base (``Generic``, a built-in, a named tuple factory's result) or
    a class outside the project.
    """

    written: str
    reach: str
    qualified: str
    found: ClassSource | None
    fieldless: bool


def class_bases(source: ClassSource, finder: BaseFinder) -> list[Base]:
    """The positional bases of ``source``'s class statement, in the order written."""
    found = []
    for arg in source.node.bases:
        if arg.keyword is None and not arg.star:
            found.append(_base(arg.value, source, finder))
    return found


def _base(value: cst.BaseExpression, source: ClassSource, finder: BaseFinder) -> Base:
    if isinstance(value, cst.Subscript):
        value = value.value
    written = _EMPTY_MODULE.code_for_node(value)
    module = source.module
    scope = module.classes.scope_of[id(source.node)]
    for _ in range(MAX_DEPTH):
        if isinstance(value, cst.Call):
            factory = canonical(source.names.qualified(value.func) or "")
            return Base(written, written, "", None, factory in NAMEDTUPLE_FACTORIES)
        name = dotted(value)
        if name is None:
            return Base(written, written, "", None, False)
        parts = name.split(".")
        bound = module.classes.lookup(parts[0], scope)
        if bound is None:
            return _named(written, source.names.qualified(value) or "", source, finder)
        target, scope = bound
        if isinstance(target, cst.ClassDef):
            local = module.classes.inside(target, parts[1:])
            if local is None:  # a class its bases hold: ``Dialect.Tokenizer`` of a subclass
                return _found(
                    written, written, finder.member(ClassSource(target, module), parts[1:])
                )
            reach = module.classes.reach(local)
            return Base(written, reach, f"{LOCAL}.{reach}", ClassSource(local, module), False)
        if isinstance(target, Imported):
            qualified = ".".join([target.qualified, *parts[1:]])
            return _named(written, qualified, source, finder, target.module)
        if isinstance(target, cst.FunctionDef):
            return Base(written, written, "", None, False)
        value = target
        for part in parts[1:]:
            value = cst.Attribute(value=value, attr=cst.Name(part))
    return Base(written, written, "", None, False)


def _named(
    written: str, name: str, source: ClassSource, finder: BaseFinder, module: str | None = None
) -> Base:
    """A base named ``name`` (``module``: its part an import names as a module) that is not
    a class of the module itself."""
    qualified = canonical(name)
    if is_fieldless_base(qualified):
        return Base(written, written, qualified, None, True)
    return _found(written, qualified, finder.find(name, source, module))


def _found(written: str, qualified: str, found: ClassSource | Outside | None) -> Base:
    """A base found (or not) by the finder, reached in methods as written."""
    if not isinstance(found, ClassSource):
        return Base(written, written, qualified, None, isinstance(found, Outside))
    return Base(written, written, qualified, found, found.module.outside)


def class_kind(source: ClassSource, finder: BaseFinder, depth: int = 0) -> Kind:
    """The kind of a class, from its decorators, its metaclass or its bases."""
    kind = decorator_kind(source.node, source.names)
    if kind is not None:
        return kind
    for keyword in source.node.keywords:
        if keyword.keyword is not None and keyword.keyword.value == "metaclass":
            metaclass = canonical(source.names.qualified(keyword.value) or "")
            if metaclass in ENUM_METACLASSES:
                return Kind.ENUM
    bases = class_bases(source, finder)
    for base in bases:
        direct = _named_kind(base.qualified)
        if direct is not None:
            return direct
    for base in bases:
        if base.found is not None and depth < MAX_DEPTH:
            inherited = class_kind(base.found, finder, depth + 1)
            if inherited in _INHERITED_KINDS:
                return inherited
    return Kind.PLAIN


def _named_kind(qualified: str) -> Kind | None:
    """The kind a base gives by its name alone."""
    if qualified == NAMEDTUPLE:
        return Kind.NAMEDTUPLE
    if qualified in PYDANTIC_MODELS:
        return Kind.PYDANTIC
    if qualified == PROTOCOL:
        return Kind.PROTOCOL
    if qualified in TYPED_DICTS:
        return Kind.TYPED_DICT
    if qualified in ENUMS:
        return Kind.ENUM
    return None
