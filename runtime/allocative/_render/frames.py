"""What each frame is (a user type, a built-in, a field, a gap) and how bytes are written."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import Final


class FrameKind(StrEnum):
    """The kind of a frame, which decides its colour and how the summary counts it."""

    ROOT = "root"
    TYPE = "type"
    BUILTIN = "builtin"
    FIELD = "field"
    GAP = "gap"
    OUTSIDE = "outside"
    PROBLEM = "problem"
    MERGED = "merged"
    SHARED = "shared"


GAPS: Final = frozenset({"unused_capacity", "__dict__", "allocator_overhead"})
OUTSIDE: Final = frozenset({"mapped", "data"})
PROBLEMS: Final = frozenset({"[visit failed]", "[mutated during traversal]"})
SHARED: Final = "[shared]"
"""A retained flame graph's frame for the bytes something outside the tree also holds."""
ITEM_CONTAINERS: Final = frozenset({"list", "tuple", "set", "frozenset", "deque"})
BUILTINS: Final = ITEM_CONTAINERS | frozenset(
    {
        "str",
        "int",
        "float",
        "complex",
        "bytes",
        "bytearray",
        "dict",
        "defaultdict",
        "OrderedDict",
        "Counter",
        "array",
        "range",
        "memoryview",
        "managedbuffer",
        "mmap",
        "ndarray",
        "Decimal",
        "Fraction",
        "UUID",
        "date",
        "timedelta",
        "datetime",
        "time",
        "timezone",
    }
)
TYPE_KINDS: Final = frozenset({FrameKind.TYPE, FrameKind.BUILTIN})


def step(name: str, expect_type: bool) -> tuple[FrameKind, bool]:
    """The kind of frame ``name`` and whether the frame after it names a type.

    Stacks read ``Type;field;Type;...``, except that the elements of a list,
    tuple, set or deque sit right below it. Built-in type names are types
    anywhere; other names are types when they start with a capital letter, or
    sit in type position and do not start lowercase (so the lowercase frames of
    custom visits and named roots read as fields).
    """
    if name in GAPS:
        return FrameKind.GAP, True
    if name in OUTSIDE:
        return FrameKind.OUTSIDE, True
    if name in PROBLEMS:
        return FrameKind.PROBLEM, True
    if name == SHARED:
        return FrameKind.SHARED, True
    if name in BUILTINS:
        return FrameKind.BUILTIN, name in ITEM_CONTAINERS
    if name[:1].isupper() or (expect_type and not name[:1].islower()):
        return FrameKind.TYPE, False
    return FrameKind.FIELD, True


def classify(path: Sequence[str]) -> Iterator[FrameKind]:
    """The kind of each frame of a stack read from its root."""
    expect_type = True
    for name in path:
        kind, expect_type = step(name, expect_type)
        yield kind


def owning_type(path: Sequence[str]) -> str:
    """The deepest type frame of a stack: whose own bytes (or gap) the stack's bytes are."""
    owner = path[0]
    for name, kind in zip(path, classify(path), strict=True):
        if kind in TYPE_KINDS:
            owner = name
    return owner


def class_fields(path: Sequence[str]) -> list[str]:
    """The ``Class.field`` frames of a stack whose class is a user type, each once, root first."""
    labels: list[str] = []
    previous = ("", FrameKind.ROOT)
    for name, kind in zip(path, classify(path), strict=True):
        if kind is FrameKind.FIELD and previous[1] is FrameKind.TYPE:
            label = f"{previous[0]}.{name}"
            if label not in labels:
                labels.append(label)
        previous = (name, kind)
    return labels


_UNITS: Final = ("KiB", "MiB", "GiB", "TiB", "PiB")


def human_bytes(size: int) -> str:
    """``size`` in binary units with one decimal: ``512 B``, ``14.2 MiB``; signed if negative."""
    sign = "-" if size < 0 else ""
    value = float(abs(size))
    if value < 1024:
        return f"{sign}{abs(size)} B"
    for unit in _UNITS:
        value /= 1024
        if value < 1024 or unit == _UNITS[-1]:
            break
    return f"{sign}{value:.1f} {unit}"


def signed_bytes(size: int) -> str:
    """A change of ``size`` bytes in binary units, always with its sign: ``+1.5 KiB``."""
    return human_bytes(size) if size < 0 else f"+{human_bytes(size)}"


def share(part: int, total: int) -> str:
    """``part`` as a percentage of ``total`` with one decimal."""
    if total == 0:
        return "0.0%"
    return f"{100 * part / total:.1f}%"
