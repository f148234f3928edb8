"""The errors that rendering raises; the command line turns each into a one-line message."""

from __future__ import annotations


class RenderError(Exception):
    """Base class of every error raised while reading or rendering a measurement."""


class MalformedFolded(RenderError):
    """A line of a folded-stack file is not ``frame;frame;... bytes``."""

    def __init__(self, source: str, line: int, reason: str) -> None:
        self.source = source
        self.line = line
        self.reason = reason
        message = f"{source}:{line}: {reason}"
        super().__init__(message)


class EmptyGraph(RenderError):
    """The measurement holds no bytes, so there is nothing to draw."""


class MissingDependency(RenderError):
    """An optional package that a renderer needs is not installed."""
