"""The jinja2 environment for the SVG templates, imported only when an SVG is asked for."""

from __future__ import annotations

from importlib import resources
from typing import Any

from allocative._render.errors import MissingDependency

INSTALL_HINT = "pip install 'allocative[render]'"


def render_template(name: str, **context: Any) -> str:
    """Render the packaged template ``name`` with ``context``; XML-escaped, strict about names."""
    try:
        import jinja2
    except ImportError:
        message = f"rendering an SVG needs jinja2: {INSTALL_HINT}"
        raise MissingDependency(message) from None
    source = resources.files("allocative._render").joinpath("templates", name).read_text("utf-8")
    environment = jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.from_string(source).render(**context)
