"""Find the class statement a base class refers to: same file, nearby files, or packages."""

from __future__ import annotations

import sys
from importlib.machinery import PathFinder
from pathlib import Path

import libcst as cst

from allocative_gen.collect import ClassSource
from allocative_gen.names import LOCAL, Names, module_names

_MAX_HOPS = 10


class ModuleIndex:
    """Parsed modules by file, and the lookup of a qualified class name from a module.

    Modules are read from source and never imported, so finding a base runs no user code.
    Standard-library modules are not searched: their classes hold no annotated fields.
    """

    def __init__(self) -> None:
        self._modules: dict[Path, tuple[cst.Module, Names] | None] = {}

    def add(self, path: Path, module: cst.Module, names: Names) -> None:
        """Remember a module already parsed, so that it is not parsed again."""
        self._modules[path.resolve()] = (module, names)

    def find(self, qualified: str, context: ClassSource) -> ClassSource | None:
        """The class named ``qualified`` as seen from ``context``'s module, or None."""
        return self._find(qualified, context.path, context.names, 0)

    def _find(
        self, qualified: str, path: Path | None, names: Names, hops: int
    ) -> ClassSource | None:
        if hops > _MAX_HOPS:
            return None
        if qualified.startswith(f"{LOCAL}."):
            local = qualified[len(LOCAL) + 1 :]
            return self._class_in(path, names, local, hops) if path else None
        module_path, class_name = self._locate(qualified, path)
        if module_path is None:
            return None
        loaded = self._load(module_path)
        if loaded is None:
            return None
        return self._class_in(module_path, loaded[1], class_name, hops)

    def _class_in(self, path: Path, names: Names, dotted: str, hops: int) -> ClassSource | None:
        """A top-level class of the module at ``path``, following re-exports."""
        loaded = self._load(path)
        if loaded is None:
            return None
        module = loaded[0]
        for statement in module.body:
            if isinstance(statement, cst.ClassDef) and statement.name.value == dotted:
                return ClassSource(statement, loaded[1], path)
        target = loaded[1].imports.get(dotted)
        if target is not None:
            return self._find(target, path, loaded[1], hops + 1)
        return None

    def _locate(self, qualified: str, path: Path | None) -> tuple[Path | None, str]:
        """The file of the module holding ``qualified``, and the class's name in it."""
        module, _, class_name = qualified.rpartition(".")
        if module.startswith("."):
            return self._relative(module, path), class_name
        if module.split(".")[0] in sys.stdlib_module_names:
            return None, class_name
        for directory in _ancestors(path):
            found = _module_file(directory, module.split("."))
            if found is not None:
                return found, class_name
        return _importable(module), class_name

    def _relative(self, module: str, path: Path | None) -> Path | None:
        if path is None:
            return None
        dots = len(module) - len(module.lstrip("."))
        directory = path.resolve().parent
        for _ in range(dots - 1):
            directory = directory.parent
        rest = module.lstrip(".")
        return _module_file(directory, rest.split(".")) if rest else directory / "__init__.py"

    def _load(self, path: Path) -> tuple[cst.Module, Names] | None:
        key = path.resolve()
        if key not in self._modules:
            self._modules[key] = _parse(key)
        return self._modules[key]


def _parse(path: Path) -> tuple[cst.Module, Names] | None:
    try:
        module = cst.parse_module(path.read_bytes())
    except (OSError, cst.ParserSyntaxError, UnicodeDecodeError, SyntaxError):
        return None
    return module, module_names(module)


def _ancestors(path: Path | None) -> list[Path]:
    if path is None:
        return []
    return list(path.resolve().parents)


def _module_file(directory: Path, parts: list[str]) -> Path | None:
    base = directory.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _importable(module: str) -> Path | None:
    """The source file of an installed module, found without importing anything."""
    search: list[str] | None = None
    spec = None
    parts = module.split(".")
    for index in range(len(parts)):
        spec = PathFinder.find_spec(".".join(parts[: index + 1]), search)
        if spec is None:
            return None
        search = list(spec.submodule_search_locations or [])
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)
