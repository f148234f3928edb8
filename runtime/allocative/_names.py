"""How the engines name what they report: frames, visit functions and raised errors.

Both engines call these (the compiled one through ``allocative._bridge``), so a
warning reads the same whichever engine measured. None of them runs code of the
measured program that could raise or change it: a metaclass's ``__qualname__``
property, an exception's ``__str__`` that raises, a callable without a name.
"""

from __future__ import annotations

from allocative import _typeinfo


def qualified_type_name(tp: type) -> str:
    """``tp``'s qualified name as its class statement gave it, ``<locals>.`` left out."""
    return _typeinfo.qualname(tp).replace("<locals>.", "")


def frame_name(tp: type) -> str:
    """The frame that shows objects of ``tp``: its qualified name, made folded-safe."""
    return qualified_type_name(tp).replace(";", ":").replace(" ", "_")


def type_name(tp: type) -> str:
    """``tp``'s ``__name__`` as the type itself holds it."""
    return _typeinfo.name(tp)


def frame_name_of(name: object) -> str:
    """A frame name given to the Visitor API as a plain ``str``: a subclass is copied (so no
    ``__hash__`` or ``__eq__`` of it runs inside the walk); anything else is a TypeError."""
    if type(name) is str:
        return name
    if isinstance(name, str):
        return str.__str__(name)
    message = f"a frame name must be a str, not {type_name(type(name))}"
    raise TypeError(message)


def callable_name(function: object) -> str:
    """The name a warning gives a visit function or method: its ``__qualname__`` when it
    has a str one, ``<locals>.`` left out, else its type's name (``partial object``)."""
    try:
        name = getattr(function, "__qualname__", None)
    except Exception:
        name = None
    if type(name) is str:
        return name.replace("<locals>.", "")
    return f"{type_name(type(function))} object"


def raised_text(error: BaseException) -> str:
    """``TypeError: message``, for a warning; an error whose ``str()`` raises is named alone."""
    kind = type_name(type(error))
    try:
        message = str(error)
    except Exception:
        return f"{kind} (its message could not be read)"
    return f"{kind}: {message}"
