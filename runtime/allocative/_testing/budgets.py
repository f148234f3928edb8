"""Memory budgets: an object's tree holds at most so many bytes, or the test fails saying where."""

from __future__ import annotations

from allocative._api import size_of
from allocative._render.frames import human_bytes
from allocative._testing import measure, report_width
from allocative._testing.sizes import parse_size


def over_budget(
    obj: object, budget: int | str, what: str, *, allocator_overhead: bool = False
) -> tuple[int, str | None]:
    """``obj``'s size in bytes and, when it passes ``budget``, the failure message.

    The message names ``what`` was measured, the size and the budget, and
    holds the summary of the measurement: where the bytes went.
    """
    __tracebackhide__ = True
    limit = parse_size(budget)
    size = size_of(obj, allocator_overhead=allocator_overhead)
    if size <= limit:
        return size, None
    output = measure(obj, allocator_overhead=allocator_overhead)
    message = (
        f"{what} takes {human_bytes(size)} ({size:,} bytes), over its budget of "
        f"{human_bytes(limit)} ({limit:,} bytes) by {human_bytes(size - limit)}\n\n"
        f"{output.summary(width=report_width())}"
    )
    return size, message
