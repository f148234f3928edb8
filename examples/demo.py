"""The main job: measure the example catalogue, print the summary, write a flame graph.

Run with ``make demo`` (or ``python -m examples.demo [OUT_DIR]``); open
``out/catalogue.svg`` in a browser.
"""

from __future__ import annotations

import sys

from allocative import FlameGraphBuilder
from examples._report import out_dir, report
from examples.inventory import build_catalogue


def main(argv: list[str]) -> int:
    """Measure the catalogue, print its summary, write catalogue.svg and catalogue.folded."""
    folder = out_dir(argv)
    catalogue = build_catalogue()
    builder = FlameGraphBuilder()
    builder.visit_root(catalogue)
    output = builder.finish()
    report(output, folder, "catalogue", "Catalogue: 20,000 products")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
