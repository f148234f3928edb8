"""Whether a method visits the same fields on every instance of its class.

The engine measures the attributes a method leaves unvisited, and works out
which those are once per class when it can: when the method, and every
``__allocative__`` of the class's MRO it may call, is straight-line code
(no branch, no loop) that hands the visitor to nothing but visitor methods and
other ``__allocative__`` methods. Every method ``allocative-gen`` writes is such
code. Any other method (a condition, a loop, a helper that receives the
visitor) may visit different fields on different instances, so its visits are
recorded on every instance.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from functools import cache
from types import CodeType, FunctionType
from typing import Any, Final

from allocative import _typeinfo

VISITOR_METHODS: Final = frozenset(
    {
        "visit_field",
        "visit_item",
        "visit_opaque",
        "visit_simple",
        "visit_field_with",
        "visit_stored",
        "visit_str",
        "visit_int",
        "visit_float",
        "visit_bytes",
        "visit_list",
        "visit_tuple",
        "visit_set",
        "visit_dict",
        "skip",
        "enter",
        "exit",
    }
)
_ATTRIBUTE_LOADS: Final = frozenset({"LOAD_ATTR", "LOAD_METHOD", "LOAD_SUPER_ATTR"})
_METHOD: Final = "__allocative__"


def visits_fixed_fields(method: Callable[..., object], tp: type) -> bool:
    """Whether ``method`` (the ``__allocative__`` or registered visit of ``tp``) visits the
    same fields whatever the instance: it and every ``__allocative__`` of ``tp``'s MRO are
    straight-line code."""
    functions = [
        method,
        *(_typeinfo.namespace(klass).get(_METHOD) for klass in _typeinfo.mro(tp)),
    ]
    return all(_is_straight(function) for function in functions if function is not None)


_ANALYSED: weakref.WeakKeyDictionary[FunctionType, tuple[CodeType, bool]] = (
    weakref.WeakKeyDictionary()
)
"""Each function's verdict, with the code it was read from (``__code__`` can be replaced)."""


def _is_straight(function: object) -> bool:
    if isinstance(function, (staticmethod, classmethod)):
        function = function.__func__
    if not isinstance(function, FunctionType):
        return False
    code = function.__code__
    known = _ANALYSED.get(function)
    if known is None or known[0] is not code:
        known = _ANALYSED[function] = (code, _straight_function(code))
    return known[1]


def _straight_function(code: CodeType) -> bool:
    if code.co_argcount < 2 or code.co_flags & _GENERATOR_FLAGS:
        return False
    visitor = code.co_varnames[1]
    if visitor in code.co_cellvars:
        return False  # a closure holds the visitor
    return _straight_code(code, visitor)


_GENERATOR_FLAGS: Final = 0x20 | 0x100 | 0x200  # generator, coroutine, async generator


def _straight_code(code: CodeType, visitor: str) -> bool:
    """No jump, and the visitor goes only to its own methods or to ``__allocative__``."""
    import dis

    jumps = _jump_opcodes()
    last_attribute = ""
    instructions = list(dis.get_instructions(code))
    for index, instruction in enumerate(instructions):
        if instruction.opcode in jumps:
            return False
        if instruction.opname in _ATTRIBUTE_LOADS:
            last_attribute = str(instruction.argval)
        elif instruction.opname.startswith("CALL"):
            last_attribute = ""
        if not _loads(instruction, visitor):
            continue
        following = instructions[index + 1] if index + 1 < len(instructions) else None
        calls_method = (
            following is not None
            and following.opname in _ATTRIBUTE_LOADS
            and following.argval in VISITOR_METHODS
        )
        if not calls_method and last_attribute != _METHOD:
            return False
    return True


def _loads(instruction: Any, name: str) -> bool:
    """Whether ``instruction`` pushes the local ``name`` (``LOAD_FAST_LOAD_FAST`` too)."""
    if not instruction.opname.startswith("LOAD_FAST"):
        return False
    value = instruction.argval
    return value == name or (isinstance(value, tuple) and name in value)


@cache
def _jump_opcodes() -> frozenset[int]:
    import opcode

    return frozenset(_all_jumps(opcode))


def _all_jumps(opcode: Any) -> Iterator[int]:
    for table in ("hasjrel", "hasjabs", "hasjump"):
        yield from getattr(opcode, table, ())
