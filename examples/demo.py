"""The main job: measure the example catalogue, print a summary, write a flame graph.

Run with ``make demo`` (or ``python -m examples.demo [OUT_DIR]``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from allocative import FlameGraphBuilder, FlameGraphOutput

from examples.inventory import build_catalogue


def summary(output: FlameGraphOutput, top: int = 12) -> str:
    """Total bytes, the largest stacks by own bytes, the gaps, and the warnings."""
    total = output.total_size
    stacks = sorted(output.flamegraph.stacks(), key=lambda item: (-item[1], item[0]))
    gaps = sum(size for path, size in stacks if path[-1] in {"unused_capacity", "__dict__"})
    lines = [f"total {total:,} bytes ({total / 2**20:.1f} MiB)", "largest stacks:"]
    for path, size in stacks[:top]:
        lines.append(f"  {size:>12,}  {100 * size / total:5.1f}%  {';'.join(path)}")
    lines.append(
        f"gaps (unused capacity and per-instance __dict__): {gaps:,} bytes "
        f"({100 * gaps / total:.1f}%)"
    )
    lines.extend(f"warning: {warning}" for warning in output.warnings)
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Measure the catalogue and write ``catalogue.folded`` into the output folder."""
    out_dir = Path(argv[0] if argv else "out")
    catalogue = build_catalogue()
    builder = FlameGraphBuilder()
    builder.visit_root(catalogue)
    output = builder.finish()
    print(summary(output))
    out_dir.mkdir(parents=True, exist_ok=True)
    folded = out_dir / "catalogue.folded"
    folded.write_text(output.folded(), encoding="utf-8")
    print(f"wrote {folded}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
