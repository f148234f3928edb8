"""Which kind of class a class is (it decides what its fields are), read order-independently.

The kind comes from the class's own decorators and bases as written, never
from what the dataclasses or attrs plugins have done to it so far.
"""

from __future__ import annotations

from enum import Enum

from mypy.nodes import CallExpr, ClassDef, Expression, NameExpr, RefExpr, TypeInfo

from allocative_mypy import _names


class Kind(Enum):
    """A kind of class, mirroring ``allocative_gen.kinds.Kind``."""

    DATACLASS = "dataclass"
    ATTRS = "attrs"
    ATTRS_AUTO = "attrs with auto_attribs"
    ATTRS_DETECT = "attrs, auto_attribs detected"
    NAMEDTUPLE = "NamedTuple"
    PYDANTIC = "pydantic model"
    PLAIN = "plain class"


def class_kind(info: TypeInfo) -> Kind:
    """The kind of ``info``, from its decorators, else its bases (NamedTuple, pydantic)."""
    kind = decorator_kind(info.defn)
    if kind is not None:
        return kind
    if info.is_named_tuple:
        return Kind.NAMEDTUPLE
    if any(base.fullname == _names.PYDANTIC_MODEL for base in info.mro):
        return Kind.PYDANTIC
    return Kind.PLAIN


def decorator_kind(defn: ClassDef) -> Kind | None:
    """The kind a class decorator gives the class, if any."""
    for decorator in defn.decorators:
        call = decorator if isinstance(decorator, CallExpr) else None
        name = _fullname(call.callee if call else decorator)
        if name in _names.DATACLASS_DECORATORS:
            return Kind.DATACLASS
        if name in _names.ATTRS_NEXT_GEN:
            return _attrs_kind(call, default=None)
        if name in _names.ATTRS_CLASSIC:
            return _attrs_kind(call, default=False)
    return None


def _fullname(expr: Expression) -> str:
    return _names.canonical(expr.fullname) if isinstance(expr, RefExpr) else ""


def _attrs_kind(call: CallExpr | None, default: bool | None) -> Kind:
    """The attrs kind that ``auto_attribs`` (given in ``call`` or by ``default``) selects."""
    auto = default
    if call is not None:
        for name, value in zip(call.arg_names, call.args, strict=True):
            if name == "auto_attribs":
                auto = isinstance(value, NameExpr) and value.name == "True"
    if auto is None:
        return Kind.ATTRS_DETECT
    return Kind.ATTRS_AUTO if auto else Kind.ATTRS
