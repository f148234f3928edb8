"""The SVG flame graph in a real browser: it fits the window, shows its warnings and engine,
a click zooms and search highlights.

Runs headless Debian Chromium (``/usr/bin/chromium``, installed by ``.ci/run``)
through Playwright's Python package; no browser is ever downloaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from allocative import FlameGraphOutput
from allocative._render.svg import note_columns, wrap_words
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


def open_svg(browser: Any, svg: str, path: Path, width: int = 1200) -> Iterator[Any]:
    """``svg`` opened from a file in a window ``width`` pixels wide, failing on any script error."""
    path.write_text(svg, encoding="utf-8")
    tab = browser.new_page(viewport={"width": width, "height": 500})
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(path.as_uri())
    yield tab
    tab.close()
    assert errors == []


@pytest.fixture
def page(browser: Any, order: FlameGraphOutput, tmp_path: Path) -> Iterator[Any]:
    """The order measurement's SVG in a window 1,200 pixels wide."""
    yield from open_svg(browser, order.svg(title="Order"), tmp_path / "order.svg")


def width_of(page: Any, name: str) -> float:
    return float(page.get_attribute(f'g.f[data-name="{name}"] > rect', "width"))


def box_of(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box  # type: ignore[no-any-return]


@pytest.mark.parametrize("window", [700, 1000, 1600])
def test_the_graph_fits_the_window_width(
    browser: Any, order: FlameGraphOutput, tmp_path: Path, window: int
) -> None:
    """Whatever the window's width, the root frame spans it less the margins, and zoom fills it."""
    for tab in open_svg(browser, order.svg(title="Order"), tmp_path / "order.svg", window):
        assert box_of(tab, 'g.f[data-name="all"] > rect')["width"] == pytest.approx(window - 20)
        assert tab.evaluate("document.documentElement.getBoundingClientRect().width") == window
        blob = box_of(tab, 'g.f[data-name="blob"] > rect')["width"]
        assert blob == pytest.approx((window - 20) * 8112 / 9786, abs=1)
        tab.click('g.f[data-name="lines"]')
        assert width_of(tab, "lines") == pytest.approx(window - 20)
        search = box_of(tab, "#search-box")
        assert search["x"] + search["width"] == pytest.approx(window - 10)


def test_resizing_the_window_redraws_the_graph_and_keeps_the_zoom(page: Any) -> None:
    """After a resize the frames fit the new width; a zoomed frame stays zoomed."""
    page.click('g.f[data-name="lines"]')
    page.set_viewport_size({"width": 800, "height": 500})
    page.wait_for_function("document.documentElement.getAttribute('width') === '800'")
    assert width_of(page, "lines") == pytest.approx(780)
    assert page.locator('g.f[data-name="blob"]').is_hidden()


def test_warnings_and_engine_are_in_sight(page: Any) -> None:
    """The warnings sit in a box above the frames, the subtitle names the engine."""
    notes = page.locator("#notes")
    assert notes.is_visible()
    assert page.locator("#notes .heading").text_content() == "Warnings (1)"
    assert page.locator("#notes .note").text_content() == (
        "• Blob: no __allocative__; measured reflectively (1 objects, 112 bytes)"
    )
    box = box_of(page, "#notes rect")
    assert box["y"] + box["height"] < box_of(page, 'g.f[data-name="str"] > rect')["y"]
    assert page.locator("#subtitle").text_content() == (
        "9.6 KiB (9,786 bytes) in 12 stacks, measured by the python engine"
    )


def test_long_warnings_rewrap_to_the_window(
    browser: Any, order: FlameGraphOutput, tmp_path: Path
) -> None:
    """A narrower window wraps the warnings into more lines and moves the frames down under them."""
    order.warnings[:] = [" ".join(["word"] * 60), *(f"warning {n}" for n in range(6))]
    svg = order.svg(title="Order")
    for tab in open_svg(browser, svg, tmp_path / "order.svg", 1200):
        drawn = tab.locator("#notes .note").first.locator("tspan").all_text_contents()
        assert drawn == [
            ("• " if i == 0 else "") + line
            for i, line in enumerate(wrap_words(order.warnings[0], note_columns(1180)))
        ]
        wide = len(drawn)
        top_wide = box_of(tab, 'g.f[data-name="all"] > rect')["y"]
        tab.set_viewport_size({"width": 600, "height": 500})
        tab.wait_for_function("document.documentElement.getAttribute('width') === '600'")
        narrow = tab.locator("#notes .note").first.locator("tspan").count()
        assert (wide, narrow) == (2, 4)
        assert box_of(tab, 'g.f[data-name="all"] > rect')["y"] == pytest.approx(top_wide + 2 * 15)
        for line in tab.locator("#notes tspan").all():
            assert box_of(line, "xpath=.")["x"] + box_of(line, "xpath=.")["width"] <= 590
        assert tab.locator("#notes .more").text_content().startswith("... and 2 more")


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
    for tab in open_svg(browser, order_after.diff_svg(order), tmp_path / "diff.svg"):
        tab.fill("#search", "Line")
        matched = tab.locator("#matched").text_content()
        assert matched == "Matched 2 frames: 964 B -> 1.6 KiB (+716 B)"
        tab.hover('g.f[data-name="__dict__"]')
        assert tab.locator("#tip").text_content() == "Order;__dict__104 B -> 0 B (-104 B)"
        tab.click('g.f[data-name="lines"]')
        assert width_of(tab, "lines") == pytest.approx(1180)
