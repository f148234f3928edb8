"""Find the class statement a base class refers to: same file, nearby files, or packages.

Modules are found as Python imports them and as mypy finds them: an import names a
module (``from a.b import C`` takes ``C`` from module ``a.b``, found by its name, whatever
package ``a`` binds), and the rest is read as attributes: what the module binds, else its
submodule. An absolute module is looked up in the project first (the folder above the
importing file's top-most package, then the folders above it), so a project's own
``queue.py`` is the project's; only a name found nowhere there is the standard library's
or an installed package's. A package comes before a module of the same name, and a stub
before its source.
"""

from __future__ import annotations

import sys
from pathlib import Path

import libcst as cst

from allocative._project import is_outside_project
from allocative_gen.lookups import FileSystem, digest
from allocative_gen.names import LOCAL, dotted, join_module
from allocative_gen.sources import ClassSource, Outside, ParsedModule, parsed_module

_MAX_HOPS = 10
_INITS = ("__init__.pyi", "__init__.py")
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
        self._modules: dict[Path, tuple[ParsedModule | None, str | None]] = {}
        self.files = FileSystem()
        """What the run asked of the file system, recorded per file for the cache."""

    def add(self, path: Path, tree: cst.Module, data: bytes | None = None) -> ParsedModule:
        """Remember a module already parsed (from ``data``), so that it is not parsed again;
        its record."""
        module = parsed_module(tree, path)
        key = path.resolve()
        known = None if data is None else digest(data)
        self._modules[key] = (module, known)
        if known is not None:
            self.files.note_read(key, known)
        return module

    def find(self, qualified: str, context: ClassSource, module: str | None = None) -> Found:
        """The class named ``qualified`` as seen from ``context``'s module: its statement,
        :class:`Outside` for a class of the standard library, or None when not found.
        ``module``: the leading part of ``qualified`` an import names as a module."""
        return self._find(qualified, context.module, 0, module)

    def member(self, owner: ClassSource, parts: list[str]) -> Found:
        """The class ``owner.<parts>`` names, as Python reads the attribute: nested in the
        class's body, else in its bases' (left to right, depth first)."""
        return self._member(owner, parts, 0)

    def _find(self, qualified: str, module: ParsedModule, hops: int, boundary: str | None) -> Found:
        if hops > _MAX_HOPS:
            return None
        if qualified.startswith(f"{LOCAL}."):
            return self._class_in(module, qualified[len(LOCAL) + 1 :], hops)
        if boundary is not None:
            return self._in_module(boundary, _after(qualified, boundary), module, hops)
        rest = qualified.lstrip(".")
        dots = qualified[: len(qualified) - len(rest)]
        parts = rest.split(".") if rest else []
        if dots:  # attributes of a package named relatively
            return self._in_module(dots, parts, module, hops)
        return self._in_module(parts[0], parts[1:], module, hops)

    def _in_module(
        self, module_name: str, attributes: list[str], context: ParsedModule, hops: int
    ) -> Found:
        """The class ``attributes`` names in module ``module_name`` imported from ``context``."""
        path = self._module_path(module_name, context.path)
        if path is None:
            top = module_name.partition(".")[0]
            if top and is_outside_project(top, None):
                return Outside(".".join([module_name, *attributes]))
            return None
        loaded = self._load(path, module_name)
        if loaded is None or not attributes:
            return None
        return self._attribute(loaded, attributes, hops + 1)

    def _attribute(self, module: ParsedModule, parts: list[str], hops: int) -> Found:
        """The class ``parts`` names in ``module``: what it binds, else its submodule."""
        if hops > _MAX_HOPS:
            return None
        first, rest = parts[0], parts[1:]
        if rest and not self._binds(module, first):
            path = _submodule(module, first, self.files)
            if path is not None:
                loaded = self._load(path, first)
                return None if loaded is None else self._attribute(loaded, rest, hops + 1)
        return self._class_in(module, ".".join(parts), hops)

    def _class_in(self, module: ParsedModule, name: str, hops: int) -> Found:
        """A class of ``module`` by its dotted ``name``, following re-exports, aliases
        (``Alias = Base``), classes nested or inherited and star imports."""
        if hops > _MAX_HOPS:
            return None
        first, _, rest = name.partition(".")
        bound = module.classes.top.bound.get(first)
        if isinstance(bound, cst.ClassDef):
            owner = ClassSource(bound, module)
            return self._member(owner, rest.split("."), hops + 1) if rest else owner
        if isinstance(bound, cst.FunctionDef):
            return None
        if isinstance(bound, cst.BaseExpression):
            alias = dotted(bound)
            if alias is None:
                return None
            return self._class_in(module, f"{alias}.{rest}" if rest else alias, hops + 1)
        target = module.names.imports.get(first)
        if target is not None:
            if self._imports_itself(module, first):
                return (
                    self._attribute(module, [first, *rest.split(".")], hops + 1) if rest else None
                )
            qualified = f"{target}.{rest}" if rest else target
            return self._find(qualified, module, hops + 1, module.names.modules.get(first))
        for star in module.names.stars:
            found = self._find(join_module(star, name), module, hops + 1, star)
            if found is not None:
                return found
        return None

    def _member(self, owner: ClassSource, parts: list[str], hops: int) -> Found:
        if hops > _MAX_HOPS:
            return None
        classes = owner.module.classes
        inner = classes.inside(owner.node, parts[:1])
        if inner is not None:
            found = ClassSource(inner, owner.module)
            return self._member(found, parts[1:], hops + 1) if parts[1:] else found
        if parts[0] in classes.body_of[id(owner.node)].bound:
            return None  # bound in the body to something else than a class statement
        from allocative_gen.bases import class_bases

        for base in class_bases(owner, self):
            if base.found is not None:
                found_in_base = self._member(base.found, parts, hops + 1)
                if found_in_base is not None:
                    return found_in_base
        return None

    def _binds(self, module: ParsedModule, name: str) -> bool:
        """Whether a package's module binds ``name`` itself: then ``package.name`` is that
        binding, not the submodule of that name (as Python and mypy read it). A package that
        imports its own submodule (``from . import sub``) binds the submodule."""
        if name not in module.classes.top.bound and name not in module.names.imports:
            return False
        return not self._imports_itself(module, name)

    def _imports_itself(self, module: ParsedModule, name: str) -> bool:
        """Whether ``module`` binds ``name`` by importing it from itself (``from . import
        name`` in a package's ``__init__``, ``from package import name``): its submodule."""
        target = module.names.imports.get(name)
        source = module.names.modules.get(name)
        if target is None or source is None or target != join_module(source, name):
            return False
        path = self._module_path(source, module.path)
        return path is not None and module.path is not None and path == module.path.resolve()

    def _module_path(self, module_name: str, path: Path | None) -> Path | None:
        """The file of module ``module_name`` (``.x`` relative to ``path``), or None."""
        files = self.files
        if module_name.startswith("."):
            return _relative(module_name, path, files)
        parts = module_name.split(".")
        roots = _ancestors(path, files)
        if parts[0] in sys.stdlib_module_names:
            roots = roots[:1]  # the project's own root shadows the library, as for mypy
            return _module_file(roots[0], parts, files) if roots else None
        for directory in roots:
            found = _module_file(directory, parts, files)
            if found is not None:
                return found
        return files.installed(module_name)

    def _load(self, path: Path, module_name: str) -> ParsedModule | None:
        key = path.resolve()
        found = self._modules.get(key)
        if found is None:
            data = self.files.read(key)
            module = None if data is None else _parse(key, data, module_name)
            found = self._modules[key] = (module, None if data is None else digest(data))
        else:
            self.files.note_read(key, found[1])
        return found[0]


