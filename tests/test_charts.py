"""The SVG charts: well-formed, named and described, escaped, scaled to the values."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence

import pytest
from markupsafe import Markup

from app.charts import Point, bar_chart, column_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"
Draw = Callable[[str, str, str, Sequence[Point]], Markup]


def parse(svg: Markup) -> ET.Element:
    """Our own output (raises on malformed XML or unescaped text)."""
    return ET.fromstring(str(svg))  # noqa: S314


POINTS = [Point("Año 2024", 100.0, "100"), Point("<b>&'\"", 50.0, "50 %"), Point("x", 0, "0")]


@pytest.mark.parametrize("draw", [bar_chart, column_chart, line_chart])
def test_chart_is_valid_svg_with_title_and_description(draw: Draw) -> None:
    svg = draw("spend", "Gasto <por> año", "Valor & más", POINTS)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "spend-t spend-d"
    assert root.find(f"{SVG}title").text == "Gasto <por> año"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "Valor & más"  # type: ignore[union-attr]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<b>&'\"" in texts and "50 %" in texts
    assert "<script" not in str(svg)


def test_bar_lengths_follow_the_values() -> None:
    root = parse(bar_chart("c", "t", "d", POINTS))
    widths = [float(r.get("width", "0")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] == pytest.approx(2 * widths[1])
    assert widths[2] == 1.0  # a zero still shows a hairline


def test_columns_below_zero_hang_under_the_axis() -> None:
    root = parse(column_chart("c", "t", "d", [Point("a", 20, "20"), Point("b", -10, "-10")]))
    axis = float(root.find(f"{SVG}line").get("y1", "0"))  # type: ignore[union-attr]
    up, down = list(root.iter(f"{SVG}rect"))
    assert float(up.get("y", "0")) + float(up.get("height", "0")) == pytest.approx(axis)
    assert float(down.get("y", "0")) == pytest.approx(axis)
    assert float(up.get("height", "0")) == pytest.approx(
        2 * float(down.get("height", "0")), abs=0.2
    )


def test_line_passes_through_every_point_in_order() -> None:
    root = parse(
        line_chart("c", "t", "d", [Point("1", 1, "1"), Point("2", 3, "3"), Point("3", 2, "2")])
    )
    line = root.find(f"{SVG}polyline")
    assert line is not None
    ys = [float(pair.split(",")[1]) for pair in line.get("points", "").split()]
    assert ys[1] < ys[2] < ys[0]  # higher values are drawn higher up


def test_long_labels_are_shortened_and_no_points_draw_nothing() -> None:
    svg = str(bar_chart("c", "t", "d", [Point("x" * 80, 1, "1")]))
    assert "x" * 39 + "…" in svg and "x" * 40 not in svg
    assert str(bar_chart("c", "t", "d", [])) == ""
    assert str(line_chart("c", "t", "d", [])) == ""
