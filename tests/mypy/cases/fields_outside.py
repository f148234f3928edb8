"""Field types of the standard library and installed packages are accepted: they cannot be
marked, and the runtime measures them by their attributes; the project's own unmarked class
is still the error."""
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

import attrs

from allocative import allocative


class Mine:
    """The project's own class, unmarked."""


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
    mine: Mine
