"""Each generator test gets its own cache folder: no test reads another's cached results,
and none writes into the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from allocative_gen.cache import ENVIRONMENT


@pytest.fixture(autouse=True)
def own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache folder of this test (also for the ``allocative-gen`` processes it starts)."""
    folder = tmp_path_factory.mktemp("allocative-cache")
    monkeypatch.setenv(ENVIRONMENT, str(folder))
    return folder
