"""The instance fields a class statement declares itself, by the rules of its kind.

The class body is read into :class:`~allocative_gen.members.Binding` records (class-level
statements, then ``__init__``, then the other methods, then ``__slots__``);
:func:`allocative_gen.members.fields_of` decides which are fields, in which order, and
whether every instance has them. The mypy plugin reads mypy's tree into the same records.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import libcst as cst

from allocative_gen.annotations import (
    Annotation,
    read_annotation,
    read_type_comment,
    type_comment_expression,
    type_comment_text,
)
from allocative_gen.kinds import (
    BodyStatement,
    class_body,
    compound_suites,
    decorator_names,
    suite_statements,
)
from allocative_gen.members import Binding, Source, class_value_source, fields_of
from allocative_gen.names import Names
from allocative_gen.rules import (
    ATTRS_FIELD_CALLS,
    DEFAULT_KEYWORDS,
    IMPLICIT_CLASS_METHODS,
    METHOD_NAME,
    NO_SELF_DECORATORS,
    NOT_SLOTS,
    SETATTR_CALLS,
    SLOTS,
    STORED_PROPERTIES,
    UNMARKABLE,
    Kind,
    Option,
    canonical,
    leaves_unset,
    reading_order,
)

_EMPTY_MODULE = cst.Module(body=[])
_NO_METHODS = frozenset({Kind.NAMEDTUPLE, Kind.PYDANTIC})
"""Kinds whose instances hold no attribute but their fields: their methods are not read."""

Bind = Binding[Annotation]


@dataclass(frozen=True)
class Declared:
    """A field a class declares: its name, what its annotation says, whether every
    instance has it."""

    name: str
    annotation: Annotation
    certain: bool = True
    annotated: bool = True
    """Whether a binding gives the field a type (a name in ``__slots__`` alone does not)."""


def declared_fields(node: cst.ClassDef, names: Names, kind: Kind) -> list[Declared]:
    """The fields ``node`` declares in its own body (not its bases'), in declaration order."""
    body = class_body(node)
    if kind in UNMARKABLE:  # a Protocol base's members are read as a plain class's
        kind = Kind.PLAIN
    if kind is Kind.ATTRS_DETECT:
        kind = Kind.ATTRS if _has_bare_attrs_field(body, names) else Kind.ATTRS_AUTO
    bindings = list(_class_level(body, names, kind))
    if kind not in _NO_METHODS:
        bindings.extend(_MethodReader(names).bindings(body))
    slots = _slots(body, names)
    bindings.extend(Binding(name, Source.SLOT) for name in slots or ())
    return [
        Declared(
            member.name, member.typed or Annotation(None), member.certain, member.typed is not None
        )
        for member in fields_of(bindings)
    ]


def _class_level(body: Sequence[BodyStatement], names: Names, kind: Kind) -> Iterator[Bind]:
    """The bindings of the class body's own statements."""
    for statement, comment in body:
        if isinstance(statement, cst.FunctionDef) and _is_stored(statement, names):
            yield Binding(statement.name.value, Source.STORED, _STORED)
        elif isinstance(statement, cst.FunctionDef | cst.ClassDef):
            yield Binding(statement.name.value, Source.NOT_FIELD)
        elif isinstance(statement, cst.AnnAssign) and isinstance(statement.target, cst.Name):
            name = statement.target.value
            if name != SLOTS:
                yield _annotated(name, statement, names, kind)
        elif isinstance(statement, cst.Assign):
            yield from _assigned(statement, comment, names, kind)


def _annotated(name: str, statement: cst.AnnAssign, names: Names, kind: Kind) -> Bind:
    """The binding of ``name: T [= value]`` in the class body, by the class's kind."""
    annotation = read_annotation(statement.annotation.annotation, names)
    value = statement.value
    if not annotation.is_field:
        return Binding(name, Source.NOT_FIELD)
    if kind is Kind.PLAIN:
        if value is None:
            return Binding(name, Source.DECLARED, annotation)
        return Binding(name, class_value_source(annotation.final, annotation.option), annotation)
    if (kind is Kind.ATTRS and not _is_attrs_field(value, names)) or (
        kind is Kind.PYDANTIC and name.startswith("_")
    ):
        return Binding(name, Source.CLASS_VALUE if value is not None else Source.NOT_FIELD)
    late = _leaves_unset(value, names)
    return Binding(name, Source.DECLARED if late else Source.FIELD, annotation)


def _assigned(
    statement: cst.Assign, comment: cst.Comment | None, names: Names, kind: Kind
) -> Iterator[Bind]:
    """The bindings of an unannotated assignment in the class body (``x = 0  # type: int``)."""
    value = statement.value
    for target in statement.targets:
        node = target.target
        if not isinstance(node, cst.Name):
            for name in _names_in(node):
                yield Binding(name, Source.CLASS_VALUE)
            continue
        name = node.value
        if name == SLOTS:
            continue
        if kind is Kind.ATTRS and _is_attrs_field(value, names):
            late = _leaves_unset(value, names)
            yield Binding(name, Source.DECLARED if late else Source.FIELD, Annotation(None))
        else:
            single = len(statement.targets) == 1
            yield Binding(name, Source.CLASS_VALUE, _comment_type(comment, names, single))


_STORED = Annotation(None, option=Option.STORED)


def _is_stored(method: cst.FunctionDef, names: Names) -> bool:
    """Whether ``method`` is a cached property: decorated with one of
    :data:`~allocative_gen.rules.STORED_PROPERTIES`."""
    return not STORED_PROPERTIES.isdisjoint(decorator_names(method, names))


def _comment_type(comment: cst.Comment | None, names: Names, applies: bool) -> Annotation | None:
    return read_type_comment(comment, names) if applies else None


class _MethodReader:
    """Reads what the methods of a class assign on their first parameter.

    Every method is read except static and class methods and ``__allocative__`` itself:
    ``__init__`` first (when the class defines exactly one), then the others in class
    order. Nested functions and classes are not read (their ``self`` is another one).
    """

    def __init__(self, names: Names) -> None:
        self._names = names

    def bindings(self, body: Sequence[BodyStatement]) -> Iterator[Bind]:
        methods = [
            s for s, _ in body if isinstance(s, cst.FunctionDef) and s.name.value != METHOD_NAME
        ]
        for method, is_init in reading_order(methods, lambda method: method.name.value):
            yield from self._method(method, is_init=is_init)

    def _method(self, method: cst.FunctionDef, is_init: bool) -> Iterator[Bind]:
        if method.name.value in IMPLICIT_CLASS_METHODS or not NO_SELF_DECORATORS.isdisjoint(
            decorator_names(method, self._names)
        ):
            return
        positional = [*method.params.posonly_params, *method.params.params]
        if not positional:
            return
        walk = _Walk(positional[0].name.value, self._parameters(method), is_init)
        yield from self._block(method.body, walk, top=True)

    def _block(self, suite: cst.BaseSuite, walk: _Walk, top: bool) -> Iterator[Bind]:
        for statement, comment in suite_statements(suite):
            if isinstance(statement, cst.BaseSmallStatement):
                certain = top and walk.is_init and not walk.returned
                yield from self._small(statement, comment, walk, certain)
                if isinstance(statement, cst.Return) and top:
                    walk.returned = True
            elif not isinstance(statement, cst.FunctionDef | cst.ClassDef):
                yield from self._compound(statement, walk)
                if top and _returns(statement):
                    walk.returned = True

    def _compound(self, node: cst.CSTNode, walk: _Walk) -> Iterator[Bind]:
        if isinstance(node, cst.For):
            yield from walk.targets(node.target, Source.METHOD)
        elif isinstance(node, cst.With):
            for item in node.items:
                if item.asname is not None:
                    yield from walk.targets(item.asname.name, Source.METHOD)
        for block in compound_suites(node):
            yield from self._block(block, walk, top=False)

    def _small(
        self, node: cst.BaseSmallStatement, comment: cst.Comment | None, walk: _Walk, certain: bool
    ) -> Iterator[Bind]:
        source = Source.INIT if certain else Source.METHOD
        if isinstance(node, cst.Assign):
            single = len(node.targets) == 1
            for target in node.targets:
                typed = _comment_type(comment, self._names, single)
                if typed is None and isinstance(node.value, cst.Name):
                    typed = walk.parameters.get(node.value.value)
                yield from walk.targets(target.target, source, typed)
        elif isinstance(node, cst.AnnAssign):
            typed = read_annotation(node.annotation.annotation, self._names)
            if node.value is None:
                source = Source.METHOD
            yield from walk.targets(node.target, source, typed, unpacked=False)
        elif isinstance(node, cst.AugAssign):
            yield from walk.targets(node.target, source, unpacked=False)
        elif isinstance(node, cst.Expr) and isinstance(node.value, cst.Call):
            name = self._setattr_name(node.value, walk.this)
            if name is not None:  # unknown to type checkers: read with getattr
                yield Binding(name, Source.METHOD)

    def _setattr_name(self, call: cst.Call, this: str) -> str | None:
        """``x`` of ``setattr(self, "x", value)`` or ``object.__setattr__(self, "x", value)``."""
        if canonical(self._names.qualified(call.func) or "") not in SETATTR_CALLS:
            return None
        args = call.args
        if len(args) != 3 or any(arg.keyword is not None or arg.star for arg in args):
            return None
        target, name = args[0].value, args[1].value
        if not isinstance(target, cst.Name) or target.value != this:
            return None
        if not isinstance(name, cst.SimpleString):
            return None
        text = name.evaluated_value
        return text if isinstance(text, str) else None

    def _parameters(self, method: cst.FunctionDef) -> dict[str, Annotation]:
        """Each parameter's annotation: written, else its own or the signature's type comment."""
        params = method.params
        ordered = [*params.posonly_params, *params.params]
        if isinstance(params.star_arg, cst.Param):
            ordered.append(params.star_arg)
        ordered.extend(params.kwonly_params)
        if params.star_kwarg is not None:
            ordered.append(params.star_kwarg)
        signature = _signature_types(method, len(ordered))
        found: dict[str, Annotation] = {}
        for index, param in enumerate(ordered):
            written = param.annotation.annotation if param.annotation is not None else None
            if written is None:
                written = type_comment_expression(_param_comment(param))
            if written is None and signature is not None:
                written = signature[index]
            if written is not None and not param.star:
                found[param.name.value] = read_annotation(written, self._names)
        return found


class _Walk:
    """The state of reading one method: the name of its instance parameter, its parameters'
    annotations, whether it is the class's ``__init__`` and whether it may have returned."""

    def __init__(self, this: str, parameters: dict[str, Annotation], is_init: bool) -> None:
        self.this, self.parameters, self.is_init = this, parameters, is_init
        self.returned = False

    def targets(
        self,
        node: cst.BaseExpression,
        source: Source,
        typed: Annotation | None = None,
        unpacked: bool = True,
    ) -> Iterator[Bind]:
        """The bindings of an assignment target: ``self.x``, or inside an unpacking (where
        no annotation applies)."""
        if isinstance(node, cst.Attribute):
            value = node.value
            if isinstance(value, cst.Name) and value.value == self.this:
                yield Binding(node.attr.value, source, typed)
        elif unpacked and isinstance(node, cst.Tuple | cst.List):
            for element in node.elements:
                yield from self.targets(element.value, source)
        elif unpacked and isinstance(node, cst.StarredElement):
            yield from self.targets(node.value, source)


def _returns(node: cst.CSTNode) -> bool:
    """Whether a compound statement holds a ``return`` (not one of a nested function)."""
    for block in compound_suites(node):
        for statement, _ in suite_statements(block):
            if isinstance(statement, cst.Return):
                return True
            nested = isinstance(statement, cst.BaseSmallStatement | cst.FunctionDef | cst.ClassDef)
            if not nested and _returns(statement):
                return True
    return False


def _param_comment(param: cst.Param) -> cst.Comment | None:
    """The ``# type:`` comment after a parameter on its own line (after its comma, if any)."""
    comma = param.comma
    spaces = [param.whitespace_after_param]
    if isinstance(comma, cst.Comma):
        spaces.append(comma.whitespace_after)
    for space in spaces:
        if isinstance(space, cst.ParenthesizedWhitespace) and space.first_line.comment:
            return space.first_line.comment
    return None


def _signature_types(method: cst.FunctionDef, count: int) -> list[cst.BaseExpression] | None:
    """The argument types of a ``# type: (A, B) -> R`` signature comment, one per parameter
    (the instance parameter may be left out of the comment), or None."""
    text = type_comment_text(_signature_comment(method))
    if text is None or "->" not in text:
        return None
    arguments = text.rpartition("->")[0].strip()
    try:
        call = cst.parse_expression(f"_{arguments}")
    except cst.ParserSyntaxError:
        return None
    if not isinstance(call, cst.Call):
        return None
    types = [arg.value for arg in call.args]
    if len(types) == 1 and isinstance(types[0], cst.Ellipsis):
        return None
    if len(types) == count - 1:
        types.insert(0, cst.Name("object"))
    return types if len(types) == count else None


def _signature_comment(method: cst.FunctionDef) -> cst.Comment | None:
    """A signature's type comment: after the colon, or alone on the line below the ``def``."""
    body = method.body
    if not isinstance(body, cst.IndentedBlock):
        return None
    if body.header.comment is not None:
        return body.header.comment
    first = body.body[0] if body.body else None
    leading = getattr(first, "leading_lines", ())
    return leading[0].comment if leading else None


def _names_in(node: cst.BaseExpression) -> Iterator[str]:
    """The plain names an unpacking target binds (``a, (b, *c)``)."""
    if isinstance(node, cst.Name):
        yield node.value
    elif isinstance(node, cst.Tuple | cst.List):
        for element in node.elements:
            yield from _names_in(element.value)
    elif isinstance(node, cst.StarredElement):
        yield from _names_in(node.value)


def _is_attrs_field(value: cst.BaseExpression | None, names: Names) -> bool:
    if not isinstance(value, cst.Call):
        return False
    return canonical(names.qualified(value.func) or "") in ATTRS_FIELD_CALLS


def _leaves_unset(value: cst.BaseExpression | None, names: Names) -> bool:
    """Whether a field declared ``= field(init=False)`` (without a default) may be missing."""
    if not isinstance(value, cst.Call):
        return False
    callee = canonical(names.qualified(value.func) or "")
    keywords = {arg.keyword.value: arg.value for arg in value.args if arg.keyword is not None}
    init = keywords.get("init")
    init_false = isinstance(init, cst.Name) and init.value == "False"
    positional = any(arg.keyword is None for arg in value.args)
    return leaves_unset(callee, init_false, positional or not DEFAULT_KEYWORDS.isdisjoint(keywords))


def _has_bare_attrs_field(body: Sequence[BodyStatement], names: Names) -> bool:
    """Whether an attrs class has an unannotated ``attr.ib()``: then auto_attribs is off."""
    return any(
        isinstance(statement, cst.Assign) and _is_attrs_field(statement.value, names)
        for statement, _ in body
    )


def _slots(body: Sequence[BodyStatement], names: Names) -> list[str] | None:
    """The names in a literal ``__slots__``, or None when the class has none."""
    for statement, _ in body:
        if isinstance(statement, cst.Assign | cst.AnnAssign):
            targets = statement.targets if isinstance(statement, cst.Assign) else [statement]
            if any(isinstance(t.target, cst.Name) and t.target.value == SLOTS for t in targets):
                found = _slot_names(statement.value, names)
                return [name for name in found if name not in NOT_SLOTS]
    return None


def _slot_names(value: cst.BaseExpression | None, names: Names) -> list[str]:
    """The names a ``__slots__`` value lists: a string, a tuple, list or set of strings, the
    keys of a dict, or the keywords of ``dict(...)``."""
    if isinstance(value, cst.SimpleString | cst.ConcatenatedString):
        text = value.evaluated_value
        return [text] if isinstance(text, str) else []
    if isinstance(value, cst.Tuple | cst.List | cst.Set):
        return [name for e in value.elements for name in _slot_names(e.value, names)]
    if isinstance(value, cst.Dict):
        keys = [e.key for e in value.elements if isinstance(e, cst.DictElement)]
        return [name for key in keys for name in _slot_names(key, names)]
    if isinstance(value, cst.Call) and names.qualified(value.func) == "builtins.dict":
        return [arg.keyword.value for arg in value.args if arg.keyword is not None]
    return []
