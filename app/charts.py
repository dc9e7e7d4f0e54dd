"""Charts drawn on the server as inline SVG: no JavaScript, small, accessible.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its
``<desc>`` (``aria-labelledby``); the table printed under it is the accessible
equivalent with every number. Text is escaped here, so labels can be anything. The
drawing scales with its container (``viewBox``, ``width="100%"``); sizes are chosen so
text stays legible on a 360 px wide screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 360
FONT = 15
SMALL = 13
BAR_COLOUR = "#1d5b8f"  # 7:1 against white
TEXT_COLOUR = "#1a1a1a"
AXIS_COLOUR = "#6b6b6b"
MAX_LABEL = 40


@dataclass(frozen=True)
class Point:
    """One bar, column or point: its label, its value, and the value as shown."""

    label: str
    value: float
    text: str


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _short(label: str, limit: int = MAX_LABEL) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _open(chart_id: str, title: str, description: str, height: float) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="100%" '
        f'viewBox="0 0 {WIDTH} {_num(height)}" aria-labelledby="{cid}-t {cid}-d" '
        f'font-family="sans-serif" font-size="{FONT}" fill="{TEXT_COLOUR}">',
        f'<title id="{cid}-t">{escape(title)}</title>',
        f'<desc id="{cid}-d">{escape(description)}</desc>',
    ]


def _close(parts: list[str]) -> Markup:
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text and attribute is escaped above)


def bar_chart(chart_id: str, title: str, description: str, points: Sequence[Point]) -> Markup:
    """Horizontal bars, each under its label: long names (buyers, categories) fit."""
    if not points:
        return Markup("")
    row = 40
    height = row * len(points) + 4
    top = max(max(p.value for p in points), 0.0) or 1.0
    room = WIDTH - 80  # leaves space for the value after the longest bar
    parts = _open(chart_id, title, description, height)
    for i, point in enumerate(points):
        y = i * row
        width = max(point.value, 0.0) / top * room
        parts.append(f'<text x="0" y="{y + FONT}">{escape(_short(point.label))}</text>')
        parts.append(
            f'<rect x="0" y="{y + 19}" width="{_num(max(width, 1.0))}" height="16" '
            f'fill="{BAR_COLOUR}"/>'
        )
        parts.append(
            f'<text x="{_num(width + 6)}" y="{y + 32}" font-size="{SMALL}">'
            f"{escape(point.text)}</text>"
        )
    return _close(parts)


def _scale(points: Sequence[Point], plot_top: float, plot_bottom: float) -> tuple[float, float]:
    """(y of zero, pixels per unit) so every value, negative ones too, fits the plot."""
    high = max(max(p.value for p in points), 0.0)
    low = min(min(p.value for p in points), 0.0)
    span = (high - low) or 1.0
    per_unit = (plot_bottom - plot_top) / span
    return plot_top + high * per_unit, per_unit


def column_chart(chart_id: str, title: str, description: str, points: Sequence[Point]) -> Markup:
    """Vertical columns with short labels under them (years, bins of a histogram)."""
    if not points:
        return Markup("")
    height, plot_top, plot_bottom = 200.0, 18.0, 170.0
    zero, per_unit = _scale(points, plot_top, plot_bottom)
    slot = WIDTH / len(points)
    width = slot * 0.7
    show_values = len(points) <= 12
    parts = _open(chart_id, title, description, height)
    parts.append(
        f'<line x1="0" x2="{WIDTH}" y1="{_num(zero)}" y2="{_num(zero)}" stroke="{AXIS_COLOUR}"/>'
    )
    for i, point in enumerate(points):
        x = i * slot + (slot - width) / 2
        centre = i * slot + slot / 2
        y = zero - point.value * per_unit
        parts.append(
            f'<rect x="{_num(x)}" y="{_num(min(y, zero))}" width="{_num(width)}" '
            f'height="{_num(max(abs(zero - y), 1.0))}" fill="{BAR_COLOUR}"/>'
        )
        if show_values:
            parts.append(
                f'<text x="{_num(centre)}" y="{_num(min(y, zero) - 4)}" text-anchor="middle" '
                f'font-size="{SMALL}">{escape(point.text)}</text>'
            )
        parts.append(
            f'<text x="{_num(centre)}" y="{_num(height - 12)}" text-anchor="middle" '
            f'font-size="{SMALL}">{escape(_short(point.label, 10))}</text>'
        )
    return _close(parts)


def line_chart(chart_id: str, title: str, description: str, points: Sequence[Point]) -> Markup:
    """A line through the points in order (a value over the years), each point marked."""
    if not points:
        return Markup("")
    height, plot_top, plot_bottom = 200.0, 22.0, 170.0
    zero, per_unit = _scale(points, plot_top, plot_bottom)
    slot = WIDTH / len(points)
    coords = [
        (i * slot + slot / 2, zero - point.value * per_unit) for i, point in enumerate(points)
    ]
    parts = _open(chart_id, title, description, height)
    parts.append(
        f'<line x1="0" x2="{WIDTH}" y1="{_num(zero)}" y2="{_num(zero)}" stroke="{AXIS_COLOUR}"/>'
    )
    if len(coords) > 1:
        path = " ".join(f"{_num(x)},{_num(y)}" for x, y in coords)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{BAR_COLOUR}" stroke-width="2"/>'
        )
    for (x, y), point in zip(coords, points, strict=True):
        parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4" fill="{BAR_COLOUR}"/>')
        if len(points) <= 12:
            parts.append(
                f'<text x="{_num(x)}" y="{_num(y - 8)}" text-anchor="middle" '
                f'font-size="{SMALL}">{escape(point.text)}</text>'
            )
        parts.append(
            f'<text x="{_num(x)}" y="{_num(height - 12)}" text-anchor="middle" '
            f'font-size="{SMALL}">{escape(_short(point.label, 10))}</text>'
        )
    return _close(parts)
