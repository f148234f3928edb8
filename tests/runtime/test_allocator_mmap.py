"""Allocator rounding of blocks big enough for glibc to map them on their own."""

from __future__ import annotations

import pytest

from allocative._sizes import allocator_rounding


@pytest.mark.parametrize(
    ("block", "rounding"),
    [
        (131072, 4096),  # chunk 131096: 33 pages
        (200000, 704),  # chunk 200024: 49 pages
        (1 << 20, 4096),  # chunk 1048600: 257 pages
    ],
)
def test_mapped_block_is_rounded_to_whole_pages(block: int, rounding: int) -> None:
    """From 128 KiB a block is its 16-byte chunk plus 8 bytes, rounded up to 4096."""
    assert allocator_rounding(block) == rounding


def test_heap_block_just_below_the_threshold_is_rounded_to_16() -> None:
    """Below 128 KiB the heap rounding is unchanged: 8 bytes of header, up to 16."""
    assert allocator_rounding(131071) == 17  # chunk 131088
