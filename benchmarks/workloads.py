"""The five object trees of ``trees.py``, each built the same way in every process.

A workload is prepared (files read, a JSON text made, a parser imported: work
that is not part of the tree) and then built; only the build is what
tracemalloc's reference count covers. Every build is deterministic.
"""

from __future__ import annotations

import ast
import json
import random
import sysconfig
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allocative import allocative

if TYPE_CHECKING:
    from allocative import Visitor

STDLIB = Path(sysconfig.get_paths()["stdlib"])


@dataclass(frozen=True)
class Workload:
    """How to make one tree: ``build(prepare(quick))`` is the object every tool measures."""

    key: str
    title: str
    prepare: Callable[[bool], Any]
    build: Callable[[Any], object]


# -- W1: the standard graph of benchmarks/w1.py ---------------------------------------------

W1_RECORDS = 200_000
W1_RECORDS_QUICK = 2_000


def prepare_w1(quick: bool) -> int:
    """The number of records."""
    return W1_RECORDS_QUICK if quick else W1_RECORDS


def build_w1(records: int) -> object:
    """W1, as ``w1.py`` builds it."""
    import w1

    return w1.build_w1(records)


# -- a parse tree of real code, by libcst's parser, node classes marked and generated -------

PARSE_MODULE = "mypy/checker.py"  # from site-packages: mypy is a dev dependency
PARSE_MODULE_QUICK = "textwrap.py"  # from the standard library


def parse_source(quick: bool) -> Path:
    """The module that is parsed: mypy's type checker (10,000 lines), or a small stdlib module."""
    if quick:
        return STDLIB / PARSE_MODULE_QUICK
    from marked_libcst import _package_dir

    return _package_dir("mypy").parent / PARSE_MODULE


def prepare_parse(quick: bool) -> tuple[Callable[[str], object], str]:
    """Import the marked libcst, warm its parser up, read the module to parse."""
    from marked_libcst import import_marked_libcst

    libcst = import_marked_libcst()
    libcst.parse_module("x = [1, (2, 'three')]\n")
    return libcst.parse_module, parse_source(quick).read_text(encoding="utf-8")


def build_parse(prepared: tuple[Callable[[str], object], str]) -> object:
    """The module's concrete syntax tree."""
    parse_module, source = prepared
    return parse_module(source)


# -- a JSON document ------------------------------------------------------------------------

JSON_USERS = 16_000
JSON_USERS_QUICK = 100
FIRST = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim"]
LAST = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson"]
CITIES = ["Lisbon", "Oslo", "Kyoto", "Lagos", "Quito", "Perth", "Tallinn", "Montreal", "Pune"]
TAGS = ["new", "vip", "beta", "churn-risk", "newsletter", "wholesale", "eu", "mobile", "trial"]
STATUSES = ["pending", "paid", "shipped", "delivered", "returned"]


def _order(rng: random.Random, order_id: int) -> dict[str, Any]:
    items: list[dict[str, Any]] = [
        {
            "sku": f"SKU-{rng.randrange(100_000):05d}",
            "qty": rng.randint(1, 5),
            "price": round(rng.uniform(1, 300), 2),
        }
        for _ in range(rng.randint(1, 4))
    ]
    return {
        "id": order_id,
        "status": rng.choice(STATUSES),
        "placed": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z",
        "total": round(sum(i["qty"] * i["price"] for i in items), 2),
        "currency": "EUR",
        "items": items,
    }


def _user(rng: random.Random, user_id: int) -> dict[str, Any]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return {
        "id": user_id,
        "uuid": f"{rng.getrandbits(128):032x}",
        "name": f"{first} {last}",
        "email": f"{first.lower()}.{last.lower()}{user_id}@example.com",
        "active": rng.random() < 0.8,
        "score": rng.random() * 100,
        "tags": rng.sample(TAGS, rng.randint(1, 4)),
        "address": {
            "street": f"{rng.randint(1, 999)} {rng.choice(LAST)} Street",
            "city": rng.choice(CITIES),
            "postcode": f"{rng.randrange(100_000):05d}",
            "geo": {"lat": rng.uniform(-90, 90), "lon": rng.uniform(-180, 180)},
        },
        "orders": [_order(rng, user_id * 10 + n) for n in range(rng.randint(0, 4))],
    }


