"""``benchmarks/retained.py`` runs end to end on tiny trees: retained_size is what is freed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_retained_benchmark_matches_the_freed_bytes() -> None:
    """On W1 with an outside index, the parse tree and the service state (tiny versions),
    retained_size is exactly the bytes freed, and W1's index keeps a tenth of the records."""
    command = [sys.executable, str(ROOT / "benchmarks" / "retained.py"), "--quick", "--json"]
    command += ["--repeat", "1"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert list(report) == ["w1", "parse", "service"]
    for figures in report.values():
        freed = figures["freed"]
        assert freed["retained"] == freed["freed"]
        # The time worker measures its first build (before a class's shared keys settle).
        assert abs(figures["time"]["retained"]["size"] - freed["retained"]) < freed["freed"] / 100
    w1 = report["w1"]["freed"]
    assert 0.85 * w1["size_of"] < w1["retained"] < 0.95 * w1["size_of"]
