"""Type rules of code and what running it makes: functions, closures' cells, bound methods,
tracebacks and frames; and the types whose objects no data owns (classes, modules,
descriptors, ``None``, booleans, Enum members).

A function defined at module level or in a class body is code, which no data owns: it
counts zero, like its module and class. A nested function or a lambda reached from the
tree was made at run time, and is measured with what it alone holds.
"""

from __future__ import annotations

import enum
import gc
import sys
import types
from typing import TYPE_CHECKING, Final

from allocative import _layout, _typeinfo
from allocative._rule import Buffers, TypeRule, always

if TYPE_CHECKING:
    from allocative._protocols import EngineSide


def is_code(function: types.FunctionType) -> bool:
    """Whether a function is code, which no data owns, rather than data of the tree.

    The qualified name says which: ``outer.<locals>.inner`` and lambdas are made at
    run time; ``outer.<locals>.C.method`` is a method of a class made in ``outer``.
    """
    qualname = function.__qualname__
    if qualname.endswith("<lambda>"):
        return False
    _, nested, tail = qualname.rpartition("<locals>.")
    return not nested or "." in tail


_FUNCTION_DICT_OFFSET: Final = _typeinfo.dictoffset(types.FunctionType)
_HELD_BY_FUNCTION_ALONE: Final = 4
"""``getrefcount`` of a tuple that a function alone holds, in ``_expand_function``: the
function's, the referents list's, the loop variable's and getrefcount's own."""


def _expand_function(engine: EngineSide, value: types.FunctionType) -> None:
    """A function that is data: its closure, defaults, attributes and annotations.

    Only what the function itself holds: its code, globals, builtins, names and doc
    are its code's or module's, and so are defaults or annotations that its code's
    constants hold too (``def f(x=1)``, ``from __future__ import annotations``: one
    tuple shared by every function made from that code). A tuple made with the
    function is held by it alone.
    """
    own_dict = _layout.dict_at_offset(value, _FUNCTION_DICT_OFFSET)
    parts = {
        id(value.__closure__): "__closure__",
        id(value.__defaults__): "__defaults__",
        id(value.__kwdefaults__): "__kwdefaults__",
        id(own_dict): "__dict__",
    }
    code = (value.__code__, value.__globals__, getattr(value, "__builtins__", None))
    names = (value.__name__, value.__qualname__, value.__doc__, value.__module__)
    skipped = {id(part) for part in (*code, *names, None)}
    for referent in gc.get_referents(value):
        if id(referent) in skipped:
            continue
        if type(referent) is tuple and sys.getrefcount(referent) > _HELD_BY_FUNCTION_ALONE:
            continue
        engine._visit_named(parts.get(id(referent), "__annotations__"), referent)


def _expand_cell(engine: EngineSide, value: types.CellType) -> None:
    """A closure's cell: what it holds, if anything."""
    for referent in gc.get_referents(value):
        engine.visit_item(referent)


def _expand_method(engine: EngineSide, value: types.MethodType) -> None:
    """A bound method holds its object, and its function (code, unless made at run time)."""
    engine._visit_named("__self__", value.__self__)
    engine._visit_named("__func__", value.__func__)


def _unbound_builtin(value: types.BuiltinMethodType) -> bool:
    """A built-in function (``len``, a module's function) is the interpreter's: zero. A
    method of a C object bound to it (``self.acquire = lock.acquire``) is made for the
    binding and held by whoever stored it: it is counted, with its object."""
    owner = value.__self__
    return owner is None or isinstance(owner, types.ModuleType)


def _expand_bound_builtin(engine: EngineSide, value: types.BuiltinMethodType) -> None:
    engine._visit_named("__self__", value.__self__)


def _expand_traceback(engine: EngineSide, value: types.TracebackType) -> None:
    if value.tb_next is not None:
        engine._visit_named("tb_next", value.tb_next)
    engine._visit_named("tb_frame", value.tb_frame)


RULES: Final[dict[type, TypeRule]] = {
    types.FunctionType: TypeRule("function", owned_by_nobody=is_code, expand=_expand_function),
    types.CellType: TypeRule("cell", expand=_expand_cell),
    types.MethodType: TypeRule("method", expand=_expand_method),
    types.BuiltinMethodType: TypeRule(
        "builtin_method", owned_by_nobody=_unbound_builtin, expand=_expand_bound_builtin
    ),
    types.TracebackType: TypeRule("traceback", expand=_expand_traceback),
    types.FrameType: TypeRule("frame"),
}
BUFFERS: Final[dict[type, Buffers]] = {}

ZERO: Final = TypeRule("", owned_by_nobody=always)
"""The rule of objects that no data owns: they are never counted."""

_ZERO_TYPES: Final = (
    type(None),
    bool,
    type(Ellipsis),
    type(NotImplemented),
    types.ModuleType,
    types.MethodDescriptorType,
    types.WrapperDescriptorType,
    types.MethodWrapperType,
    types.GetSetDescriptorType,
    types.MemberDescriptorType,
    types.CodeType,
    staticmethod,
    classmethod,
    property,
)


def owns_nothing(tp: type) -> bool:
    """Whether no data owns objects of ``tp`` (classes, modules, descriptors, Enum members)."""
    return issubclass(tp, _ZERO_TYPES) or issubclass(tp, type) or isinstance(tp, enum.EnumMeta)
