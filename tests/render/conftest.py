"""Small fixed measurements that the renderer tests draw."""

from __future__ import annotations

from pathlib import Path

import pytest

from allocative import FlameGraphOutput

GOLDEN = Path(__file__).parent / "golden"

ORDER_FOLDED = """\
Order 48
Order;__dict__ 104
Order;blob;ndarray 112
Order;blob;ndarray;data 8000
Order;lines;list 120
Order;lines;list;Line 480
Order;lines;list;Line;sku;str 300
Order;lines;list;unused_capacity 64
Order;tags;dict 232
Order;tags;dict;key;str 110
Order;tags;dict;unused_capacity 96
Order;tags;dict;value;str 120
"""

ORDER_AFTER_FOLDED = """\
Order 48
Order;blob;ndarray 112
Order;blob;ndarray;data 8000
Order;lines;list 120
Order;lines;list;Line 960
Order;lines;list;Line;sku;str 600
Order;tags;dict 232
Order;tags;dict;key;str 110
Order;tags;dict;value;str 120
"""

WARNINGS = ["Blob: no __allocative__; measured reflectively (1 objects, 112 bytes)"]


@pytest.fixture
def order() -> FlameGraphOutput:
    """A small measurement with user types, built-ins, fields, gaps and memory outside the heap.

    It carries a warning and, like a live measurement, names the engine that measured.
    """
    output = FlameGraphOutput.from_folded(ORDER_FOLDED)
    output.warnings.extend(WARNINGS)
    output.engine = "python"
    return output


@pytest.fixture
def order_after() -> FlameGraphOutput:
    """The same order after a change: the gaps are gone and the lines doubled."""
    return FlameGraphOutput.from_folded(ORDER_AFTER_FOLDED)
