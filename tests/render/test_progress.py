"""The progress line that measure shows on standard error after a delay."""

from __future__ import annotations

import io
import threading

from allocative._render.progress import Progress


class Stream(io.StringIO):
    """A string stream that says when it was first written to, and whether it is a terminal."""

    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal
        self.written = threading.Event()

    def isatty(self) -> bool:
        return self.terminal

    def write(self, text: str) -> int:
        self.written.set()
        return super().write(text)


def test_progress_line_off_a_terminal_is_written_once() -> None:
    """Off a terminal, one plain line is written once the delay has passed."""
    stream = Stream(terminal=False)
    with Progress("measuring", stream, delay=0.0):
        assert stream.written.wait(10)
    assert stream.getvalue() == "allocative: measuring...\n"


def test_progress_line_on_a_terminal_is_erased_at_the_end() -> None:
    """On a terminal the line shows the elapsed seconds and is erased when the work ends."""
    stream = Stream(terminal=True)
    with Progress("measuring", stream, delay=0.0):
        assert stream.written.wait(10)
    text = stream.getvalue()
    assert text.startswith("\rallocative: measuring... 0s")
    assert text.endswith("\r\x1b[K")


def test_nothing_is_shown_for_quick_work() -> None:
    """Work that ends before the delay leaves standard error untouched."""
    stream = Stream(terminal=True)
    with Progress("measuring", stream, delay=3600.0):
        pass
    assert stream.getvalue() == ""
