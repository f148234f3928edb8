"""A progress line on standard error for work that runs longer than a second."""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import TextIO


class Progress:
    """While the ``with`` block runs past ``delay`` seconds, show ``label`` and the time taken.

    On a terminal the line is rewritten in place every half second and erased
    at the end; elsewhere one line is written when the delay has passed.
    """

    def __init__(self, label: str, stream: TextIO, delay: float = 1.0) -> None:
        self._label = label
        self._stream = stream
        self._delay = delay
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="allocative-progress", daemon=True)
        self._shown = False
        self._started = 0.0

    def __enter__(self) -> Progress:
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._done.set()
        self._thread.join()
        if self._shown and self._is_terminal():
            self._stream.write("\r\x1b[K")
            self._stream.flush()

    def _is_terminal(self) -> bool:
        isatty = getattr(self._stream, "isatty", None)
        return bool(isatty and isatty())

    def _run(self) -> None:
        if self._done.wait(self._delay):
            return
        self._shown = True
        if not self._is_terminal():
            self._stream.write(f"allocative: {self._label}...\n")
            self._stream.flush()
            return
        while True:
            elapsed = time.monotonic() - self._started
            self._stream.write(f"\rallocative: {self._label}... {elapsed:.0f}s")
            self._stream.flush()
            if self._done.wait(0.5):
                return
