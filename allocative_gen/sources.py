"""A parsed module and a class statement in it: what the generator reads classes from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from allocative_gen.names import Names, module_names
from allocative_gen.scopes import ModuleClasses, module_classes


@dataclass(frozen=True, eq=False)
class ParsedModule:
    """A module's tree, its module-level names and its classes; ``outside``: the module is
    outside the project (an installed package or a stub), so its fields are not visited."""

    path: Path | None
    tree: cst.Module
    names: Names
    classes: ModuleClasses
    outside: bool = False


def parsed_module(tree: cst.Module, path: Path | None, outside: bool = False) -> ParsedModule:
    """The :class:`ParsedModule` of ``tree``, read from ``path``."""
    return ParsedModule(path, tree, module_names(tree), module_classes(tree), outside)


@dataclass(frozen=True)
class ClassSource:
    """A class statement, the module it is in, and the line it starts on (0: not known)."""

    node: cst.ClassDef
    module: ParsedModule
    line: int = 0

    @property
    def names(self) -> Names:
        """The module-level names the class sees."""
        return self.module.names

    @property
    def path(self) -> Path | None:
        """The file the class is in."""
        return self.module.path

    @property
    def name(self) -> str:
        """The class's own name."""
        return self.node.name.value


@dataclass(frozen=True)
class Outside:
    """A class outside the project whose source is not read (the standard library's): it
    adds no fields and has no method."""

    qualified: str
