"""Read a field's annotation: its declared type, field option, and whether it is a field at all."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from typing import Final

import libcst as cst

from allocative_gen.names import Names
from allocative_gen.rules import (
    ANNOTATED,
    ELLIPSIS,
    FINAL,
    NOT_FIELDS,
    OPTIONS,
    UNWRAPPED,
    VISIT_WITH,
    Option,
    TypeRef,
    canonical,
)

_EMPTY_MODULE: Final = cst.Module(body=[])
_TYPE_COMMENT: Final = re.compile(r"#\s*type:(.*)$")
_IGNORE: Final = re.compile(r"ignore(\W|$)")


@dataclass(frozen=True)
class Annotation:
    """What a field's annotation says: type, option, custom visit function, whether a field,
    and whether it is ``Final`` (a class-level ``Final`` with a value is a constant)."""

    type: TypeRef | None
    option: Option | None = None
    function: str | None = None
    is_field: bool = True
    final: bool = False


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
            inner = read_annotation(args[0], names)
            return replace(inner, final=True) if base == FINAL else inner
    else:
        name = canonical(names.qualified(node) or "")
        if name in NOT_FIELDS:
            return Annotation(None, is_field=False)
        if name == FINAL:
            return Annotation(None, final=True)
    return Annotation(type_ref(node, names))


def read_type_comment(comment: cst.Comment | None, names: Names) -> Annotation | None:
    """The annotation a ``# type: <type>`` comment gives (None: no such comment)."""
    expression = type_comment_expression(comment)
    return None if expression is None else read_annotation(expression, names)


def type_comment_expression(comment: cst.Comment | None) -> cst.BaseExpression | None:
    """The type of a ``# type: <type>`` comment as an expression (``ignore`` is no type)."""
    text = type_comment_text(comment)
    if text is None:
        return None
    try:
        return cst.parse_expression(text)
    except cst.ParserSyntaxError:
        return None


def type_comment_text(comment: cst.Comment | None) -> str | None:
    """The text after ``# type:`` in a type comment, up to a further comment; None if none."""
    if comment is None:
        return None
    match = _TYPE_COMMENT.match(comment.value)
    if match is None:
        return None
    text = match.group(1).split("#")[0].strip()
    if not text or _IGNORE.match(text):
        return None
    return text


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
                return replace(found, option=Option.VISIT_WITH, function=function)
            continue
        option = OPTIONS.get(canonical(names.qualified(item) or ""))
        if option is not None:
            return replace(found, option=option, function=None)
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
