"""Bases outside the project (the standard library here) add no fields: nothing to visit."""
# mypy: disable-error-code="allocative-stale"

import codecs
import io
import unittest
from collections import defaultdict, namedtuple
from html.parser import HTMLParser

from allocative import allocative


class Bad:
    """Neither built in nor with an ``__allocative__`` method."""


@allocative
class Counts(defaultdict[str, int]):
    def __init__(self) -> None:
        super().__init__(int)
        self.total = 0


@allocative
class LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []


@allocative
class Point(namedtuple("Point", "x y")):
    __slots__ = ()


@allocative
class Stream(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self.data = data


@allocative
class Case(unittest.TestCase):
    def setUp(self) -> None:
        self.bad = Bad()


@allocative
class Codec(codecs.Codec):
    def __init__(self) -> None:
        self.table = {"a": "b"}


@allocative
class StreamWriter(Codec, codecs.StreamWriter):
    pass


@allocative
class StreamReader(Codec, codecs.StreamReader):
    pass
