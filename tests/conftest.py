"""Shared pytest options (``--update-golden`` rewrites golden files), ``pytester``, test order."""

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The runtime's tests and the other accuracy tests run first, while the heap is small.

    Each of them collects garbage around a traced build, and a full collection walks
    every live object: after mypy's in-process runs (which keep their last build alive
    in ``mypy.modules_state``) the heap holds millions, and each test took seconds.
    """
    items.sort(
        key=lambda item: (
            not (item.nodeid.startswith("tests/runtime/") or item.get_closest_marker("accuracy"))
        )
    )
