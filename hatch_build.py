"""The wheel build's hook: compile ``allocative._core`` (see ``build_core.py``).

An editable install builds the extension in place, beside the Python sources
it imports with; a regular wheel gets it as ``allocative/_core.<suffix>`` and
a platform tag. Where it is not built the wheel stays pure Python, and the
build prints one notice.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.builders.wheel import WheelBuilderConfig


def load_build_core(root: Path) -> ModuleType:
    """The project's ``build_core.py``, by path: a build does not put the project on sys.path."""
    spec = importlib.util.spec_from_file_location("build_core", root / "build_core.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class CoreBuildHook(BuildHookInterface[WheelBuilderConfig]):
    """Compiles the extension into the wheel, or in place for an editable install."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Build the extension before the wheel's files are collected."""
        build_core = load_build_core(Path(self.root))
        self.scratch = Path(tempfile.mkdtemp(prefix="allocative-wheel-"))
        try:
            if version == "editable":
                build_core.build_in_place(force=True)
                return
            extension = build_core.build(self.scratch)
        except build_core.Skipped as skipped:
            self.app.display_warning(build_core.notice(str(skipped)))
            return
        except build_core.Failed as failed:
            self.app.display_error(build_core.failure(failed))
            raise SystemExit(1) from None
        build_data["force_include"][str(extension)] = f"allocative/{extension.name}"
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the scratch folder once the wheel is written."""
        shutil.rmtree(self.scratch, ignore_errors=True)
