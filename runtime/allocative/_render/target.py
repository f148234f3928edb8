"""Finding the object that ``allocative measure MODULE:EXPR`` measures."""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
from dataclasses import dataclass


class TargetError(Exception):
    """The target could not be found; ``importing`` says whether the import itself failed."""

    def __init__(self, message: str, *, importing: bool) -> None:
        super().__init__(message)
        self.importing = importing


class NotData(TargetError):
    """The target is found but holds no data to measure: a function, a class, a module, ..."""

    def __init__(self, message: str) -> None:
        super().__init__(message, importing=False)


@dataclass(frozen=True, slots=True)
class Target:
    """A parsed ``MODULE:ATTR.PATH`` target, optionally called with no arguments (``()``)."""

    module: str
    path: tuple[str, ...]
    call: bool

    @classmethod
    def parse(cls, text: str) -> Target:
        """Parse ``package.module:name.attr`` or ``package.module:factory()``."""
        module, colon, expression = text.partition(":")
        call = expression.endswith("()")
        path = tuple(expression.removesuffix("()").split("."))
        if not colon or not module or not all(part.isidentifier() for part in path):
            message = f"{text!r}: expected MODULE:NAME, MODULE:NAME.ATTR or MODULE:FACTORY()"
            raise TargetError(message, importing=False)
        return cls(module, path, call)

    def resolve(self) -> object:
        """Import the module (the current directory first on the path) and evaluate the path."""
        if "" not in sys.path:
            sys.path.insert(0, "")
        try:
            value: object = importlib.import_module(self.module)
        except (Exception, SystemExit) as error:
            message = f"cannot import {self.module!r}: {type(error).__name__}: {error}"
            raise TargetError(message, importing=True) from None
        for depth, name in enumerate(self.path):
            if not hasattr(value, name):
                where = ".".join((self.module, *self.path[:depth]))
                message = f"{where!r} has no attribute {name!r}"
                raise TargetError(message, importing=False)
            value = getattr(value, name)
        if not self.call:
            self._check_named(value)
            return value
        result = self._call(value)
        self._check_returned(result)
        return result

    @property
    def named(self) -> str:
        """The target without its call: ``'module:name.attr'``."""
        return f"{self.module}:{'.'.join(self.path)}"

    def _call(self, factory: object) -> object:
        label = f"{self.named}()"
        if not callable(factory):
            raise TargetError(f"{label}: not callable", importing=False)
        try:
            return factory()
        except Exception as error:
            message = f"{label} raised {type(error).__name__}: {error}"
            raise TargetError(message, importing=False) from None

    def _check_named(self, value: object) -> None:
        """Raise :class:`NotData` with the likely fix when ``value`` is code, not data."""
        named, called = self.named, f"{self.named}()"
        if inspect.iscoroutinefunction(value) or inspect.isasyncgenfunction(value):
            message = f"{named!r} is an async function: {AWAIT_HINT}"
        elif inspect.isgeneratorfunction(value):
            message = f"{named!r} is a generator function: {GENERATOR_HINT}"
        elif inspect.isclass(value):
            how = f"{called!r} if it takes no arguments" if _no_arguments(value) else "a factory"
            message = f"{named!r} is a class, not an instance: measure one with {how}"
        elif inspect.ismodule(value):
            message = f"{named!r} is a module: name an object in it, as '{value.__name__}:NAME'"
        elif inspect.isroutine(value) or isinstance(value, functools.partial):
            message = (
                f"{named!r} is a function: measure what it returns with {called!r}"
                if _no_arguments(value)
                else f"{named!r} is a function that takes arguments: measure what it returns "
                "with a factory that takes none"
            )
        elif value is None:
            message = f"{named!r} is None: there is nothing to measure"
        else:
            return
        raise NotData(message)

    def _check_returned(self, value: object) -> None:
        """Raise :class:`NotData` when the factory returned code or a lazy iterator, not data."""
        called = f"{self.named}()"
        if inspect.iscoroutine(value):
            value.close()  # it never runs; closing it spares a "never awaited" warning
            message = f"{called!r} returned a coroutine: {AWAIT_HINT}"
        elif inspect.isasyncgen(value):
            message = f"{called!r} returned an async generator: {AWAIT_HINT}"
        elif inspect.isgenerator(value):
            message = f"{called!r} returned a generator: {GENERATOR_HINT}"
        elif inspect.isclass(value) or inspect.ismodule(value) or inspect.isroutine(value):
            message = f"{called!r} returned {_kind(value)}, which holds no data: return the object"
        elif value is None:
            message = f"{called!r} returned None: does it end with a return statement?"
        else:
            return
        raise NotData(message)


GENERATOR_HINT = (
    "a generator holds no data until it runs; "
    "measure a factory that returns a list of what it yields"
)
AWAIT_HINT = "measure cannot await it; measure a plain factory that returns the awaited result"


def _kind(value: object) -> str:
    if inspect.isclass(value):
        return "a class"
    return "a module" if inspect.ismodule(value) else "a function"


def _no_arguments(function: object) -> bool:
    """Whether ``function`` can be called with no arguments (an unknown signature counts as yes)."""
    if not callable(function):
        return True
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return True
    return all(
        parameter.default is not parameter.empty
        or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
        for parameter in signature.parameters.values()
    )
