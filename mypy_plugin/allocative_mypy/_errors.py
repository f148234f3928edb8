"""One function per message the plugin reports; names appear in double quotes.

Each error is attached to the node it is about (a field's statement, or the
class), so ``# type: ignore[<code>]`` on that line silences exactly it.
"""

from __future__ import annotations

from mypy.nodes import Context
from mypy.plugin import SemanticAnalyzerPluginInterface

from allocative_mypy import _codes

_RUN_GENERATOR = "run allocative-gen"
_OPTIONS = "mark it, or annotate the field with skip, opaque or visit_with"


def error_field(
    api: SemanticAnalyzerPluginInterface, field: str, cls: str, offending: str, ctx: Context
) -> None:
    """A field's type mentions a class the runtime cannot measure exactly."""
    message = (
        f'Field "{field}" of "{cls}" has type "{offending}", which allocative cannot measure '
        f'(no "__allocative__" method and not built in): {_OPTIONS}'
    )
    api.fail(message, ctx, code=_codes.FIELD)


def error_inherited_field(
    api: SemanticAnalyzerPluginInterface,
    field: str,
    cls: str,
    base: str,
    offending: str,
    ctx: Context,
) -> None:
    """A field inherited from an unmarked base has a type the runtime cannot measure."""
    message = (
        f'Field "{field}" of "{cls}" (inherited from "{base}") has type "{offending}", '
        f'which allocative cannot measure (no "__allocative__" method and not built in)'
    )
    api.fail(message, ctx, code=_codes.FIELD)


def error_generic(
    api: SemanticAnalyzerPluginInterface,
    field: str,
    cls: str,
    generic: str,
    argument: str,
    ctx: Context,
) -> None:
    """A marked generic class used with a type argument that cannot be measured."""
    message = (
        f'Field "{field}" of "{cls}" has type "{generic}", whose type argument "{argument}" '
        f'allocative cannot measure (no "__allocative__" method and not built in): mark it'
    )
    api.fail(message, ctx, code=_codes.GENERIC)


def error_any(
    api: SemanticAnalyzerPluginInterface, field: str, cls: str, shown: str, ctx: Context
) -> None:
    """A field typed ``Any`` (or left unannotated): measured only reflectively."""
    message = (
        f'Field "{field}" of "{cls}" is {shown}: allocative measures it only by its run-time type'
    )
    api.fail(message, ctx, code=_codes.ANY)


def error_missing_method(api: SemanticAnalyzerPluginInterface, cls: str, ctx: Context) -> None:
    """A marked class has no ``__allocative__`` method yet."""
    message = (
        f'Class "{cls}" is marked @allocative but has no "__allocative__" method; {_RUN_GENERATOR}'
    )
    api.fail(message, ctx, code=_codes.STALE)


def error_stale_method(
    api: SemanticAnalyzerPluginInterface, cls: str, reasons: list[str], ctx: Context
) -> None:
    """A marked class's method does not visit exactly its current fields."""
    shown = "; ".join(reasons[:3]) + ("; ..." if len(reasons) > 3 else "")
    message = f'Method "__allocative__" of "{cls}" is stale ({shown}); {_RUN_GENERATOR}'
    api.fail(message, ctx, code=_codes.STALE)


def error_unmarkable(
    api: SemanticAnalyzerPluginInterface, cls: str, reason: str, ctx: Context
) -> None:
    """``@allocative`` marks a class where a method is meaningless (a Protocol, a TypedDict,
    an Enum); the reason is the generator's."""
    api.fail(f'Class "{cls}" {reason}', ctx, code=_codes.MARK)
