"""End to end: generate a package of realistic classes, import it, measure against tracemalloc."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import allocative
from allocative_gen.cli import main
from tests.runtime.conftest import traced

FIXTURES = Path(__file__).parent / "fixtures"
N = 500


def copy_package(tmp_path: Path) -> Path:
    """The fixture package ``shop`` copied to ``tmp_path`` as .py files."""
    package = tmp_path / "shop"
    package.mkdir()
    for source in (FIXTURES / "shop").glob("*.py.txt"):
        shutil.copy(source, package / source.name.removesuffix(".txt"))
    return package


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[object]:
    """The generated ``shop.models`` module, imported from ``tmp_path``."""
    package = copy_package(tmp_path)
    assert main([str(package)]) == 1
    sys.path.insert(0, str(tmp_path))
    try:
        import shop.models  # type: ignore[import-not-found]

        yield shop.models
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == "shop" or name.startswith("shop.")]:
            del sys.modules[name]


def test_second_run_and_check_find_nothing_to_do(tmp_path: Path) -> None:
    """After one run, a second run and --check exit 0 and change no byte."""
    package = copy_package(tmp_path)
    assert main([str(package)]) == 1
    snapshot = {path: path.read_bytes() for path in package.glob("*.py")}
    assert main([str(package)]) == 0
    assert main(["--check", str(package)]) == 0
    assert snapshot == {path: path.read_bytes() for path in package.glob("*.py")}


def test_base_fields_from_another_file_are_visited(shop: object) -> None:
    """Product visits Audited's fields (defined in shop/base.py) inline, then its own."""
    source = Path(shop.__file__).read_text(encoding="utf-8")  # type: ignore[attr-defined]
    assert 'visitor.visit_str("created_by", self.created_by)' in source
    assert 'visitor.visit_list("history", self.history, str)' in source
    assert "self.shop" not in source.split("def __allocative__")[1].split("\n\n")[0]


def _field_bytes(folded: str, owner: str, field: str) -> int:
    """Bytes of the folded stacks that pass through field ``field`` of ``owner``."""
    total = 0
    for line in folded.splitlines():
        stack, _, size = line.rpartition(" ")
        if f";{owner};{field};" in f";{stack};":
            total += int(size)
    return total


def test_each_fields_bytes_equal_what_tracemalloc_counted_building_them(shop: object) -> None:
    """The bytes under each field frame equal tracemalloc's count for building its values."""
    columns = {
        "created_by": lambda: [f"user-{i:05d}" for i in range(N)],
        "history": lambda: [[f"edit {i} {j}" for j in range(i % 7)] for i in range(N)],
        "sku": lambda: [f"SKU-{i:06d}" for i in range(N)],
        "title": lambda: [f"title of product number {i}" * (1 + i % 3) for i in range(N)],
        "price": lambda: [i + 0.25 for i in range(N)],
        "price_history": lambda: [[i * 0.5 + j for j in range(i % 11)] for i in range(N)],
        "attributes": lambda: [{f"k{j}": f"v{i}-{j}" for j in range(i % 9)} for i in range(N)],
    }
    values = {}
    expected = {}
    for name, build in columns.items():
        column, held = traced(build)
        values[name] = column
        expected[name] = held - sys.getsizeof(column)
    product = shop.Product  # type: ignore[attr-defined]
    products = [product(**{name: values[name][i] for name in columns}) for i in range(N)]
    builder = allocative.FlameGraphBuilder()
    builder.visit_root(products)
    output = builder.finish()
    folded = output.flamegraph.write()
    measured = {name: _field_bytes(folded, "Product", name) for name in columns}
    assert measured == expected
    assert output.warnings == []


def test_whole_tree_is_within_one_percent_of_tracemalloc(shop: object) -> None:
    """size_of a shop of products, customers and views is within 1% of tracemalloc."""
    models = shop

    def build() -> object:
        store = models.Shop()  # type: ignore[attr-defined]
        for i in range(N):
            sku = f"SKU-{i:06d}"
            store.products[sku] = models.Product(  # type: ignore[attr-defined]
                created_by=f"user {i}",
                history=[f"edit {i}"],
                sku=sku,
                title=f"title {i}",
                price=i + 0.5,
                price_history=[i * 1.5, i * 2.5],
                attributes={"colour": f"c{i}"},
                shop=store,
            )
        for c in range(N // 5):
            customer = models.Customer(f"customer {c}")  # type: ignore[attr-defined]
            customer.views.extend(
                models.View(f"SKU-{(c * 7 + v) % N:06d}", v + 0.5)  # type: ignore[attr-defined]
                for v in range(5)
            )
            customer.tags.add(f"tag {c % 3}")
            store.customers.append(customer)
        return store

    store, held = traced(build)
    measured = allocative.size_of(store)
    assert abs(measured - held) <= held / 100, (measured, held)
