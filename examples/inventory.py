"""An in-memory product catalogue, the kind of state a service keeps between requests.

It holds products with their price history, a search index from words to
products, and a per-customer cache of recent views that grows by appends, so it
carries the usual waste: spare list capacity, half-empty dict tables, and a
``__dict__`` per product.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from allocative import allocative

if TYPE_CHECKING:
    from allocative import Visitor


@allocative
@dataclass
class Product:
    """One product: identity, price history and free-form attributes."""

    sku: str
    title: str
    price: Decimal
    price_history: list[float]
    attributes: dict[str, str]

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("sku", self.sku)
        visitor.visit_str("title", self.title)
        visitor.visit_field("price", self.price)
        visitor.visit_list("price_history", self.price_history, float)
        visitor.visit_dict("attributes", self.attributes, str, str)


@allocative
@dataclass(slots=True)
class View:
    """A customer's view of a product, kept for recommendations."""

    sku: str
    seconds: float

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("sku", self.sku)
        visitor.visit_float("seconds", self.seconds)


@allocative
@dataclass
class Catalogue:
    """The service's whole state."""

    products: dict[str, Product] = field(default_factory=dict)
    index: dict[str, list[Product]] = field(default_factory=dict)
    recent_views: dict[int, list[View]] = field(default_factory=dict)

    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_dict("products", self.products, str, None)
        visitor.visit_dict("index", self.index, str, None)
        visitor.visit_dict("recent_views", self.recent_views, int, None)


WORDS = (
    "red",
    "blue",
    "green",
    "steel",
    "oak",
    "linen",
    "wool",
    "large",
    "small",
    "compact",
    "deluxe",
    "travel",
    "kitchen",
    "garden",
    "office",
    "outdoor",
    "classic",
    "modern",
    "vintage",
    "premium",
)


def build_catalogue(products: int = 20_000, customers: int = 2_000, seed: int = 7) -> Catalogue:
    """A deterministic catalogue of ``products`` products and ``customers`` customers' views."""
    rng = random.Random(seed)
    catalogue = Catalogue()
    for number in range(products):
        title = " ".join(rng.sample(WORDS, 3)) + f" {number}"
        product = Product(
            sku=f"SKU-{number:06d}",
            title=title,
            price=Decimal(rng.randrange(100, 100_000)) / 100,
            price_history=[rng.uniform(1, 1000) for _ in range(rng.randrange(1, 12))],
            attributes={"colour": rng.choice(WORDS), "size": rng.choice(["S", "M", "L"])},
        )
        catalogue.products[product.sku] = product
        for word in title.split()[:3]:
            catalogue.index.setdefault(word, []).append(product)
    skus = list(catalogue.products)
    for customer in range(customers):
        views = catalogue.recent_views.setdefault(customer, [])
        for _ in range(rng.randrange(1, 30)):
            views.append(View(rng.choice(skus), rng.uniform(0.5, 120.0)))
    return catalogue
