"""Measuring an RPC response before it is serialised: a subset of the process's data.

A search handler builds a response object from the catalogue and hands it to
the serialiser. Measuring just that object tree shows what the response costs
while it is alive, field by field, before a byte of JSON exists. Run with
``python -m examples.rpc_response [OUT_DIR]``.
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from allocative import FlameGraphBuilder, allocative
from examples._report import out_dir, report

if TYPE_CHECKING:
    from allocative import Visitor


@allocative
@dataclass(slots=True)
class Hit:
    """One search result."""

    sku: str
    title: str
    score: float
    snippet: str
    tags: list[str]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("sku", self.sku)
        visitor.visit_str("title", self.title)
        visitor.visit_float("score", self.score)
        visitor.visit_str("snippet", self.snippet)
        visitor.visit_list("tags", self.tags, str)


@allocative
@dataclass
class SearchResponse:
    """What the search endpoint returns: the hits, facet counts and debug notes."""

    query: str
    hits: list[Hit]
    facets: dict[str, int] = field(default_factory=dict)
    debug: dict[str, str] = field(default_factory=dict)

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("query", self.query)
        visitor.visit_list("hits", self.hits, None)
        visitor.visit_dict("facets", self.facets, str, int)
        visitor.visit_dict("debug", self.debug, str, str)


WORDS = ("oak", "steel", "linen", "compact", "deluxe", "garden", "office", "vintage", "red")


def build_response(hits: int = 2_000, seed: int = 11) -> SearchResponse:
    """A deterministic response with ``hits`` hits, as a search handler would build it."""
    rng = random.Random(seed)
    response = SearchResponse(query="oak table", hits=[])
    for number in range(hits):
        title = " ".join(rng.sample(WORDS, 3))
        tags = rng.sample(WORDS, rng.randrange(1, 5))
        snippet = f"... {title} ... " * rng.randrange(2, 6)
        response.hits.append(Hit(f"SKU-{number:06d}", title, rng.random(), snippet, tags))
        for tag in tags:
            response.facets[tag] = response.facets.get(tag, 0) + 1
    response.debug = {f"shard-{n}": f"took {rng.randrange(1, 90)} ms" for n in range(16)}
    return response


def main(argv: list[str]) -> int:
    """Measure a search response, print its summary and write ``rpc_response.svg``."""
    folder = out_dir(argv)
    response = build_response()
    builder = FlameGraphBuilder()
    builder.visit_root(response)
    output = builder.finish()
    report(output, folder, "rpc_response", "SearchResponse before serialisation")
    serialised = len(json.dumps(asdict(response)).encode("utf-8"))
    print(f"in memory {output.total_size:,} bytes; as JSON {serialised:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
