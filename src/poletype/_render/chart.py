"""The report's bar chart: each outcome's count as a bar, drawn as inline SVG.

No script and no library: a chart the page draws by itself, offline, years later.
"""

from __future__ import annotations

import html

COLOURS = {
    "positive": "#2e8b57",
    "negative": "#c0392b",
    "indeterminate": "#d49a1f",
    "type": "#3a6db5",
    "error": "#8a9099",
}
"""The colour of each kind of outcome (`poletype._render.html.outcome_class`)."""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def chart(bars: list[tuple[str, int, str]], *, title: str) -> str:
    """A horizontal bar chart as inline SVG: each bar's label above it, its count after."""
    width, left, bar_height, step = 520, 4, 16, 44
    room = width - left - 60
    top = max((count for _, count, _ in bars), default=0) or 1
    height = 8 + step * len(bars)
    items = [
        f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{_e(title)}</title>",
    ]
    for i, (label, count, colour) in enumerate(bars):
        y = 4 + i * step
        length = round(room * count / top)
        items += [
            f'<text x="{left}" y="{y + 13}" font-size="13" fill="#1d2430" '
            f'font-family="system-ui, sans-serif">{_e(label)}</text>',
            f'<rect x="{left}" y="{y + 19}" width="{room}" height="{bar_height}" rx="3" '
            'fill="#f0f2f5"/>',
        ]
        if length:
            items.append(
                f'<rect x="{left}" y="{y + 19}" width="{length}" height="{bar_height}" rx="3" '
                f'fill="{colour}"/>'
            )
        items.append(
            f'<text x="{left + length + 8}" y="{y + 32}" font-size="13" font-weight="600" '
            f'fill="#1d2430" font-family="system-ui, sans-serif">{count}</text>'
        )
    items.append("</svg>")
    return "".join(items)
