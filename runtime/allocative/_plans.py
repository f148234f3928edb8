"""Read a generated ``__allocative__`` method as a plan: which attribute each visit reads.

A method that ``allocative-gen`` writes is a straight list of typed visits,
``visitor.visit_list("vals", self.vals, float)``, and calls of a base's method.
Knowing that, a container of many instances of the class can be measured one
field at a time for all of them (see ``_columns``). The plan is read from the
method's source and trusted only when that source compiles to the very code
the method runs; any other method (a loop, a condition, a computed value, a
custom visit function) has no plan and is visited object by object.
"""

from __future__ import annotations

import _ast
import builtins
import weakref
from collections.abc import Callable
from operator import attrgetter
from types import CodeType, FunctionType
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from allocative._attributes import aliases

if TYPE_CHECKING:
    from allocative._kinds import Kind

SCALARS: Final = frozenset({str, int, float, bytes})


class Column(NamedTuple):
    """One visit of a plan: the visitor method, the attribute it reads, the item types given."""

    visit: str
    attr: str
    read: Callable[[Any], Any]
    types: tuple[type | None, ...]


Plan = tuple[Column, ...]

_COLUMN_VISITS: Final = frozenset(
    {
        "visit_str",
        "visit_int",
        "visit_float",
        "visit_bytes",
        "visit_list",
        "visit_tuple",
        "visit_set",
        "visit_dict",
        "visit_field",
        "visit_opaque",
    }
)
_METHOD: Final = "__allocative__"
_PLANS: weakref.WeakKeyDictionary[object, tuple[CodeType, Plan | None]] = (
    weakref.WeakKeyDictionary()
)
"""Plans by method function, with the code each was read from (``__code__`` can be replaced)."""


def plan_of(method: object) -> Plan | None:
    """The plan of ``method`` (an ``__allocative__`` function), or None when it has none."""
    if not isinstance(method, FunctionType):
        return None
    found = _PLANS.get(method)
    if found is None or found[0] is not method.__code__:
        found = _PLANS[method] = (method.__code__, _read_plan(method, set()))
    return found[1]


def _read_plan(method: FunctionType, reading: set[object]) -> Plan | None:
    """Derive the plan; ``reading`` holds the methods being read, so a cycle has no plan."""
    if method in reading:
        return None
    reading.add(method)
    function = _parsed(method)
    if function is None:
        return None
    arguments = function.args
    if (
        len(arguments.args) != 2
        or arguments.posonlyargs
        or arguments.kwonlyargs
        or arguments.vararg
        or arguments.kwarg
    ):
        return None
    this, visitor = (argument.arg for argument in arguments.args)
    steps: list[Column] = []
    for index, statement in enumerate(function.body):
        if isinstance(statement, _ast.Pass):
            continue
        if not isinstance(statement, _ast.Expr) or not isinstance(statement.value, _ast.Call):
            if index == 0 and _is_docstring(statement):
                continue
            return None
        read = _read_call(method, statement.value, this, visitor, reading)
        if read is None:
            return None
        steps.extend(read)
    return tuple(steps)


def _read_call(
    method: FunctionType, call: Any, this: str, visitor: str, reading: set[object]
) -> Plan | None:
    """The columns one statement of the method contributes, or None when it is not a plan's."""
    callee = call.func
    if call.keywords or not isinstance(callee, _ast.Attribute):
        return None
    if not isinstance(callee.value, _ast.Name):
        return None
    if callee.value.id == visitor and callee.attr in _COLUMN_VISITS:
        return _read_visit(method, callee.attr, call.args, this)
    if callee.attr == _METHOD and [_name(a) for a in call.args] == [this, visitor]:
        base = _global(method, callee.value.id)
        base_method = getattr(base, _METHOD, None) if isinstance(base, type) else None
        if isinstance(base_method, FunctionType):
            return _read_plan(base_method, reading)
    return None


