"""A small SVG bar chart, written by hand: no plotting library, no network, no fonts to fetch."""

from __future__ import annotations

from html import escape

_BAR_H, _GAP, _LABEL_W, _BAR_W, _PAD = 22, 8, 260, 360, 16


def bar_chart(title: str, bars: list[tuple[str, int]]) -> str:
    """Return an SVG document of horizontal bars, one per (label, value)."""
    top = max((v for _, v in bars), default=0) or 1
    height = _PAD * 3 + len(bars) * (_BAR_H + _GAP)
    width = _LABEL_W + _BAR_W + _PAD * 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
        f"<title>{escape(title)}</title>",
        f'<text x="{_PAD}" y="{_PAD + 4}" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(bars):
        y = _PAD * 2 + i * (_BAR_H + _GAP)
        length = round(_BAR_W * value / top)
        parts += [
            f'<text x="{_PAD}" y="{y + 15}">{escape(label)}</text>',
            f'<rect x="{_LABEL_W}" y="{y}" width="{length}" height="{_BAR_H}" fill="#2b6cb0"/>',
            f'<text x="{_LABEL_W + length + 6}" y="{y + 15}">{value}</text>',
        ]
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
