"""Shared pytest options: ``--update-golden`` rewrites golden files; ``pytester`` tests plugins."""

from __future__ import annotations

import os

import pytest

from tests.golden import UPDATE_ENV

pytest_plugins = ["pytester"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite golden files from the current output instead of comparing",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--update-golden"):
        os.environ[UPDATE_ENV] = "1"
