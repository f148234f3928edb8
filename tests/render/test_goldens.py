"""Every renderer's exact output for a small fixed measurement, held in golden files.

Regenerate with ``pytest --update-golden`` and review the diff.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from allocative import FlameGraphOutput
from tests.golden import assert_golden
from tests.render.conftest import GOLDEN, ORDER_AFTER_FOLDED, ORDER_FOLDED, WARNINGS

RENDERERS: dict[str, Callable[[FlameGraphOutput], str]] = {
    "order.svg": lambda output: output.svg(title="Order"),
    "order.speedscope.json": lambda output: output.speedscope("order"),
    "order.table.txt": lambda output: output.summary(width=80),
    "order.table.ansi": lambda output: output.summary(top=3, width=80, colour=True),
    "order.json": lambda output: output.to_json(),
}


def measurement(text: str, warnings: list[str]) -> FlameGraphOutput:
    """The measurement of folded ``text`` with ``warnings``, as the python engine reports it."""
    output = FlameGraphOutput.from_folded(text)
    output.warnings.extend(warnings)
    output.engine = "python"
    return output


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_renderer_output_matches_golden(name: str) -> None:
    """Each renderer's output for the order measurement is byte for byte the golden file."""
    output = measurement(ORDER_FOLDED, WARNINGS)
    assert_golden(GOLDEN / name, RENDERERS[name](output))


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_renderer_output_is_deterministic(name: str) -> None:
    """Two renderings of equal measurements are identical."""
    first = RENDERERS[name](measurement(ORDER_FOLDED, WARNINGS))
    second = RENDERERS[name](measurement(ORDER_FOLDED, WARNINGS))
    assert first == second


def test_diff_outputs_match_golden() -> None:
    """The diff table and the differential SVG of before/after orders match their goldens."""
    before = measurement(ORDER_FOLDED, [])
    after = measurement(ORDER_AFTER_FOLDED, [])
    assert_golden(GOLDEN / "order.diff.txt", after.diff_summary(before, width=80))
    assert_golden(GOLDEN / "order.diff.svg", after.diff_svg(before, title="Order: before -> after"))
