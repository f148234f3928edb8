"""Memory budgets: ``assert_size_at_most`` and the ``allocative_budget`` marker, and sizes."""

from __future__ import annotations

import pytest

from allocative import size_of
from allocative._testing.sizes import parse_size
from allocative.pytest import assert_size_at_most


@pytest.mark.parametrize(
    ("text", "size"),
    [
        (4096, 4096),
        (0, 0),
        ("100 B", 100),
        ("512 KB", 512_000),
        ("512 KiB", 524_288),
        ("10 MiB", 10 * 2**20),
        ("10MiB", 10 * 2**20),
        ("1.5 GiB", 3 * 2**29),
        ("2 gb", 2_000_000_000),
        (" 0.5 kb ", 500),
        ("0.1 KiB", 102),
        (".25 MB", 250_000),
        ("3 TiB", 3 * 2**40),
    ],
)
def test_sizes_read_as_people_write_them(text: int | str, size: int) -> None:
    """Units are case-insensitive; KB and MB are powers of 1,000, KiB and MiB of 1,024."""
    assert parse_size(text) == size


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("ten MiB", ValueError, "'ten MiB' is not a size: write a number and a unit"),
        ("10", ValueError, "'10' is not a size: write a number and a unit"),
        ("10 MiBs", ValueError, "'10 MiBs' is not a size"),
        ("-5 MB", ValueError, "'-5 MB' is not a size"),
        ("1e6 B", ValueError, "'1e6 B' is not a size"),
        ("", ValueError, "'' is not a size"),
        (-1, ValueError, "a size cannot be negative: -1"),
        (1.5e6, TypeError, "a size is an int of bytes or a string such as '10 MiB', not 1500000.0"),
        (True, TypeError, "a size is an int of bytes or a string such as '10 MiB', not True"),
        (None, TypeError, "a size is an int of bytes or a string such as '10 MiB', not None"),
    ],
)
def test_bad_sizes_say_how_to_write_one(text: object, error: type, message: str) -> None:
    """Anything else is refused with a message that shows the accepted forms."""
    with pytest.raises(error) as caught:
        parse_size(text)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)
    if error is ValueError and isinstance(text, str):
        assert str(caught.value).endswith(
            "(B, KB, MB, GB, TB, or KiB, MiB, GiB, TiB), as '10 MiB' or '512 KB', "
            "or an int of bytes"
        )


def test_a_size_within_its_budget_is_returned() -> None:
    """Within its budget, the check passes and returns the object's size."""
    prices = [float(number) for number in range(1000)]
    assert assert_size_at_most(prices, size_of(prices)) == size_of(prices)
    assert assert_size_at_most(prices, "1 MiB") == size_of(prices)


BUDGET_TEST = """\
import pytest
from allocative.pytest import assert_size_at_most

def book():
    return {"bids": [float(i) for i in range(1000)], "names": [str(i) * 20 for i in range(200)]}

def test_within():
    assert_size_at_most(book(), "1 MiB")

def test_over():
    assert_size_at_most(book(), "20 KB")

def test_bad_size():
    assert_size_at_most(book(), "twenty KB")
"""


def test_a_budget_failure_says_where_the_bytes_went(
    plugin_session: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over budget, the test fails at its line with the size, the budget and the summary."""
    monkeypatch.setenv("COLUMNS", "104")
    plugin_session.makepyfile(test_budget=BUDGET_TEST)
    result = plugin_session.runpytest()
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ test_over _*",
            '>       assert_size_at_most(book(), "20 KB")',
            "E       AssertionError: the dict takes * KiB (*,* bytes), over its budget of 19.5 KiB "
            "(20,000 bytes) by * KiB",
            "E       Total: * KiB (*,* bytes) in * stacks",
            "E       Largest stacks (own bytes)",
            "E          * dict;value;list;float",
            "E          * dict;value;list;str",
            "E       Bytes by type (own bytes and gaps)",
            "*_ test_bad_size _*",
            '>       assert_size_at_most(book(), "twenty KB")',
            "E       ValueError: 'twenty KB' is not a size: write a number and a unit*",
        ]
    )
    result.stdout.no_fnmatch_line("*budgets.py*")


MARKER_TEST = """\
import pytest

@pytest.fixture
def book():
    return {{"bids": [float(i) for i in range(1000)]}}

@pytest.mark.allocative_budget({arguments})
def test_book(book):
    book["bids"].extend(float(i) for i in range({more}))
"""


def test_the_marker_passes_within_the_budget(plugin_session: pytest.Pytester) -> None:
    """A fixture within its budget after the test ran passes."""
    plugin_session.makepyfile(test_marked=MARKER_TEST.format(arguments="book='1 MiB'", more=10))
    plugin_session.runpytest().assert_outcomes(passed=1)


def test_the_marker_measures_the_fixture_after_the_test(plugin_session: pytest.Pytester) -> None:
    """What the test added counts: the fixture's value is measured once the test has run."""
    budget = size_of({"bids": [float(i) for i in range(1000)]}) + 100
    plugin_session.makepyfile(test_marked=MARKER_TEST.format(arguments=f"book={budget}", more=500))
    result = plugin_session.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_book _*",
            f"the fixture 'book' takes * KiB (*,* bytes), over its budget of * KiB ({budget:,} "
            "bytes) by * KiB",
            "Largest stacks (own bytes)",
        ]
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("book='ten MiB'", "allocative_budget(book=...): 'ten MiB' is not a size: *"),
        ("catalogue='1 MiB'", "allocative_budget: the test uses no fixture 'catalogue'"),
        (
            "'1 MiB'",
            "allocative_budget takes fixture=size keywords, as allocative_budget(book='10 MiB')",
        ),
    ],
)
def test_a_malformed_marker_errors_before_the_test_runs(
    plugin_session: pytest.Pytester, arguments: str, message: str
) -> None:
    """A bad size, an unknown fixture or a positional size is an error, not a failure."""
    plugin_session.makepyfile(test_marked=MARKER_TEST.format(arguments=arguments, more=10))
    result = plugin_session.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ERROR at setup of test_book*", message])
