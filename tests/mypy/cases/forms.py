"""Fields found in every form the generator reads are checked: type comments, other methods,
unpacking, slots (``bad`` fields are reported, the others are fine)."""
# mypy: disable-error-code="allocative-stale"

from allocative import allocative


class Bad:
    """Neither built in nor with an ``__allocative__`` method."""


@allocative
class Commented:
    def __init__(self, bad, good):
        # type: (Bad, int) -> None
        self.bad = bad
        self.good = good
        self.also_bad = None  # type: Bad | None


@allocative
class Lazy:
    def warm(self, bad: Bad) -> None:
        if bad is not None:
            self.bad = bad
        self.good: list[int] = []


@allocative
class Slotted:
    __slots__ = {"bad": "documented", "good": "documented"}
    bad: Bad
    good: str


@allocative
class ClassLevel:
    limit: int = 0
    DEFAULT: "Bad | None" = None

    def __init__(self, bad: Bad) -> None:
        self.limit = 3
        self.first, self.second = bad, bad
