"""Each example runs with one command, prints its summary and writes its flame graphs."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from allocative import FlameGraphOutput
from examples import cache_capacity, demo, outside_heap, rpc_response, screenshot, slots_vs_dict


def read(path: Path) -> FlameGraphOutput:
    return FlameGraphOutput.from_folded(path.read_text(encoding="utf-8"), str(path))


def gaps(output: FlameGraphOutput) -> int:
    names = {"unused_capacity", "__dict__", "allocator_overhead"}
    return sum(size for path, size in output.flamegraph.stacks() if path[-1] in names)


def assert_written(folder: Path, name: str) -> FlameGraphOutput:
    """The example wrote a well-formed SVG and a folded file called ``name``."""
    ET.parse(folder / f"{name}.svg")
    return read(folder / f"{name}.folded")


def test_demo_prints_the_summary_and_writes_svg_and_folded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The main job ends with the summary on screen and catalogue.svg/.folded on disk."""
    assert demo.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Total: ")
    assert "Largest sources of gaps" in out
    written, note = out.rstrip("\n").rsplit("\n", 2)[-2:]
    assert written == f"wrote {tmp_path / 'catalogue.svg'} and {tmp_path / 'catalogue.folded'}"
    assert assert_written(tmp_path, "catalogue").total_size > 10 * 2**20
    # The last line: what dropping the search index frees (its lists and words), not the
    # products it points to, which the catalogue also holds.
    found = re.fullmatch(
        r"Dropping the search index would free ([\d,]+) of its ([\d,]+) bytes; "
        r"the other ([\d,]+) are products the catalogue also holds\.",
        note,
    )
    assert found is not None
    freed, total, kept = (int(group.replace(",", "")) for group in found.groups())
    assert freed + kept == total
    assert 0 < freed < total / 10


def test_rpc_response_is_measured_before_serialisation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The response's fields are broken down, and its JSON size is printed beside it."""
    assert rpc_response.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "SearchResponse.hits" in out
    assert "Hit.snippet" in out
    assert "; as JSON " in out
    output = assert_written(tmp_path, "rpc_response")
    assert next(iter(output.flamegraph.children)) == "SearchResponse"


def test_cache_fix_removes_most_gaps_and_is_diffed(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """After the fix the gaps shrink by more than half; ``allocative diff`` prints and draws it."""
    assert cache_capacity.main([str(tmp_path)]) == 0
    out = capfd.readouterr().out
    before = assert_written(tmp_path, "cache_before")
    after = assert_written(tmp_path, "cache_after")
    assert gaps(after) < gaps(before) / 2
    assert after.total_size < before.total_size
    assert 'data-mode="diff"' in (tmp_path / "cache_diff.svg").read_text(encoding="utf-8")
    assert "allocative diff" in out
    assert "Gaps: 2.3 MiB -> " in out


def test_outside_heap_counts_buffers_once_and_reports_the_arena(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """numpy buffers count once across views, the mmap and the arena slices get their frames."""
    assert outside_heap.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Outside the Python heap (mapped, data): " in out
    stacks = {
        ";".join(path): size
        for path, size in assert_written(tmp_path, "outside_heap").flamegraph.stacks()
    }
    assert stacks["FeatureStore;index;mmap;mapped"] == 2 * 2**20
    data = {stack: size for stack, size in stacks.items() if stack.endswith(";data")}
    assert data == {
        "FeatureStore;matrix;ndarray;base;ndarray;data": 4_000 * 64 * 8,
        "FeatureStore;norms;ndarray;data": 4_000 * 8,
    }
    assert stacks["FeatureStore;arena;bytearray;keys"] == 4_000 * 9
    assert stacks["FeatureStore;arena;bytearray;payloads"] == 1_334 * 96
    used = 4_000 * 9 + 1_334 * 96
    assert stacks["FeatureStore;arena;bytearray;unused_capacity"] == 2**20 - used


def test_slots_vs_dict_shows_the_dict_frames(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the plain class has ``__dict__`` frames; the two slotted layouts cost the same."""
    assert slots_vs_dict.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    graph = assert_written(tmp_path, "slots_vs_dict").flamegraph
    dict_frames = [path for path, _ in graph.stacks() if path[-1] == "__dict__"]
    assert {path[0] for path in dict_frames} == {"dict_points"}
    roots = graph.children
    assert roots["slots_points"].total_size == roots["dataclass_points"].total_size
    assert roots["dict_points"].total_size > roots["slots_points"].total_size
    assert "bytes per point" in out


def test_screenshot_writes_a_png_of_the_drawing(tmp_path: Path) -> None:
    """The README picture's tool saves a PNG the size of the SVG drawing."""
    pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
    if not Path(screenshot.CHROMIUM).exists():
        pytest.skip(f"no Chromium at {screenshot.CHROMIUM}: apt-get install chromium")
    svg = tmp_path / "order.svg"
    svg.write_text(FlameGraphOutput.from_folded("Order 100\nOrder;x;str 50\n").svg(), "utf-8")
    png = tmp_path / "order.png"
    assert screenshot.main([str(svg), str(png)]) == 0
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    root = ET.parse(svg).getroot()
    assert (width, height) == screenshot.svg_size(svg.read_text("utf-8"))
    assert (width, height) == (int(root.get("width", "0")), int(root.get("height", "0")))
