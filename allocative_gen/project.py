"""Find the class statement a base class refers to: same file, nearby files, or packages."""

from __future__ import annotations

from importlib.machinery import PathFinder
from pathlib import Path

import libcst as cst

from allocative._project import is_outside_project
from allocative_gen.names import LOCAL, dotted
from allocative_gen.sources import ClassSource, Outside, ParsedModule, parsed_module

_MAX_HOPS = 10
Found = ClassSource | Outside | None
"""A class looked up: its statement, one outside the project, or not found."""


class ModuleIndex:
    """Parsed modules by file, and the lookup of a qualified class name from a module.

    Modules are read from source and never imported, so finding a base runs no user code.
    Standard-library modules are not searched: they are outside the project, whose fields
    are not visited. A module of an installed package (or a stub) is read only to know
    its classes' kinds, bases and methods.
    """

    def __init__(self) -> None:
        self._modules: dict[Path, ParsedModule | None] = {}

    def add(self, path: Path, tree: cst.Module) -> ParsedModule:
        """Remember a module already parsed, so that it is not parsed again; its record."""
        module = parsed_module(tree, path)
        self._modules[path.resolve()] = module
        return module

    def find(self, qualified: str, context: ClassSource) -> ClassSource | Outside | None:
        """The class named ``qualified`` as seen from ``context``'s module: its statement,
        :class:`Outside` for a class of the standard library, or None when not found."""
        return self._find(qualified, context.module, 0)

    def _find(self, qualified: str, module: ParsedModule, hops: int) -> Found:
        if hops > _MAX_HOPS:
            return None
        if qualified.startswith(f"{LOCAL}."):
            return self._class_in(module, qualified[len(LOCAL) + 1 :], hops)
        rest = qualified.lstrip(".")
        dots = qualified[: len(qualified) - len(rest)]
        parts = rest.split(".")
        if is_outside_project(parts[0], None) and not dots:
            return Outside(qualified)
        for split in range(0 if dots else 1, len(parts)):
            module_name = dots + ".".join(parts[:split])
            path = self._module_path(module_name, module.path)
            if path is None:
                continue
            loaded = self._load(path, module_name)
            if loaded is None:
                return None
            if split == len(parts) - 1 or _binds(loaded, parts[split]):
                return self._class_in(loaded, ".".join(parts[split:]), hops + 1)
        return None

    def _class_in(self, module: ParsedModule, name: str, hops: int) -> Found:
        """A class of ``module`` by its dotted ``name``, following re-exports, aliases
        (``Alias = Base``) and star imports."""
        if hops > _MAX_HOPS:
            return None
        bound = module.classes.at_top(name)
        if isinstance(bound, cst.ClassDef):
            return ClassSource(bound, module)
        if isinstance(bound, cst.FunctionDef):
            return None
        if isinstance(bound, cst.BaseExpression):
            alias = dotted(bound)
            return None if alias is None else self._class_in(module, alias, hops + 1)
        first, _, rest = name.partition(".")
        target = module.names.imports.get(first)
        if target is not None:
            return self._find(f"{target}.{rest}" if rest else target, module, hops + 1)
        for star in module.names.stars:
            found = self._find(f"{star}.{name}", module, hops + 1)
            if found is not None:
                return found
        return None

    def _module_path(self, module_name: str, path: Path | None) -> Path | None:
        """The file of module ``module_name`` (``.x`` relative to ``path``), or None."""
        if module_name.startswith("."):
            return _relative(module_name, path)
        parts = module_name.split(".")
        for directory in _ancestors(path):
            found = _module_file(directory, parts)
            if found is not None:
                return found
        return _importable(module_name)

    def _load(self, path: Path, module_name: str) -> ParsedModule | None:
        key = path.resolve()
        if key not in self._modules:
            self._modules[key] = _parse(key, is_outside_project(module_name, str(key)))
        return self._modules[key]


def _binds(module: ParsedModule, name: str) -> bool:
    """Whether a package's module binds ``name`` itself: then ``package.name`` is that
    binding, not the submodule of that name (as Python and mypy read it)."""
    return name in module.classes.top.bound or name in module.names.imports


def _parse(path: Path, outside: bool) -> ParsedModule | None:
    try:
        tree = cst.parse_module(path.read_bytes())
    except Exception:  # any file that cannot be read or parsed is a base not found
        return None
    return parsed_module(tree, path, outside)


def _relative(module: str, path: Path | None) -> Path | None:
    if path is None:
        return None
    rest = module.lstrip(".")
    directory = path.resolve().parent
    for _ in range(len(module) - len(rest) - 1):
        directory = directory.parent
    return _module_file(directory, rest.split(".") if rest else [])


def _ancestors(path: Path | None) -> list[Path]:
    """The folders an absolute import from ``path`` is looked up in, as Python and mypy
    would: the folder above the file's top-most package, then the folders above it (never
    a folder inside the package, which ``sys.path`` does not hold)."""
    if path is None:
        return []
    folder = path.resolve().parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        folder = folder.parent
    return [folder, *folder.parents]


def _module_file(directory: Path, parts: list[str]) -> Path | None:
    """The source of the module ``parts`` under ``directory``: its stub when it has one,
    as mypy reads it."""
    if any(not part.isidentifier() for part in parts):
        return None
    base = directory.joinpath(*parts)
    candidates = [base / "__init__.pyi", base / "__init__.py"]
    if parts:
        candidates[:0] = [base.with_suffix(".pyi"), base.with_suffix(".py")]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def _importable(module: str) -> Path | None:
    """The source file of an installed module, found without importing anything."""
    search: list[str] | None = None
    spec = None
    parts = module.split(".")
    for index in range(len(parts)):
        try:
            spec = PathFinder.find_spec(".".join(parts[: index + 1]), search)
        except (ImportError, ValueError):
            return None
        if spec is None:
            return None
        search = list(spec.submodule_search_locations or [])
    if spec is None or spec.origin is None or not spec.origin.endswith((".py", ".pyi")):
        return None
    return Path(spec.origin)
