"""The checks run on each class marked ``@allocative``, handed off by the plugin's hooks."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from mypy.messages import format_type_bare
from mypy.nodes import Context, FuncDef, TypeInfo
from mypy.plugin import ClassDefContext
from mypy.types import Type

from allocative_gen import rules
from allocative_gen.rules import Kind, Option, Read, Visit, read_of, stored_name
from allocative_mypy import _errors, _names
from allocative_mypy._fields import Field, FieldCollector, to_metadata
from allocative_mypy._kinds import class_kind
from allocative_mypy._measurable import (
    Problem,
    ProblemKind,
    has_method,
    is_measured_instance,
    is_opaque,
    problems_of,
)
from allocative_mypy._method import Expected, is_current, read_steps, visits_in_order
from allocative_mypy._settings import settings
from allocative_mypy._written import reader_for

_DYNAMIC = Visit(rules.DYNAMIC_VISIT)


def check_marked_class(ctx: ClassDefContext) -> bool:
    """Hook for ``@allocative``: record the class's fields, check them and its method.

    Always returns True: returning "not ready" would keep the class hooks after
    this one (dataclasses, attrs) from running on this class in this pass.
    """
    ClassChecker(ctx).check()
    return True


def record_opaque_class(ctx: ClassDefContext) -> bool:
    """Hook for ``@opaque`` as a class decorator: remember it in the cache's metadata."""
    ctx.cls.info.metadata.setdefault(_names.METADATA_KEY, {})["opaque"] = True
    return True


class ClassChecker:
    """Checks one marked class: its fields' types and its generated method."""

    def __init__(self, ctx: ClassDefContext) -> None:
        self._api = ctx.api
        self._info = ctx.cls.info
        self._cls = ctx.cls
        self._collector = FieldCollector(ctx.api.modules, ctx.api.options)

    def check(self) -> None:
        """Run every check on the class and report what is wrong.

        Runs once per marked class on mypy's cold path: the class's kind and
        ``@opaque`` are read once, and nothing is computed for a current class
        that only a stale one needs.
        """
        info = self._info
        reader_for(info.module_name, self._api.modules).checking(info.defn)
        kind = class_kind(info)
        reason = rules.UNMARKABLE.get(kind)
        if reason is not None:
            _errors.error_unmarkable(self._api, info.name, reason, self._cls)
            return
        opaque = is_opaque(info)
        own = self._collector.own(info, kind)
        metadata = info.metadata.setdefault(_names.METADATA_KEY, {})
        metadata.pop("uncertain", None)
        metadata.update(to_metadata(own))
        inherited = self._collector.inherited(info)
        if not opaque:
            for field in own:
                if (
                    field.option is None
                    and not field.facts.plain
                    and not is_measured_instance(field.type)
                ):
                    self._check_field(field, field.node or self._cls)
            for field in inherited:
                if field.option is None and not field.facts.plain and not has_method(field.owner):
                    self._check_field(field, self._cls)
        if inherited:
            self._check_method([*inherited, *own], kind, opaque, all_own=False)
        else:
            self._check_method(own, kind, opaque, all_own=True)

    def _expected(self, fields: list[Field], kind: Kind) -> dict[str, Expected | None]:
        """How the generator visits each field, as the class's method or inline."""
        info = self._info
        expected: dict[str, Expected | None] = {}
        for field in fields:
            owner = field.owner
            if owner is not info and is_opaque(owner):
                expected[field.name] = None  # an @opaque base's fields are not visited
                continue
            if field.option is Option.STORED:  # visited by the key its value is stored under
                key = stored_name(field.name, owner.name)
                expected[field.name] = Expected(field.facts.visit, Read(key, False))
                continue
            read = read_of(field.name, owner.name, owner is info, field.certain)
            expected[field.name] = Expected(field.facts.visit, read)
        if kind is Kind.PYDANTIC:
            for name in rules.PYDANTIC_INTERNALS:
                expected.setdefault(name, Expected(_DYNAMIC, Read(name, False)))
        return expected

    def _check_field(self, field: Field, ctx: Context) -> None:
        registered = settings(self._api, self._cls).registered
        problems = problems_of(field.type, self._collector.is_outside, registered)
        if problems:
            for problem in _unique(problems):
                self._report(field, problem, ctx)

    def _report(self, field: Field, problem: Problem, ctx: Context) -> None:
        cls = self._info.name
        if problem.kind is ProblemKind.ANY:
            _errors.error_any(self._api, field.name, cls, self._any_text(field), ctx)
        elif problem.kind is ProblemKind.GENERIC:
            self._report_generic(field, problem, ctx)
        elif field.owner is not self._info:
            base, shown = field.owner.name, self._show(problem.type)
            _errors.error_inherited_field(self._api, field.name, cls, base, shown, ctx)
        else:
            _errors.error_field(self._api, field.name, cls, self._show(problem.type), ctx)

    def _report_generic(self, field: Field, problem: Problem, ctx: Context) -> None:
        assert problem.generic is not None
        generic, argument = self._show(problem.generic), self._show(problem.type)
        _errors.error_generic(self._api, field.name, self._info.name, generic, argument, ctx)

    def _any_text(self, field: Field) -> str:
        if field.type is None:
            return "unannotated"
        return f'typed "{self._show(field.type)}"'

    def _show(self, typ: Type) -> str:
        return format_type_bare(typ, self._api.options)

    def _check_method(self, fields: list[Field], kind: Kind, opaque: bool, all_own: bool) -> None:
        """Report a missing or stale method; ``all_own``: every field is the class's own."""
        symbol = self._info.names.get(rules.METHOD_NAME)
        if symbol is None or symbol.node is None:
            _errors.error_missing_method(self._api, self._info.name, self._cls)
            return
        method = symbol.node
        if (
            not opaque
            and kind is not Kind.PYDANTIC
            and isinstance(method, FuncDef)
            and (all_own or all(field.owner is self._info for field in fields))
            and visits_in_order(method, fields)
        ):
            return
        expected = {} if opaque else self._expected(fields, kind)
        if isinstance(method, FuncDef) and is_current(method, expected):
            return
        from allocative_mypy._stale import stale_reasons  # only a stale method needs it

        steps = read_steps(method, expected) if isinstance(method, FuncDef) else None
        if steps is None:
            reasons = ['it is not a "(self, visitor)" method']
        else:
            reasons = stale_reasons(steps, expected, self._covered_by, self._overridden_by)
        if reasons:
            _errors.error_stale_method(self._api, self._info.name, reasons, self._cls)

    def _covered_by(self, base: TypeInfo) -> frozenset[str]:
        """The fields a call of ``base.__allocative__`` visits (or deliberately skips)."""
        from allocative_gen.inheritance import call_covers

        return call_covers(_Graph(self._collector), base)

    def _overridden_by(self, base: TypeInfo) -> list[str]:
        """The fields a call of ``base.__allocative__`` visits otherwise than this class's MRO
        declares them (redeclared with another visit)."""
        from allocative_gen.inheritance import overridden

        return overridden(_Graph(self._collector), self._info, base)


