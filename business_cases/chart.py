"""A small SVG bar chart of cash flows by year (used on pages and in the PDF).

Plain SVG with presentation attributes only (no inline CSS, no script), so it passes the
pages' Content-Security-Policy and renders in WeasyPrint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from html import escape
from typing import Any

COST_COLOUR = "#a4161a"
BENEFIT_COLOUR = "#1e6b34"
NET_COLOUR = "#1b1b1b"


def _num(x: Any) -> float:
    # Drawing only: float is fine for pixel positions (figures are printed as Decimal).
    return float(Decimal(str(x)))


def cash_flow_svg(cash_flows: Sequence[Mapping[str, Any]], *, title: str,
                  labels: Mapping[str, str] | None = None, width: int = 640,
                  height: int = 260) -> str:
    """Benefits up, costs down per year, and the cumulative net flow as a line."""
    labels = {"costs": "Costs", "benefits": "Benefits", "cumulative": "Cumulative net",
              "year": "Year", **(labels or {})}
    years = [int(row["year"]) for row in cash_flows] or [0]
    benefits = [_num(row["benefits"]) for row in cash_flows] or [0.0]
    costs = [_num(row["costs"]) for row in cash_flows] or [0.0]
    cumulative, total = [], 0.0
    for b, c in zip(benefits, costs, strict=True):
        total += b - c
        cumulative.append(total)
    top = max([*benefits, *cumulative, 0.0]) or 1.0
    bottom = min([*(-c for c in costs), *cumulative, 0.0])
    span = (top - bottom) or 1.0
    left, right, upper, lower = 70, 10, 30, 40
    plot_w, plot_h = width - left - right, height - upper - lower

    def y(value: float) -> float:
        return upper + (top - value) / span * plot_h

    slot = plot_w / len(years)
    bar = max(2.0, slot * 0.35)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'font-family="DejaVu Sans, sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}" '
        f'stroke="#767676" stroke-width="1"/>',
        f'<text x="{left - 6}" y="{y(top) + 4:.1f}" text-anchor="end">{_short(top)}</text>',
        f'<text x="{left - 6}" y="{y(bottom) + 4:.1f}" text-anchor="end">{_short(bottom)}</text>',
    ]
    for i, year in enumerate(years):
        x = left + i * slot + slot / 2
        if benefits[i]:
            parts.append(f'<rect x="{x - bar:.1f}" y="{y(benefits[i]):.1f}" width="{bar:.1f}" '
                         f'height="{y(0) - y(benefits[i]):.1f}" fill="{BENEFIT_COLOUR}"/>')
        if costs[i]:
            parts.append(f'<rect x="{x:.1f}" y="{y(0):.1f}" width="{bar:.1f}" '
                         f'height="{y(-costs[i]) - y(0):.1f}" fill="{COST_COLOUR}"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - lower + 14}" '
                     f'text-anchor="middle">{year}</text>')
    points = " ".join(f"{left + i * slot + slot / 2:.1f},{y(v):.1f}"
                      for i, v in enumerate(cumulative))
    parts.append(f'<polyline points="{points}" fill="none" stroke="{NET_COLOUR}" '
                 f'stroke-width="2"/>')
    legend_y = height - 8
    for i, (key, colour) in enumerate((("benefits", BENEFIT_COLOUR), ("costs", COST_COLOUR),
                                       ("cumulative", NET_COLOUR))):
        lx = left + i * 150
        parts.append(f'<rect x="{lx}" y="{legend_y - 9}" width="10" height="10" '
                     f'fill="{colour}"/>')
        parts.append(f'<text x="{lx + 14}" y="{legend_y}">{escape(labels[key])}</text>')
    parts.append(f'<text x="{width - right}" y="{height - lower + 14}" '
                 f'text-anchor="end">{escape(labels["year"])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _short(value: float) -> str:
    """1234567 → 1.2M: axis labels only."""
    magnitude = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= limit:
            return f"{value / limit:.1f}{suffix}"
    return f"{value:.0f}"
