"""The project's ``[tool.allocative]`` settings, as the plugin reads them: the pyproject.toml
beside mypy's configuration file, else the nearest one from the working directory."""

from __future__ import annotations

from pathlib import Path

from mypy.nodes import Context
from mypy.plugin import SemanticAnalyzerPluginInterface

from allocative._config import Config, ConfigError, project_config

_REPORTED: set[str] = set()
"""Configuration errors already reported in this process: one error, not one per class."""


def settings(api: SemanticAnalyzerPluginInterface, ctx: Context) -> Config:
    """The settings for this run; a bad table is reported once (at ``ctx``) and ignored."""
    config_file = api.options.config_file
    folder = Path(config_file).parent if config_file else Path.cwd()
    try:
        return project_config(folder)
    except ConfigError as error:
        message = str(error)
        if message not in _REPORTED:
            _REPORTED.add(message)
            api.fail(message, ctx)
        return Config()