class _Graph:
    """mypy's view of a class's ancestors as :class:`allocative_gen.inheritance.ClassGraph`."""

    def __init__(self, collector: FieldCollector) -> None:
        self._collector = collector

    def bases(self, cls: TypeInfo) -> list[TypeInfo]:
        fieldless = self._collector.is_fieldless
        return [base.type for base in cls.bases if not fieldless(base.type)]

    def mro(self, cls: TypeInfo) -> list[TypeInfo]:
        fieldless = self._collector.is_fieldless
        return [ancestor for ancestor in cls.mro if not fieldless(ancestor)]

    def fields(self, cls: TypeInfo) -> list[str]:
        return [field.name for field in self._collector.own(cls)]

    def has_method(self, cls: TypeInfo) -> bool:
        return has_method(cls)

    def is_opaque(self, cls: TypeInfo) -> bool:
        return is_opaque(cls)

    def extras(self, cls: TypeInfo) -> Sequence[str]:
        return rules.PYDANTIC_INTERNALS if class_kind(cls) is Kind.PYDANTIC else ()

    def visit_of(self, cls: TypeInfo, name: str) -> Hashable:
        if is_opaque(cls):
            return None
        for field in self._collector.own(cls):
            if field.name == name:
                return field.facts.visit
        return None


def _unique(problems: list[Problem]) -> list[Problem]:
    """One problem per distinct offending type (``tuple[Bad, Bad]`` is reported once)."""
    seen: dict[str, Problem] = {}
    for problem in problems:
        seen.setdefault(f"{problem.kind.value}:{problem.type}", problem)
    return list(seen.values())