def _read_visit(method: FunctionType, visit: str, args: list[Any], this: str) -> Plan | None:
    if (
        len(args) < 2
        or not isinstance(args[0], _ast.Constant)
        or not isinstance(args[0].value, str)
    ):
        return None
    attr = _attribute(method, args[1], this)
    if attr is None:
        return None
    types: list[type | None] = []
    for arg in args[2:]:
        if isinstance(arg, _ast.Constant) and arg.value is None:
            types.append(None)
            continue
        found = _global(method, arg.id) if isinstance(arg, _ast.Name) else None
        if not isinstance(found, type):
            return None
        types.append(found if found in SCALARS else None)
    return (Column(visit, attr, attrgetter(attr), tuple(types)),)


def _attribute(method: FunctionType, value: Any, this: str) -> str | None:
    """The attribute ``self.x`` or ``getattr(self, "x")`` reads; None for anything else."""
    if isinstance(value, _ast.Attribute) and _name(value.value) == this:
        return str(value.attr)
    if (
        isinstance(value, _ast.Call)
        and _name(value.func) == "getattr"
        and _global(method, "getattr") is getattr
        and not value.keywords
        and len(value.args) == 2
        and _name(value.args[0]) == this
        and isinstance(value.args[1], _ast.Constant)
        and isinstance(value.args[1].value, str)
    ):
        return value.args[1].value
    return None


def _name(node: Any) -> str | None:
    return node.id if isinstance(node, _ast.Name) else None


def _is_docstring(statement: Any) -> bool:
    return (
        isinstance(statement, _ast.Expr)
        and isinstance(statement.value, _ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _global(method: FunctionType, name: str) -> object:
    """What ``name`` means in ``method``'s module (a global, else a built-in)."""
    namespace = method.__globals__
    if name in namespace:
        return namespace[name]
    return getattr(builtins, name, None)


def _parsed(method: FunctionType) -> Any:
    """The method's ``FunctionDef`` node, when its source compiles to the code it runs.

    The method's file is parsed with the interpreter's own parser (``_ast``: no
    module to import, nothing cached) and the definition starting on the
    method's first line is compiled on its own for the comparison.
    """
    code = method.__code__
    if method.__closure__ or method.__defaults__ or method.__kwdefaults__:
        return None
    try:
        with open(code.co_filename, "rb") as file:
            source = file.read()
        module = compile(source, code.co_filename, "exec", _ast.PyCF_ONLY_AST, dont_inherit=True)
    except (OSError, SyntaxError, ValueError):
        return None
    function = _definition_at(module, code.co_firstlineno, code.co_name)
    if function is None or function.decorator_list:
        return None
    alone = _ast.Module(body=[function], type_ignores=[])
    try:
        compiled = compile(alone, code.co_filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, TypeError):
        return None
    codes = [c for c in compiled.co_consts if isinstance(c, CodeType)]
    if len(codes) != 1 or not _same_code(codes[0], code):
        return None
    return function


def _definition_at(module: Any, line: int, name: str) -> Any:
    """The function definition named ``name`` on line ``line`` of a parsed module, if any."""
    pending = list(module.body)
    while pending:
        node = pending.pop()
        if isinstance(node, _ast.FunctionDef) and node.lineno == line and node.name == name:
            return node
        for field in ("body", "orelse", "finalbody", "handlers"):
            pending.extend(getattr(node, field, ()))
    return None


def _same_code(parsed: CodeType, running: CodeType) -> bool:
    """Whether two code objects run the same instructions on the same names and constants."""
    return (
        parsed.co_code == running.co_code
        and parsed.co_names == running.co_names
        and parsed.co_consts == running.co_consts
        and parsed.co_varnames == running.co_varnames
        and parsed.co_freevars == running.co_freevars == ()
    )


def covers_attributes(kind: Kind, plan: Plan) -> bool:
    """Whether ``plan`` reads every attribute ``kind``'s instances can hold without a
    ``__dict__`` object, so that a run of them leaves no attribute unvisited."""
    instances = kind.instances
    if instances is None:
        return False
    read = aliases((column.attr for column in plan), instances.attributes.cls)
    return instances.attributes.leftovers(read).empty
