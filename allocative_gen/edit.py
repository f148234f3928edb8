"""Write the generated methods into a parsed module, leaving everything else as it was."""

from __future__ import annotations

import ast
import traceback
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

import libcst as cst

from allocative_gen.collect import method_facts
from allocative_gen.imports import ensure_visitor_import, visitor_name
from allocative_gen.kinds import is_marked
from allocative_gen.locate import class_lines, python_classes, python_module
from allocative_gen.model import MethodFacts, Problem
from allocative_gen.names import Names
from allocative_gen.project import ModuleIndex
from allocative_gen.render import COMMENT, method_node, render_method
from allocative_gen.rules import METHOD_NAME
from allocative_gen.sources import ClassSource, ParsedModule


class Status(Enum):
    """What happened to one marked class's method."""

    CURRENT = "up to date"
    ADDED = "added"
    UPDATED = "stale"


@dataclass(frozen=True)
class ClassChange:
    """The outcome for one marked class: its name, line and status."""

    name: str
    line: int
    status: Status


@dataclass
class ModuleResult:
    """The edited module, what happened to each marked class, and problems found."""

    module: cst.Module
    classes: list[ClassChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether any method was added or replaced."""
        return any(change.status is not Status.CURRENT for change in self.classes)

    @property
    def failed(self) -> bool:
        """Whether an error (not a warning) was found: then the file must be left alone."""
        return any(not problem.warning for problem in self.problems)


def generate(
    module: cst.Module,
    path: Path,
    index: ModuleIndex | None = None,
    text: str | None = None,
    edit: bool = True,
    data: bytes | None = None,
) -> ModuleResult:
    """Add or refresh the ``__allocative__`` method of every marked class in ``module``.

    ``text`` is the module's source when the caller has it (saves rendering it again).
    Up-to-date classes are recognised on Python's ``ast`` of the text; libcst only
    rewrites the tree when a method is missing or stale, and only when it writes the
    untouched rest of the file back byte for byte. Without ``edit`` (``--check``) the
    tree is not rewritten when Python's ``ast`` already tells each class's status. A
    class whose collection fails unexpectedly is an internal error (a bug), reported
    with the class's name. ``data``: the bytes the module was parsed from, when known.
    """
    index = index or ModuleIndex()
    parsed = index.add(path, module, data)
    names = parsed.names
    text = module.code if text is None else text
    config = module.config_for_parsing
    indent = config.default_indent if isinstance(config.default_indent, str) else "    "
    lines = [line.rstrip("\r") for line in text.split("\n")]
    python = python_module(text)
    classes = python_classes(python) if python is not None else None
    if classes is not None and [c.name for c in classes] != [
        c.name.value for c in parsed.classes.order
    ]:
        classes = None  # the two parsers disagree: rely on libcst alone
    fallback_lines = class_lines(module) if classes is None else {}
    visitor = visitor_name(names, python)
    quoted = not _has_future_annotations(names)
    result = ModuleResult(module)
    pending: dict[int, MethodFacts] = {}
    keys: list[int] = []
    unsure = False
    for order, node in enumerate(parsed.classes.order):
        if not is_marked(node, names):
            continue
        twin = classes[order] if classes is not None else None
        line = twin.lineno if twin is not None else fallback_lines.get(id(node), 1)
        source = ClassSource(node, parsed, line)
        try:
            facts, problems = method_facts(source, index, quoted, visitor)
        except Exception as error:
            result.problems.append(internal_error(line, node.name.value, error))
            continue
        result.problems.extend(problems)
        if any(not problem.warning for problem in problems):
            continue
        keys.append(id(node))
        if twin is not None and _current_in_ast(twin, facts, lines, indent):
            result.classes.append(ClassChange(node.name.value, line, Status.CURRENT))
            continue
        pending[id(node)] = facts
        status = Status.UPDATED if twin is not None and _has_method(twin) else Status.ADDED
        result.classes.append(ClassChange(node.name.value, line, status))
        unsure = unsure or twin is None
    if pending and not result.failed:
        _write(result, parsed, text, pending, keys, visitor, edit or unsure)
    return result


def _has_method(python: ast.ClassDef) -> bool:
    return any(
        isinstance(statement, ast.FunctionDef) and statement.name == METHOD_NAME
        for statement in python.body
    )


def _write(
    result: ModuleResult,
    parsed: ParsedModule,
    text: str,
    pending: dict[int, MethodFacts],
    keys: list[int],
    visitor: str,
    edit: bool,
) -> None:
    """Write the pending methods into ``result.module`` (only when ``edit``), if libcst
    round-trips the file."""
    module = parsed.tree
    problem = round_trip_problem(module, text)
    if problem is not None:
        result.problems.append(problem)
        return
    if not edit:
        return
    wanted = {key for key in pending}
    for key in pending:
        wanted.update(parsed.classes.within[key])
    writer = _MethodWriter(pending, module.config_for_parsing, frozenset(wanted))
    edited = module.visit(writer)
    result.classes = [
        replace(change, status=writer.statuses.get(key, change.status))
        for key, change in zip(keys, result.classes, strict=True)
    ]
    if result.changed:
        result.module = ensure_visitor_import(edited, parsed.names, visitor)


def _has_future_annotations(names: Names) -> bool:
    return names.imports.get("annotations") == "__future__.annotations"


def round_trip_problem(module: cst.Module, text: str) -> Problem | None:
    """An error when libcst does not write the unmodified module back as ``text``: writing
    would change code outside the marked classes (a libcst bug), so the file is left alone."""
    try:
        code = module.code
    except RecursionError:
        return Problem(1, "libcst cannot write this file back (too deeply nested); left unchanged")
    if code == text:
        return None
    old, new = text.splitlines(), code.splitlines()
    line = next(
        (n for n, (a, b) in enumerate(zip(old, new, strict=False), 1) if a != b),
        min(len(old), len(new)) + 1,
    )
    shown = old[line - 1].strip() if line <= len(old) else ""
    message = (
        f"libcst would not write this line back unchanged ({shown!r}), so the file is left "
        "unchanged: reformat the line (black or ruff format) and rerun"
    )
    return Problem(line, message)


def internal_error(line: int, class_name: str, error: Exception) -> Problem:
    """The one-line report of an unexpected failure while generating a class's method."""
    message = (
        f"internal error while generating '{class_name}.__allocative__' "
        f"({type(error).__name__}: {error}); this is a bug in allocative-gen: "
        "rerun with --traceback and report it"
    )
    detail = "".join(traceback.format_exception(error))
    return Problem(line, message, detail=detail)


class _MethodWriter(cst.CSTTransformer):
    """Writes the rendered method into each class that needs one."""

    def __init__(
        self,
        pending: dict[int, MethodFacts],
        config: cst.PartialParserConfig,
        wanted: frozenset[int],
    ) -> None:
        super().__init__()
        self.pending, self.config, self.wanted = pending, config, wanted
        self.statuses: dict[int, Status] = {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        """Descend only into the statements that are or hold a class needing a method."""
        if isinstance(node, cst.BaseStatement):
            return id(node) in self.wanted
        return not isinstance(node, cst.BaseExpression)

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        """Place the rendered method in a class that needs one."""
        facts = self.pending.get(id(original))
        if facts is None:
            return updated
        new, status = _place_method(updated, method_node(facts, self.config))
        self.statuses[id(original)] = status
        return new


def _current_in_ast(
    python: ast.ClassDef, facts: MethodFacts, lines: list[str], indent: str
) -> bool:
    """Whether the class's method is the rendered one: the same text, or else the same AST."""
    for statement in python.body:
        if isinstance(statement, ast.FunctionDef) and statement.name == METHOD_NAME:
            code = render_method(facts, indent)
            column = statement.col_offset
            existing = lines[statement.lineno - 1 : statement.end_lineno or statement.lineno]
            same_text = [line[column:] for line in existing] == code.splitlines()[1:]
            if (
                same_text
                and not statement.decorator_list
                and not "".join(line[:column] for line in existing).strip()
            ):
                return True
            return ast.dump(statement) == ast.dump(ast.parse(code).body[0])
    return False


def _place_method(node: cst.ClassDef, method: cst.FunctionDef) -> tuple[cst.ClassDef, Status]:
    """The class with ``method`` replacing its old one, or appended after its members."""
    body = _indented(node.body)
    for position, statement in enumerate(body.body):
        if isinstance(statement, cst.FunctionDef) and statement.name.value == METHOD_NAME:
            if same_code(statement, method):
                return node, Status.CURRENT
            replacement = method.with_changes(leading_lines=_kept_lines(statement))
            statements = [*body.body[:position], replacement, *body.body[position + 1 :]]
            return node.with_changes(body=body.with_changes(body=statements)), Status.UPDATED
    leading = [*body.footer, cst.EmptyLine(indent=False), *method.leading_lines]
    appended = method.with_changes(leading_lines=leading)
    new_body = body.with_changes(body=[*body.body, appended], footer=[])
    return node.with_changes(body=new_body), Status.ADDED


def _kept_lines(old: cst.FunctionDef) -> list[cst.EmptyLine]:
    """The old method's leading lines, with the generated-by comment added when missing."""
    lines = list(old.leading_lines)
    if not any(line.comment is not None and line.comment.value == f"# {COMMENT}" for line in lines):
        lines.append(cst.EmptyLine(comment=cst.Comment(f"# {COMMENT}")))
    return lines


def _indented(body: cst.BaseSuite) -> cst.IndentedBlock:
    """A class body as an indented block (a one-line body becomes one)."""
    if isinstance(body, cst.IndentedBlock):
        return body
    assert isinstance(body, cst.SimpleStatementSuite)
    lines = [cst.SimpleStatementLine(body=[statement]) for statement in body.body]
    return cst.IndentedBlock(body=lines, header=body.trailing_whitespace)


def same_code(old: cst.FunctionDef, new: cst.FunctionDef) -> bool:
    """Whether two methods have the same Python AST (formatting and comments ignored)."""
    return _ast_dump(old) == _ast_dump(new)


def _ast_dump(node: cst.FunctionDef) -> str:
    code = cst.Module(body=[node.with_changes(leading_lines=[], decorators=node.decorators)]).code
    try:
        return ast.dump(ast.parse(code))
    except SyntaxError:  # pragma: no cover - libcst produced it
        return code