def prepare_json(quick: bool) -> str:
    """The text of an API response: users with addresses, tags and orders of items."""
    rng = random.Random(2024)
    users = JSON_USERS_QUICK if quick else JSON_USERS
    document = {
        "generated": "2025-06-01T00:00:00Z",
        "page": {"size": users, "next": None},
        "users": [_user(rng, 1_000_000 + n) for n in range(users)],
    }
    return json.dumps(document, indent=1)


def build_json(text: str) -> object:
    """The document, as ``json.loads`` builds it."""
    return json.loads(text)


# -- an ast.parse forest of standard-library modules (unmarked node classes) ----------------

AST_MODULES = (
    "_pydecimal.py",
    "typing.py",
    "argparse.py",
    "inspect.py",
    "tkinter/__init__.py",
    "email/_header_value_parser.py",
    "turtle.py",
    "subprocess.py",
    "doctest.py",
    "pickle.py",
    "unittest/mock.py",
    "pydoc.py",
)
AST_MODULES_QUICK = ("textwrap.py",)


def prepare_ast(quick: bool) -> dict[str, str]:
    """The sources of the standard-library modules, by name."""
    names = AST_MODULES_QUICK if quick else AST_MODULES
    return {name: (STDLIB / name).read_text(encoding="utf-8") for name in names}


def build_ast(sources: dict[str, str]) -> object:
    """Each module's tree by ``ast.parse``, by module name."""
    return {name: ast.parse(source, name) for name, source in sources.items()}


# -- the in-memory state of an order-matching service ---------------------------------------


@allocative
@dataclass(slots=True)
class Order:
    """A resting limit order; the books, its account and the id index all hold it."""

    order_id: int
    account: str
    symbol: str
    side: str
    price: int
    quantity: int
    filled: int
    placed_at: float
    client_tag: str | None

    # Generated by allocative-gen; rerun allocative-gen to update.
    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_int("order_id", self.order_id)
        visitor.visit_str("account", self.account)
        visitor.visit_str("symbol", self.symbol)
        visitor.visit_str("side", self.side)
        visitor.visit_int("price", self.price)
        visitor.visit_int("quantity", self.quantity)
        visitor.visit_int("filled", self.filled)
        visitor.visit_float("placed_at", self.placed_at)
        visitor.visit_field("client_tag", self.client_tag)


@allocative
@dataclass(slots=True)
class PriceLevel:
    """The orders resting at one price, oldest first."""

    price: int
    orders: list[Order]
    quantity: int

    # Generated by allocative-gen; rerun allocative-gen to update.
    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_int("price", self.price)
        visitor.visit_list("orders", self.orders, None)
        visitor.visit_int("quantity", self.quantity)


@allocative
@dataclass(slots=True)
class Trade:
    """One match between a buyer and a seller."""

    trade_id: int
    price: int
    quantity: int
    buyer: str
    seller: str
    at: float

    # Generated by allocative-gen; rerun allocative-gen to update.
    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_int("trade_id", self.trade_id)
        visitor.visit_int("price", self.price)
        visitor.visit_int("quantity", self.quantity)
        visitor.visit_str("buyer", self.buyer)
        visitor.visit_str("seller", self.seller)
        visitor.visit_float("at", self.at)


@allocative
@dataclass
class Book:
    """One instrument's order book: price levels by price on each side, and recent trades."""

    symbol: str
    bids: dict[int, PriceLevel]
    asks: dict[int, PriceLevel]
    trades: list[Trade]
    last_price: int

    # Generated by allocative-gen; rerun allocative-gen to update.
    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("symbol", self.symbol)
        visitor.visit_dict("bids", self.bids, int, None)
        visitor.visit_dict("asks", self.asks, int, None)
        visitor.visit_list("trades", self.trades, None)
        visitor.visit_int("last_price", self.last_price)


@allocative
@dataclass
class Account:
    """A trading account: balances by currency, positions by symbol, its open orders by id."""

    account_id: str
    balances: dict[str, float]
    positions: dict[str, int]
    open_orders: dict[int, Order]

    # Generated by allocative-gen; rerun allocative-gen to update.
    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_str("account_id", self.account_id)
        visitor.visit_dict("balances", self.balances, str, float)
        visitor.visit_dict("positions", self.positions, str, int)
        visitor.visit_dict("open_orders", self.open_orders, int, None)


