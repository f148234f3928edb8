"""The main job: measure the example catalogue, print the summary, write a flame graph.

Run with ``make demo`` (or ``python -m examples.demo [OUT_DIR]``); open
``out/catalogue.svg`` in a browser.
"""

from __future__ import annotations

import sys

from allocative import FlameGraphBuilder, RetainedSizeUnavailable, retained_size, size_of
from examples._report import out_dir, report
from examples.inventory import Catalogue, build_catalogue


def main(argv: list[str]) -> int:
    """Measure the catalogue, print its summary, write catalogue.svg and catalogue.folded."""
    folder = out_dir(argv)
    catalogue = build_catalogue()
    builder = FlameGraphBuilder()
    builder.visit_root(catalogue)
    output = builder.finish()
    report(output, folder, "catalogue", "Catalogue: 20,000 products")
    print(index_note(catalogue))
    return 0


def index_note(catalogue: Catalogue) -> str:
    """What dropping the search index would give back: its lists and words, not the products
    they point to (the catalogue holds those too)."""
    try:
        # The catalogue's attribute is the one reference: a local would be a second.
        freed = retained_size(catalogue.index)
    except RetainedSizeUnavailable as error:
        return f"Retained size of the search index: unavailable ({error})"
    total = size_of(catalogue.index)
    return (
        f"Dropping the search index would free {freed:,} of its {total:,} bytes; "
        f"the other {total - freed:,} are products the catalogue also holds."
    )


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
