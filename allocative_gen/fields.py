"""The instance fields a class statement declares itself, by the rules of its kind."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from allocative_gen.annotations import Annotation, read_annotation
from allocative_gen.kinds import body_statements
from allocative_gen.names import Names
from allocative_gen.rules import ATTRS_FIELD_CALLS, NOT_SLOTS, SLOTS, Kind, canonical


@dataclass(frozen=True)
class Declared:
    """A field a class declares: its name and what its annotation says."""

    name: str
    annotation: Annotation


def declared_fields(node: cst.ClassDef, names: Names, kind: Kind) -> list[Declared]:
    """The fields ``node`` declares in its own body (not its bases'), in declaration order."""
    statements = body_statements(node)
    if kind is Kind.ATTRS_DETECT:
        kind = Kind.ATTRS if _has_bare_attrs_field(statements, names) else Kind.ATTRS_AUTO
    annotated = _annotated(statements, names, kind)
    if kind is not Kind.PLAIN:
        return annotated
    slots = _slots(statements)
    assigned = _assigned_in_init(statements, names)
    if slots is not None:
        types = {field.name: field for field in assigned + annotated}
        in_init = [field.name for field in assigned if field.name in slots]
        ordered = in_init + [name for name in slots if name not in in_init]
        return [types.get(name, Declared(name, Annotation(None))) for name in ordered]
    known = {field.name for field in annotated}
    return annotated + [field for field in assigned if field.name not in known]


def _annotated(statements: Sequence[object], names: Names, kind: Kind) -> list[Declared]:
    """Class-level fields: annotated names, and for attrs the ``attr.ib()`` assignments."""
    fields: list[Declared] = []
    for statement in statements:
        if isinstance(statement, cst.AnnAssign) and isinstance(statement.target, cst.Name):
            name = statement.target.value
            annotation = read_annotation(statement.annotation.annotation, names)
            if not annotation.is_field or name == SLOTS:
                continue
            if kind is Kind.ATTRS and not _is_attrs_field(statement.value, names):
                continue
            if kind is Kind.PYDANTIC and name.startswith("_"):
                continue
            fields.append(Declared(name, annotation))
        elif isinstance(statement, cst.Assign) and kind is Kind.ATTRS:
            target = statement.targets[0].target
            if isinstance(target, cst.Name) and _is_attrs_field(statement.value, names):
                fields.append(Declared(target.value, Annotation(None)))
    return fields


def _is_attrs_field(value: cst.BaseExpression | None, names: Names) -> bool:
    if not isinstance(value, cst.Call):
        return False
    return canonical(names.qualified(value.func) or "") in ATTRS_FIELD_CALLS


def _has_bare_attrs_field(statements: Sequence[object], names: Names) -> bool:
    """Whether an attrs class has an unannotated ``attr.ib()``: then auto_attribs is off."""
    return any(
        isinstance(statement, cst.Assign) and _is_attrs_field(statement.value, names)
        for statement in statements
    )


def _slots(statements: Sequence[object]) -> list[str] | None:
    """The names in a literal ``__slots__``, or None when the class has none."""
    for statement in statements:
        if isinstance(statement, cst.Assign | cst.AnnAssign):
            targets = statement.targets if isinstance(statement, cst.Assign) else [statement]
            if any(isinstance(t.target, cst.Name) and t.target.value == SLOTS for t in targets):
                return _string_items(statement.value)
    return None


def _string_items(value: cst.BaseExpression | None) -> list[str]:
    if isinstance(value, cst.SimpleString):
        text = value.evaluated_value
        return [str(text)] if str(text) not in NOT_SLOTS else []
    if isinstance(value, cst.Tuple | cst.List | cst.Set):
        found = []
        for element in value.elements:
            if isinstance(element.value, cst.SimpleString):
                text = str(element.value.evaluated_value)
                if text not in NOT_SLOTS:
                    found.append(text)
        return found
    if isinstance(value, cst.Dict):
        return [
            str(element.key.evaluated_value)
            for element in value.elements
            if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString)
        ]
    return []


def _assigned_in_init(statements: Sequence[object], names: Names) -> list[Declared]:
    """Attributes ``__init__`` assigns on its first parameter, typed where it says."""
    init = next(
        (s for s in statements if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"),
        None,
    )
    if init is None or not init.params.params:
        return []
    this = init.params.params[0].name.value
    parameters = {
        param.name.value: param.annotation.annotation
        for param in (*init.params.params, *init.params.kwonly_params)
        if param.annotation is not None
    }
    found: dict[str, Declared] = {}
    for node in _init_statements(init):
        for target, annotation, value in _assignments(node):
            name = _self_attribute(target, this)
            if name is None or name in found:
                continue
            if annotation is None and isinstance(value, cst.Name):
                annotation = parameters.get(value.value)
            found[name] = Declared(name, read_annotation(annotation, names))
    return list(found.values())


def _init_statements(init: cst.FunctionDef) -> list[cst.BaseSmallStatement]:
    """The small statements at the top level of ``__init__``'s body."""
    body = init.body
    if isinstance(body, cst.SimpleStatementSuite):
        return list(body.body)
    found: list[cst.BaseSmallStatement] = []
    for statement in body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            found.extend(statement.body)
    return found


def _assignments(
    node: cst.BaseSmallStatement,
) -> list[tuple[cst.BaseExpression, cst.BaseExpression | None, cst.BaseExpression | None]]:
    if isinstance(node, cst.AnnAssign):
        return [(node.target, node.annotation.annotation, node.value)]
    if isinstance(node, cst.Assign):
        return [(target.target, None, node.value) for target in node.targets]
    return []


def _self_attribute(target: cst.BaseExpression, this: str) -> str | None:
    if (
        isinstance(target, cst.Attribute)
        and isinstance(target.value, cst.Name)
        and target.value.value == this
    ):
        return target.attr.value
    return None
