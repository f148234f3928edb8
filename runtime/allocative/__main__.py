"""``python -m allocative``: the ``allocative`` command line."""

from __future__ import annotations

from allocative._cli import main

__all__ = ["main"]

if __name__ == "__main__":
    raise SystemExit(main())
