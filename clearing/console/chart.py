"""A stacked bar chart as server-rendered SVG (no script, no CDN): takings by hour and method."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

COLOURS = {
    "cash": "#d9534f",
    "wechat": "#2e9e44",
    "alipay": "#1677ff",
    "bank_card": "#8e44ad",
    "purse": "#f0ad4e",
}
OTHER = "#7f8c8d"
WIDTH, HEIGHT = 760, 300
LEFT, BOTTOM, TOP = 60, 40, 20


def hourly_svg(takings: Mapping[int, Mapping[str, int]], title: str) -> str:
    """``takings[hour][method]`` in fen → an SVG document (24 bars, stacked by method)."""
    methods = sorted({m for by in takings.values() for m in by})
    peak = max((sum(by.values()) for by in takings.values()), default=0) or 100
    plot_h = HEIGHT - BOTTOM - TOP
    bar_w = (WIDTH - LEFT - 10) / 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT + 30}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT + 30}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - 10}" y2="{HEIGHT - BOTTOM}" '
        'stroke="#333"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#333"/>',
    ]
    for step in range(5):
        value = peak * step / 4
        y = HEIGHT - BOTTOM - plot_h * step / 4
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">'
            f"{value / 100:,.0f}</text>"
        )
    for hour in range(24):
        x = LEFT + hour * bar_w + 2
        y = float(HEIGHT - BOTTOM)
        for method in methods:
            amount = takings.get(hour, {}).get(method, 0)
            if not amount:
                continue
            h = plot_h * amount / peak
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 4:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS.get(method, OTHER)}"><title>{hour:02d}:00 {escape(method)} '
                f"{amount / 100:.2f}</title></rect>"
            )
        parts.append(
            f'<text x="{x + bar_w / 2 - 2:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" '
            f'text-anchor="middle">{hour}</text>'
        )
    for number, method in enumerate(methods):
        x = LEFT + number * 120
        parts.append(
            f'<rect x="{x}" y="{HEIGHT + 8}" width="12" height="12" '
            f'fill="{COLOURS.get(method, OTHER)}"/>'
            f'<text x="{x + 16}" y="{HEIGHT + 18}" font-size="12">{escape(method)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
