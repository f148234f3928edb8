"""Which kind of class a class is (it decides what its fields are), read order-independently.

The kind comes from the class's own decorators and bases as written, never
from what the dataclasses or attrs plugins have done to it so far. The kinds
and the decorators that make them are the generator's (``allocative_gen.rules``).
"""

from __future__ import annotations

from mypy.nodes import CallExpr, ClassDef, Expression, NameExpr, RefExpr, TypeInfo

from allocative_gen.rules import (
    ATTRS_CLASSIC,
    ATTRS_NEXT_GEN,
    DATACLASS_DECORATORS,
    PYDANTIC_MODELS,
    Kind,
    canonical,
)


def class_kind(info: TypeInfo) -> Kind:
    """The kind of ``info``, from its decorators, else what mypy made of its bases
    (Protocol, TypedDict, Enum, NamedTuple, pydantic)."""
    kind = decorator_kind(info.defn)
    if kind is not None:
        return kind
    if info.is_protocol:
        return Kind.PROTOCOL
    if info.typeddict_type is not None:
        return Kind.TYPED_DICT
    if info.is_enum:
        return Kind.ENUM
    if info.is_named_tuple:
        return Kind.NAMEDTUPLE
    if any(base.fullname in PYDANTIC_MODELS for base in info.mro):
        return Kind.PYDANTIC
    return Kind.PLAIN


def decorator_kind(defn: ClassDef) -> Kind | None:
    """The kind a class decorator gives the class, if any."""
    for decorator in defn.decorators:
        call = decorator if isinstance(decorator, CallExpr) else None
        name = _fullname(call.callee if call else decorator)
        if name in DATACLASS_DECORATORS:
            return Kind.DATACLASS
        if name in ATTRS_NEXT_GEN:
            return _attrs_kind(call, default=None)
        if name in ATTRS_CLASSIC:
            return _attrs_kind(call, default=False)
    return None


def _fullname(expr: Expression) -> str:
    return canonical(expr.fullname) if isinstance(expr, RefExpr) else ""


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
