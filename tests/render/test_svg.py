"""The SVG flame graph's behaviour: layout, merging of narrow frames, escaping, errors."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET

import pytest

from allocative import FlameGraphOutput
from allocative._flamegraph import FlameGraph
from allocative._render.errors import EmptyGraph, MissingDependency
from allocative._render.layout import place
from allocative._render.svg import fit_label, flame_svg

SVG = "{http://www.w3.org/2000/svg}"


def frames_of(svg: str) -> list[ET.Element]:
    return [g for g in ET.fromstring(svg).iter(f"{SVG}g") if "f" in g.get("class", "").split()]


def test_svg_is_well_formed_and_self_contained(order: FlameGraphOutput) -> None:
    """The SVG parses as XML and loads nothing from the network."""
    svg = order.svg()
    ET.fromstring(svg)
    assert not re.search(r"(?:src|href)=\"https?:", svg)
    assert "<script" in svg


def test_frames_are_sized_by_bytes(order: FlameGraphOutput) -> None:
    """A frame's width is its share of the total times the full width."""
    frames = {g.get("data-name"): g for g in frames_of(order.svg())}
    rect = frames["blob"].find(f"{SVG}rect")
    assert rect is not None
    assert float(rect.get("width", "0")) == pytest.approx(1180 * 8112 / 9786, abs=0.01)
    assert frames["all"].get("data-n") == "9786"


def test_frames_carry_kind_classes(order: FlameGraphOutput) -> None:
    """Gaps, user types, built-ins, fields and outside memory get their own classes."""
    kinds = {g.get("data-name"): g.get("class") for g in frames_of(order.svg())}
    assert kinds["unused_capacity"] == "f gap"
    assert kinds["__dict__"] == "f gap"
    assert kinds["Order"] == "f type"
    assert kinds["list"] == "f builtin"
    assert kinds["lines"] == "f field"
    assert kinds["data"] == "f outside"


def test_tens_of_thousands_of_narrow_frames_merge() -> None:
    """40,000 tiny siblings beside one big frame become one merged frame, not 40,000."""
    graph = FlameGraph()
    graph.add_stack(["Big"], 10**9)
    for index in range(40_000):
        graph.add_stack(["Many", f"item{index:05}"], 100)
    names = [g.get("data-name") for g in frames_of(flame_svg(graph))]
    assert len(names) == 4
    assert "[40000 frames merged]" in names


def test_merged_frames_too_narrow_themselves_are_dropped() -> None:
    """When even the merged siblings are too narrow, nothing is drawn for them."""
    graph = FlameGraph()
    graph.add_stack(["Big"], 10**9)
    graph.add_stack(["Tiny"], 1)
    frames = place(graph, min_size=1000)
    assert [frame.name for frame in frames] == ["all", "Big"]


def test_names_are_escaped() -> None:
    """Frame names and titles with markup characters stay text."""
    graph = FlameGraph()
    graph.add_stack(["<lambda>", 'a"b&c'], 100)
    svg = flame_svg(graph, title="<Title & co>")
    ET.fromstring(svg)
    assert "&lt;Title &amp; co&gt;" in svg
    assert {g.get("data-name") for g in frames_of(svg)} == {"all", "<lambda>", 'a"b&c'}


def test_labels_are_cut_to_fit() -> None:
    """Labels shorten with ``..`` to fit their frame and vanish under three characters."""
    assert fit_label("price_history", 200) == "price_history"
    assert fit_label("price_history", 60) == "price.."
    assert fit_label("price_history", 20) == ""


def test_empty_graph_is_an_error() -> None:
    """A graph with no bytes raises EmptyGraph rather than drawing nothing."""
    with pytest.raises(EmptyGraph):
        flame_svg(FlameGraph())


def test_missing_jinja2_says_what_to_install(
    order: FlameGraphOutput, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without jinja2 the SVG renderer raises one line naming the extra to install."""
    monkeypatch.setitem(sys.modules, "jinja2", None)
    with pytest.raises(MissingDependency) as caught:
        order.svg()
    assert str(caught.value) == "rendering an SVG needs jinja2: pip install 'allocative[render]'"
