"""What kind each frame is, and how bytes are written."""

from __future__ import annotations

import pytest

from allocative._render.frames import (
    FrameKind,
    class_fields,
    classify,
    human_bytes,
    owning_type,
    share,
    signed_bytes,
)

K = FrameKind


@pytest.mark.parametrize(
    ("stack", "kinds"),
    [
        ("Order;lines;list;Line;sku;str", [K.TYPE, K.FIELD, K.BUILTIN, K.TYPE, K.FIELD, K.BUILTIN]),
        ("Order;tags;dict;key;str", [K.TYPE, K.FIELD, K.BUILTIN, K.FIELD, K.BUILTIN]),
        ("Order;__dict__", [K.TYPE, K.GAP]),
        ("list;unused_capacity", [K.BUILTIN, K.GAP]),
        ("Order;blob;ndarray;data", [K.TYPE, K.FIELD, K.BUILTIN, K.OUTSIDE]),
        ("mmap;mapped", [K.BUILTIN, K.OUTSIDE]),
        ("Foo;[visit failed];int", [K.TYPE, K.PROBLEM, K.BUILTIN]),
        ("memoryview;buffer;bytes", [K.BUILTIN, K.FIELD, K.BUILTIN]),
        ("Order;items;View;when", [K.TYPE, K.FIELD, K.TYPE, K.FIELD]),
        ("Raw;Inner", [K.TYPE, K.TYPE]),
        ("Parser;arena;slices;list;int", [K.TYPE, K.FIELD, K.FIELD, K.BUILTIN, K.BUILTIN]),
        ("dict_points;DictPoint;x;float", [K.FIELD, K.TYPE, K.FIELD, K.BUILTIN]),
        ("<lambda>;cell", [K.TYPE, K.FIELD]),
    ],
)
def test_frames_are_classified_along_the_stack(stack: str, kinds: list[FrameKind]) -> None:
    """Types and fields alternate; list items follow the list; gaps and special frames by name."""
    assert list(classify(stack.split(";"))) == kinds


def test_owning_type_is_the_deepest_type() -> None:
    """A stack's bytes belong to its deepest type frame (gaps to the type that has them)."""
    assert owning_type(["Order", "lines", "list", "unused_capacity"]) == "list"
    assert owning_type(["Order", "__dict__"]) == "Order"
    assert owning_type(["Order", "lines", "list", "Line", "sku", "str"]) == "str"


def test_class_fields_are_fields_of_user_types_each_once() -> None:
    """``Class.field`` labels skip the key/value frames of dicts and repeat no label."""
    stack = ["Node", "next", "Node", "next", "Node", "tags", "dict", "key", "str"]
    assert class_fields(stack) == ["Node.next", "Node.tags"]


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (14_889_779, "14.2 MiB"),
        (3 * 2**30, "3.0 GiB"),
        (2**60, "1024.0 PiB"),
        (-1536, "-1.5 KiB"),
    ],
)
def test_human_bytes(size: int, text: str) -> None:
    """Binary units with one decimal, bytes below 1 KiB, sign kept."""
    assert human_bytes(size) == text


def test_signed_bytes_and_share() -> None:
    """Changes carry a sign; shares have one decimal and survive a zero total."""
    assert signed_bytes(1536) == "+1.5 KiB"
    assert signed_bytes(-10) == "-10 B"
    assert share(11, 100) == "11.0%"
    assert share(1, 0) == "0.0%"