@allocative
@dataclass
class Exchange:
    """The service's whole state: the books, the accounts and an index of orders by id."""

    books: dict[str, Book]
    accounts: dict[str, Account]
    orders: dict[int, Order]

    # Generated by allocative-gen; rerun allocative-gen to update.
    def __allocative__(self, visitor: Visitor) -> None:
        visitor.visit_dict("books", self.books, str, None)
        visitor.visit_dict("accounts", self.accounts, str, None)
        visitor.visit_dict("orders", self.orders, int, None)


SERVICE_ORDERS = 100_000
SERVICE_ORDERS_QUICK = 1_000
CURRENCIES = ("USD", "EUR", "JPY", "GBP", "CHF")


def prepare_service(quick: bool) -> int:
    """The number of resting orders."""
    return SERVICE_ORDERS_QUICK if quick else SERVICE_ORDERS


def _accounts(rng: random.Random, count: int, symbols: list[str]) -> dict[str, Account]:
    accounts = {}
    for n in range(count):
        account_id = f"ACC-{n:06d}"
        balances = {c: rng.uniform(0, 1e6) for c in rng.sample(CURRENCIES, rng.randint(1, 3))}
        positions = {s: rng.randint(-500, 500) * 10 for s in rng.sample(symbols, 3)}
        accounts[account_id] = Account(account_id, balances, positions, {})
    return accounts


def _place(exchange: Exchange, order: Order) -> None:
    """Rest ``order`` on its book's level and index it by id and by account."""
    book = exchange.books[order.symbol]
    side = book.bids if order.side == "buy" else book.asks
    level = side.get(order.price)
    if level is None:
        level = side[order.price] = PriceLevel(order.price, [], 0)
    level.orders.append(order)
    level.quantity += order.quantity - order.filled
    exchange.accounts[order.account].open_orders[order.order_id] = order
    exchange.orders[order.order_id] = order


def _trade(rng: random.Random, trade_id: int, book: Book, accounts: list[str]) -> Trade:
    price = book.last_price + rng.randint(-20, 20)
    buyer, seller = rng.sample(accounts, 2)
    return Trade(trade_id, price, rng.randint(1, 50) * 10, buyer, seller, 1.7e9 + trade_id * 0.01)


def build_service(orders: int) -> object:
    """An exchange of 200 instruments with ``orders`` resting orders and 20% as many trades."""
    rng = random.Random(7)
    symbols = [f"SYM{n:03d}" for n in range(200 if orders >= 10_000 else 10)]
    accounts = _accounts(rng, max(orders // 50, 2), symbols)
    mids = {s: rng.randint(1_000, 50_000) for s in symbols}
    books = {s: Book(s, {}, {}, [], mids[s]) for s in symbols}
    exchange = Exchange(books, accounts, {})
    account_ids = list(accounts)
    for order_id in range(orders):
        symbol = rng.choice(symbols)
        side = "buy" if rng.random() < 0.5 else "sell"
        offset = rng.randint(1, 120)
        price = mids[symbol] - offset if side == "buy" else mids[symbol] + offset
        quantity = rng.randint(1, 100) * 10
        filled = rng.randint(0, quantity // 10) * 10 if rng.random() < 0.2 else 0
        tag = f"cl-{rng.getrandbits(40):010x}" if rng.random() < 0.5 else None
        placed = 1.7e9 + order_id * 0.001
        account = rng.choice(account_ids)
        order = Order(order_id, account, symbol, side, price, quantity, filled, placed, tag)
        _place(exchange, order)
    for trade_id in range(orders // 5):
        book = books[rng.choice(symbols)]
        book.trades.append(_trade(rng, trade_id, book, account_ids))
    return exchange


WORKLOADS = (
    Workload(
        "w1",
        "W1: 200,000 records of one generated class in a list (--quick 2,000)",
        prepare_w1,
        build_w1,
    ),
    Workload(
        "parse",
        "libcst tree of mypy/checker.py (--quick textwrap.py), node classes marked, generated",
        prepare_parse,
        build_parse,
    ),
    Workload(
        "json",
        "JSON document from json.loads: 16,000 users (--quick 100)",
        prepare_json,
        build_json,
    ),
    Workload(
        "ast",
        "ast.parse forest of 12 stdlib modules (--quick 1), unmarked classes",
        prepare_ast,
        build_ast,
    ),
    Workload(
        "service",
        "order-book service state: 100,000 generated orders (--quick 1,000), small lists, dicts",
        prepare_service,
        build_service,
    ),
)
