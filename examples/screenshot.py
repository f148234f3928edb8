"""A PNG of an SVG flame graph, taken in headless Chromium: how docs/flamegraph.png is made.

Run with ``python -m examples.screenshot FLAME.svg OUT.png [SEARCH]``; SEARCH,
if given, is typed into the search box first so the picture shows highlights.
Uses Debian's ``/usr/bin/chromium`` through Playwright and never downloads a browser.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch(playwright: Any) -> Any:
    """Headless Debian Chromium, offline."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def svg_size(svg: str) -> tuple[int, int]:
    """The drawing's width and height from its root element."""
    width = re.search(r'<svg [^>]*?\swidth="(\d+)"', svg)
    height = re.search(r'<svg [^>]*?\sheight="(\d+)"', svg)
    if width is None or height is None:
        raise ValueError("not an allocative SVG: no width and height on <svg>")
    return int(width.group(1)), int(height.group(1))


def screenshot(svg_path: Path, png_path: Path, search: str = "") -> None:
    """Open ``svg_path`` in the browser, sized to the drawing, and save a PNG of it."""
    from playwright.sync_api import sync_playwright

    width, height = svg_size(svg_path.read_text(encoding="utf-8"))
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(svg_path.resolve().as_uri())
        if search:
            page.fill("#search", search)
        # full_page=True never finishes on an SVG document; the viewport is the drawing.
        page.screenshot(path=str(png_path))
        browser.close()


def main(argv: list[str]) -> int:
    """Screenshot the SVG named by the first argument into the PNG named by the second."""
    if len(argv) not in (2, 3):
        print("usage: python -m examples.screenshot FLAME.svg OUT.png [SEARCH]", file=sys.stderr)
        return 2
    screenshot(Path(argv[0]), Path(argv[1]), argv[2] if len(argv) == 3 else "")
    print(f"wrote {argv[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
