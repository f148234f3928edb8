"""Golden before/after files: the generated code for every class kind and field-type form."""

from __future__ import annotations

import pytest

from tests.gen.helpers import GOLDEN, generated, golden_cases
from tests.golden import assert_golden


@pytest.mark.parametrize("case", golden_cases())
def test_generated_code_matches_golden(case: str) -> None:
    """Each .before file generates exactly its .after file (pytest --update-golden rewrites)."""
    before = (GOLDEN / f"{case}.before").read_text(encoding="utf-8")
    assert_golden(GOLDEN / f"{case}.after", generated(before, GOLDEN / f"{case}.py"))


@pytest.mark.parametrize("case", golden_cases())
def test_second_run_changes_nothing(case: str) -> None:
    """Generating again from the generated code is a no-op, byte for byte."""
    after = (GOLDEN / f"{case}.after").read_text(encoding="utf-8")
    assert generated(after, GOLDEN / f"{case}.py") == after


def test_generated_files_never_carry_the_whole_file_generated_marker() -> None:
    """No output contains the literal marker that tools read as 'this whole file is generated'."""
    marker = "@" + "generated"
    for case in golden_cases():
        assert marker not in (GOLDEN / f"{case}.after").read_text(encoding="utf-8")


DATACLASS_ORDERS = {
    "marker above": "@allocative\n@dataclass(frozen=True)\nclass A:\n",
    "marker below": "@dataclass(frozen=True)\n@allocative\nclass A:\n",
    "marker between": "@dataclass_transform_free\n@allocative\n@dataclass(frozen=True)\nclass A:\n",
}


@pytest.mark.parametrize("order", list(DATACLASS_ORDERS))
def test_decorator_order_does_not_change_the_method(order: str) -> None:
    """The same method is generated wherever @allocative sits among the decorators."""
    header = (
        "from dataclasses import dataclass\n\nfrom allocative import allocative\n\n\n"
        "def dataclass_transform_free(cls):\n    return cls\n\n\n"
    )
    code = header + DATACLASS_ORDERS[order] + "    x: float\n    tags: set[str]\n"
    method = generated(code).split("def __allocative__")[1]
    assert method == (
        '(self, visitor: "Visitor") -> None:\n'
        '        visitor.visit_float("x", self.x)\n'
        '        visitor.visit_set("tags", self.tags, str)\n'
    )
