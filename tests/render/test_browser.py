"""The SVG flame graph in a real browser: frames render, a click zooms, search highlights.

Runs headless Debian Chromium (``/usr/bin/chromium``, installed by ``.ci/run``)
through Playwright's Python package; no browser is ever downloaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from allocative import FlameGraphOutput
from examples.screenshot import CHROMIUM, launch


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium driven by Playwright, or a skip saying what is missing."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is missing"
    )
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (see .ci/run)")
    with sync_api.sync_playwright() as playwright:
        instance = launch(playwright)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, order: FlameGraphOutput, tmp_path: Path) -> Iterator[Any]:
    """The order measurement's SVG opened from a file, failing on any script error."""
    path = tmp_path / "order.svg"
    path.write_text(order.svg(title="Order"), encoding="utf-8")
    tab = browser.new_page(viewport={"width": 1200, "height": 400})
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(path.as_uri())
    yield tab
    tab.close()
    assert errors == []


def width_of(page: Any, name: str) -> float:
    return float(page.get_attribute(f'g.f[data-name="{name}"] > rect', "width"))


def test_frames_render_with_their_labels(page: Any) -> None:
    """Every frame is drawn with a visible box, and wide frames show their names."""
    assert page.locator("g.f").count() == 19
    box = page.locator('g.f[data-name="blob"] > rect').bounding_box()
    assert box is not None
    assert box["width"] == pytest.approx(1180 * 8112 / 9786, abs=1)
    assert page.locator('g.f[data-name="blob"] > text').text_content() == "blob"


def test_clicking_a_frame_zooms_into_it_and_reset_restores(page: Any) -> None:
    """A click makes the frame full width, hides unrelated frames; Reset zoom undoes it."""
    before = width_of(page, "lines")
    page.click('g.f[data-name="lines"]')
    assert width_of(page, "lines") == pytest.approx(1180)
    assert page.locator('g.f[data-name="blob"]').is_hidden()
    assert page.locator("#reset").is_visible()
    page.click("#reset")
    assert width_of(page, "lines") == pytest.approx(before)
    assert page.locator('g.f[data-name="blob"]').is_visible()


def test_search_highlights_matches_and_shows_their_total(page: Any) -> None:
    """Typing in the search box highlights matching frames and totals them once each."""
    page.fill("#search", "unused")
    assert page.locator("g.f.match").count() == 2
    assert page.locator("#matched").text_content() == "Matched 2 frames: 160 B (1.6%)"
    page.fill("#search", "")
    assert page.locator("g.f.match").count() == 0


def test_hover_shows_the_full_stack_and_bytes(page: Any) -> None:
    """The tooltip names the whole stack, the bytes in human units and the share."""
    page.hover('g.f[data-name="sku"]')
    tip = page.locator("#tip")
    assert tip.get_attribute("visibility") == "visible"
    assert tip.text_content() == "Order;lines;list;Line;sku300 B (3.1%), 300 bytes"


def test_diff_graph_search_and_tooltip_show_both_sides(
    browser: Any, order: FlameGraphOutput, order_after: FlameGraphOutput, tmp_path: Path
) -> None:
    """In a differential graph, search totals and tooltips read ``before -> after (change)``."""
    path = tmp_path / "diff.svg"
    path.write_text(order_after.diff_svg(order), encoding="utf-8")
    tab = browser.new_page(viewport={"width": 1200, "height": 400})
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(path.as_uri())
    tab.fill("#search", "Line")
    assert tab.locator("#matched").text_content() == "Matched 2 frames: 964 B -> 1.6 KiB (+716 B)"
    tab.hover('g.f[data-name="__dict__"]')
    assert tab.locator("#tip").text_content() == "Order;__dict__104 B -> 0 B (-104 B)"
    tab.click('g.f[data-name="lines"]')
    assert width_of(tab, "lines") == pytest.approx(1180)
    tab.close()
    assert errors == []
