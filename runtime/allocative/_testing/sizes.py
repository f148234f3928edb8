"""Sizes as people write them: ``"10 MiB"``, ``"512 KB"``, ``"1.5GiB"``, or an int of bytes."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

UNITS: Final = {
    "B": 1,
    "KB": 1000,
    "MB": 1000**2,
    "GB": 1000**3,
    "TB": 1000**4,
    "KIB": 1024,
    "MIB": 1024**2,
    "GIB": 1024**3,
    "TIB": 1024**4,
}
"""KB, MB, GB and TB are powers of 1,000 (SI and IEC); KiB, MiB, GiB, TiB of 1,024."""

_SIZE: Final = re.compile(r"\s*(?P<number>\d+(?:\.\d*)?|\.\d+)\s*(?P<unit>[A-Za-z]+)\s*")
_FORMAT: Final = (
    "write a number and a unit (B, KB, MB, GB, TB, or KiB, MiB, GiB, TiB), as '10 MiB' or "
    "'512 KB', or an int of bytes"
)


def parse_size(size: int | str) -> int:
    """``size`` in bytes; units are case-insensitive, a fractional byte count is rounded down.

    Raises :class:`TypeError` for anything but an int or a string, and
    :class:`ValueError` for a string that is not a size or a negative int.
    """
    __tracebackhide__ = True
    if isinstance(size, bool) or not isinstance(size, int | str):
        message = f"a size is an int of bytes or a string such as '10 MiB', not {size!r}"
        raise TypeError(message)
    if isinstance(size, int):
        if size < 0:
            raise ValueError(f"a size cannot be negative: {size}")
        return size
    match = _SIZE.fullmatch(size)
    unit = UNITS.get(match["unit"].upper()) if match else None
    if match is None or unit is None:
        raise ValueError(f"{size!r} is not a size: {_FORMAT}")
    return int(Decimal(match["number"]) * unit)
