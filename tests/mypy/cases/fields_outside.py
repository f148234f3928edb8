"""Field types of the standard library and installed packages, and Protocols, are accepted:
they cannot be marked, and the runtime measures the values by their attributes or their own
types; the project's own unmarked class is still the error."""
# mypy: disable-error-code="allocative-stale"

import functools
import io
import ipaddress
import pathlib
import re
import socket
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

import attrs

from allocative import allocative


class Mine:
    """The project's own class, unmarked."""


class Closeable(Protocol):
    """A protocol of the project: it cannot be marked; its values are of other classes."""

    def close(self) -> None: ...


@allocative
@dataclass
class Service:
    address: ipaddress.IPv4Address
    root: pathlib.Path
    pattern: re.Pattern[str]
    lock: threading.Lock
    callback: functools.partial[None]
    log: io.TextIOWrapper
    buffer: io.BytesIO
    connection: socket.socket
    ordered: OrderedDict[str, int]
    third_party: attrs.Attribute[int]
    in_a_list: list[ipaddress.IPv6Network]
    closeable: Closeable
    mine: Mine