def _after(qualified: str, module: str) -> list[str]:
    """The attribute names of ``qualified`` after its module part ``module``."""
    rest = qualified[len(module) :].lstrip(".") if qualified.startswith(module) else qualified
    return rest.split(".") if rest else []


def _submodule(module: ParsedModule, name: str, files: FileSystem) -> Path | None:
    """The file of submodule ``name`` of a package's ``__init__``; None for a module."""
    path = module.path
    if path is None or path.name not in _INITS:
        return None
    return _module_file(path.resolve().parent, [name], files)


def _parse(path: Path, data: bytes, module_name: str) -> ParsedModule | None:
    try:
        tree = cst.parse_module(data)
    except Exception:  # any file that cannot be parsed is a base not found
        return None
    return parsed_module(tree, path, is_outside_project(module_name, str(path)))


def _relative(module: str, path: Path | None, files: FileSystem) -> Path | None:
    if path is None:
        return None
    rest = module.lstrip(".")
    directory = path.resolve().parent
    for _ in range(len(module) - len(rest) - 1):
        directory = directory.parent
    return _module_file(directory, rest.split(".") if rest else [], files)


def _ancestors(path: Path | None, files: FileSystem) -> list[Path]:
    """The folders an absolute import from ``path`` is looked up in, as Python and mypy
    would: the folder above the file's top-most package, then the folders above it (never
    a folder inside the package, which ``sys.path`` does not hold)."""
    if path is None:
        return []
    folder = path.resolve().parent
    while files.is_file(folder / "__init__.py") and folder.parent != folder:
        folder = folder.parent
    return [folder, *folder.parents]


def _module_file(directory: Path, parts: list[str], files: FileSystem) -> Path | None:
    """The source of the module ``parts`` under ``directory``: a package before a module of
    the same name, a stub before its source, as mypy finds them."""
    if any(not part.isidentifier() for part in parts):
        return None
    base = directory.joinpath(*parts)
    candidates = [base / name for name in _INITS]
    if parts:
        candidates += [base.with_suffix(".pyi"), base.with_suffix(".py")]
    for candidate in candidates:
        if files.is_file(candidate):
            return candidate
    return None
