"""The install instructions in the README and docs/generator.md agree and are well formed."""

from __future__ import annotations

import re
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "docs" / "generator.md"]
HOST = "<where you host allocative>"
REV = "<tag or commit>"


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_pre_commit_examples_use_one_placeholder_for_the_repository_and_rev() -> None:
    """Every allocative hook names the same placeholder repository and a tag-or-commit rev,
    never a tag that does not exist."""
    for path in DOCS:
        hook = r"- repo: (.+)\n\s+rev: (.+)\n\s+hooks:\n\s+- id: allocative"
        hooks = re.findall(hook, text(path))
        assert hooks, path
        assert set(hooks) == {(f"https://{HOST}", REV)}, path


def test_git_url_requirements_parse() -> None:
    """Each ``allocative[...] @ git+...`` requirement shown is valid PEP 508 once the
    placeholders are filled in."""
    found = []
    for path in DOCS:
        flat = re.sub(r"\s*\n\s*", " ", text(path))
        for requirement in re.findall(r"allocative\[[\w,]+\] @ git\+https://[^'\"`]+", flat):
            filled = requirement.replace(f"{HOST}@{REV}", "example.org/allocative@v1")
            filled = re.sub(r"\s+", "", filled.split(" @ ", 1)[1])
            name = requirement.split(" @ ", 1)[0]
            parsed = Requirement(f"{name} @ {filled}")
            assert parsed.name == "allocative"
            assert parsed.url == "git+https://example.org/allocative@v1"
            found.append(path.name)
    assert set(found) == {"README.md", "generator.md"}
