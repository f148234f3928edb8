"""``allocative-gen`` as a libcst codemod command, for ``python -m libcst.tool codemod``.

With ``modules: ["allocative_gen"]`` in ``.libcst.codemod.yaml``, run
``python -m libcst.tool codemod codemod.AllocativeGenCommand src/``.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from allocative_gen.edit import generate
from allocative_gen.project import ModuleIndex


class AllocativeGenCommand(VisitorBasedCodemodCommand):
    """Write or refresh the ``__allocative__`` method of every class marked ``@allocative``."""

    DESCRIPTION = "Write or refresh the __allocative__ method of every class marked @allocative."

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self.index = ModuleIndex()

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        """The module with generated methods; problems become warnings, errors skip the file."""
        path = Path(self.context.filename or "<stdin>.py")
        result = generate(tree, path, self.index)
        for problem in result.problems:
            self.warn(f"{path}:{problem.line}: {problem.message}")
        if result.failed:
            raise SkipFile("errors in marked classes; see the warnings")
        return result.module
