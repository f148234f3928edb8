"""Read a field's annotation: its declared type, field option, and whether it is a field at all."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Final

import libcst as cst

from allocative_gen.names import Names
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

_EMPTY_MODULE: Final = cst.Module(body=[])


@dataclass(frozen=True)
class Annotation:
    """What a field's annotation says: type, option, custom visit function, whether a field."""

    type: TypeRef | None
    option: Option | None = None
    function: str | None = None
    is_field: bool = True


def read_annotation(node: cst.BaseExpression | None, names: Names) -> Annotation:
    """The :class:`Annotation` of annotation expression ``node`` (None: unannotated)."""
    if node is None:
        return Annotation(None)
    node = _unquote(node)
    if isinstance(node, cst.Subscript):
        base = canonical(names.qualified(node.value) or "")
        if base in NOT_FIELDS:
            return Annotation(None, is_field=False)
        args = _subscript_args(node)
        if base == ANNOTATED and args:
            return _annotated(args[0], args[1:], names)
        if base in UNWRAPPED and args:
            return read_annotation(args[0], names)
    elif canonical(names.qualified(node) or "") in NOT_FIELDS:
        return Annotation(None, is_field=False)
    return Annotation(type_ref(node, names))


def type_ref(node: cst.BaseExpression, names: Names) -> TypeRef:
    """The :class:`TypeRef` of a type expression, resolving names through ``names``."""
    node = _unquote(node)
    if isinstance(node, cst.Subscript):
        base = canonical(names.qualified(node.value) or "<expression>")
        if base == ANNOTATED or base in UNWRAPPED:
            return type_ref(_subscript_args(node)[0], names)
        return TypeRef(base, tuple(type_ref(arg, names) for arg in _subscript_args(node)))
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return TypeRef("types.UnionType", (type_ref(node.left, names), type_ref(node.right, names)))
    if isinstance(node, cst.Ellipsis):
        return TypeRef(ELLIPSIS)
    if isinstance(node, cst.Tuple | cst.List):
        return TypeRef("<list>", tuple(type_ref(e.value, names) for e in node.elements))
    return TypeRef(canonical(names.qualified(node) or "<expression>"))


def _annotated(
    inner: cst.BaseExpression, metadata: list[cst.BaseExpression], names: Names
) -> Annotation:
    """An ``Annotated[inner, *metadata]`` annotation: the first field option wins."""
    found = read_annotation(inner, names)
    for item in metadata:
        if isinstance(item, cst.Call):
            if canonical(names.qualified(item.func) or "") == VISIT_WITH and item.args:
                function = _EMPTY_MODULE.code_for_node(item.args[0].value)
                return Annotation(found.type, Option.VISIT_WITH, function, found.is_field)
            continue
        option = OPTIONS.get(canonical(names.qualified(item) or ""))
        if option is not None:
            return Annotation(found.type, option, None, found.is_field)
    return found


def _subscript_args(node: cst.Subscript) -> list[cst.BaseExpression]:
    args: list[cst.BaseExpression] = []
    for element in node.slice:
        if isinstance(element.slice, cst.Index):
            args.append(element.slice.value)
    if len(args) == 1 and isinstance(args[0], cst.Tuple):
        return [element.value for element in args[0].elements]
    return args


def _unquote(node: cst.BaseExpression) -> cst.BaseExpression:
    """The expression inside a string annotation (``"list[Line]"``); others unchanged."""
    while isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        text = _string_value(node)
        if text is None:
            return node
        try:
            node = cst.parse_expression(text.strip())
        except cst.ParserSyntaxError:
            return node
    return node


def _string_value(node: cst.SimpleString | cst.ConcatenatedString) -> str | None:
    try:
        value = ast.literal_eval(_EMPTY_MODULE.code_for_node(node).replace("\n", " "))
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None
