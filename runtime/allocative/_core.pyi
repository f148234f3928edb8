"""The compiled measuring engine (C sources in ``_core_src/``): CPython 3.11-3.13 with the GIL."""

from typing import Final, final

ABI: Final[tuple[int, int]]
"""The ``(major, minor)`` Python version it was built for; it refuses to load on any other."""

@final
class AddressSet:
    """A set of object addresses: holds no reference to the objects it has seen.

    An address identifies its object only while that object is alive. The
    table is 1/2 to 3/4 full: 10.7 to 16 bytes per address.
    """

    def __init__(self) -> None: ...
    def add(self, obj: object, /) -> bool:
        """Add ``obj``'s address; ``True`` when it was not there yet."""
    def __contains__(self, obj: object, /) -> bool: ...
    def __len__(self) -> int: ...
    def clear(self) -> None:
        """Forget every address and free the table."""
    def memory(self) -> int:
        """Bytes the table holds."""
