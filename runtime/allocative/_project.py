"""Which classes belong to the user's project, and which do not (the standard library,
installed packages, stubs): one rule for the generator, the plugin and the runtime.

A class outside the project cannot be marked, so nothing asks for it: the plugin accepts
it as a field type, the generator visits none of its fields (it adds none), and the
runtime measures its instances attribute by attribute, named, without a warning.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from functools import cache
from pathlib import PurePath
from typing import Final

_SITE_FOLDERS: Final = frozenset({"site-packages", "dist-packages"})


def is_outside_project(module: str, path: str | None) -> bool:
    """Whether module ``module`` (found at ``path``, if found) is outside the project: the
    standard library, an installed package, or a stub.

    Where the module was found decides, as for mypy and Python, which look in the project
    before the library: a project's own ``queue.py`` is the project's. Only a module not
    found (``path`` None) is told by its name.
    """
    if path is None:
        return module.partition(".")[0] in sys.stdlib_module_names
    pure = PurePath(path)
    if pure.suffix == ".pyi" or not _SITE_FOLDERS.isdisjoint(pure.parts):
        return True
    return any(_is_under(path, folder) for folder in _library_folders())


@cache
def _library_folders() -> tuple[str, ...]:
    """The folders of the running Python's standard library."""
    paths = sysconfig.get_paths()
    return tuple(sorted({os.path.realpath(paths[key]) for key in ("stdlib", "platstdlib")}))


def _is_under(path: str, folder: str) -> bool:
    return os.path.realpath(path).startswith(folder + os.sep)


def class_outside_project(tp: type) -> bool:
    """Whether class ``tp`` is written in Python in a module outside the project (see
    :func:`is_outside_project`). A class of a C module (built in, or a compiled extension)
    is not: it may keep memory in C structures the runtime cannot see."""
    module = getattr(tp, "__module__", None)
    if not isinstance(module, str):
        return False
    path = getattr(sys.modules.get(module), "__file__", None)
    return isinstance(path, str) and path.endswith(".py") and is_outside_project(module, path)
