"""Finding the object that ``allocative measure MODULE:EXPR`` measures."""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass


class TargetError(Exception):
    """The target could not be found; ``importing`` says whether the import itself failed."""

    def __init__(self, message: str, *, importing: bool) -> None:
        super().__init__(message)
        self.importing = importing


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
        return self._call(value) if self.call else value

    def _call(self, factory: object) -> object:
        label = f"{self.module}:{'.'.join(self.path)}()"
        if not callable(factory):
            raise TargetError(f"{label}: not callable", importing=False)
        try:
            return factory()
        except Exception as error:
            message = f"{label} raised {type(error).__name__}: {error}"
            raise TargetError(message, importing=False) from None
