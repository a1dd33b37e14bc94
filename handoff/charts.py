"""Small SVG charts drawn on the server for the console's statistics page.

No charting library and no script: plain SVG the page inserts as it is. Colours come
from classes styled in ``console.css`` (the page's CSP allows no inline style), so a
chart also follows the console's high-contrast palette. Every text is escaped here;
callers pass words already translated. Each chart has a ``<title>`` and ``<desc>`` for
screen readers, and the page offers the same figures as a table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 640
PLOT_TOP = 28
PLOT_HEIGHT = 180
LEFT = 44
BOTTOM_LABELS = 30
HEAT_LEVELS = 5

Number = float | int | None
Format = Callable[[float], str]


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number]
    css: str  # class of its bars, e.g. "s-requests"


def _fmt_default(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,g}"


def text_width(content: str) -> float:
    """About how wide ``content`` is at the charts' 12 px: CJK characters are full width."""
    return sum(12.5 if ord(ch) >= 0x2E80 else 7.0 for ch in content)


def axis_top(values: Sequence[Number], top: float | None = None) -> float:
    """The axis's top: given, or four round steps (whole numbers) above the largest value."""
    if top is not None:
        return top
    largest = max((v for v in values if v is not None), default=0)
    return 4 * max(1, nice_ceiling(largest / 4))


def nice_ceiling(value: float) -> float:
    """A round top for an axis: 1, 2, 2.5 or 5 times a power of ten, at least ``value``."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _open(chart_id: str, title: str, desc: str, width: float, height: float) -> str:
    return (
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-d">{escape(desc)}</desc>'
    )


def _text(x: float, y: float, content: str, css: str = "", anchor: str = "middle") -> str:
    klass = f' class="{css}"' if css else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{klass}>{escape(content)}</text>'


def _legend(series: Sequence[Series], y: float) -> str:
    out, x = [], float(LEFT)
    for s in series:
        out.append(
            f'<rect class="{escape(s.css)}" x="{x:.1f}" y="{y - 9}" width="10" height="10"/>'
        )
        out.append(_text(x + 14, y, s.name, "legend", "start"))
        x += 28 + text_width(s.name)
    return "".join(out)


def column_chart(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    fmt: Format = _fmt_default,
    value_fmt: Format | None = None,
    top: float | None = None,
) -> str:
    """Vertical bars, one group per label and one bar per series in each group. ``fmt``
    writes the axis; ``value_fmt`` (default ``fmt``) the values. A zero is a hairline, so
    it differs from no figure at all."""
    value_fmt = value_fmt or fmt
    highest = axis_top([v for s in series for v in s.values], top)
    groups = max(1, len(labels))
    width = max(WIDTH, LEFT + 12 + groups * 22)
    plot_width = width - LEFT - 12
    group_width = plot_width / groups
    bar_width = max(2.0, (group_width - 6) / max(1, len(series)))
    height = PLOT_TOP + PLOT_HEIGHT + BOTTOM_LABELS
    base = PLOT_TOP + PLOT_HEIGHT
    parts = [_open(chart_id, title, desc, width, height), _legend(series, 14)]
    for i in range(5):  # grid lines and their values
        tick = highest * i / 4
        y = base - PLOT_HEIGHT * i / 4
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{width - 12}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(_text(LEFT - 6, y + 4, fmt(tick), "axis", "end"))
    label_every = max(1, math.ceil(34 / group_width))
    show_values = bar_width >= 26
    for g, label in enumerate(labels):
        x0 = LEFT + g * group_width + 3
        for k, s in enumerate(series):
            value = s.values[g] if g < len(s.values) else None
            if value is None:
                continue
            h = max(1.5, PLOT_HEIGHT * min(value, highest) / highest)
            x = x0 + k * bar_width
            parts.append(
                f'<rect class="{escape(s.css)}" x="{x:.1f}" y="{base - h:.1f}" '
                f'width="{bar_width - 1:.1f}" height="{h:.1f}">'
                f"<title>{escape(f'{label} {s.name}: {value_fmt(value)}')}</title></rect>"
            )
            if show_values and value:
                parts.append(_text(x + bar_width / 2, base - h - 3, value_fmt(value), "value"))
        if g % label_every == 0:
            parts.append(_text(x0 + (group_width - 6) / 2, base + 16, label, "axis"))
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    rows: Sequence[tuple[str, Number]],
    *,
    css: str,
    fmt: Format = _fmt_default,
    top: float | None = None,
) -> str:
    """Horizontal bars, one per row, with the row's label on the left and value on the right."""
    highest = axis_top([v for _, v in rows], top)
    label_width = 16 + max((text_width(label) for label, _ in rows), default=40)
    row_height = 24
    height = 12 + row_height * max(1, len(rows))
    plot_width = WIDTH - label_width - 70
    parts = [_open(chart_id, title, desc, WIDTH, height)]
    for i, (label, value) in enumerate(rows):
        y = 8 + i * row_height
        parts.append(_text(label_width - 8, y + 15, label, "axis", "end"))
        if value is None:
            parts.append(_text(label_width + 4, y + 15, "—", "value", "start"))
            continue
        w = plot_width * min(value, highest) / highest
        parts.append(
            f'<rect class="{escape(css)}" x="{label_width}" y="{y + 3}" '
            f'width="{w:.1f}" height="{row_height - 8}">'
            f"<title>{escape(f'{label}: {fmt(value)}')}</title></rect>"
        )
        parts.append(_text(label_width + w + 6, y + 15, fmt(value), "value", "start"))
    parts.append("</svg>")
    return "".join(parts)


def heatmap(
    chart_id: str,
    title: str,
    desc: str,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    values: Sequence[Sequence[float]],
    cell_title: Callable[[int, int], str],
) -> str:
    """A grid of cells shaded by value (``heat-0`` for none … ``heat-5`` for the most)."""
    cell_w, cell_h, left, top = 24, 22, 32, 22
    width = left + cell_w * len(col_labels) + 4
    height = top + cell_h * len(row_labels) + 4
    most = max((v for row in values for v in row), default=0)
    parts = [_open(chart_id, title, desc, width, height)]
    for c, label in enumerate(col_labels):
        if c % 3 == 0:
            parts.append(_text(left + c * cell_w + cell_w / 2, top - 7, label, "axis"))
    for r, label in enumerate(row_labels):
        y = top + r * cell_h
        parts.append(_text(left - 8, y + 15, label, "axis", "end"))
        for c in range(len(col_labels)):
            value = values[r][c]
            level = 0 if value <= 0 or most <= 0 else max(1, math.ceil(HEAT_LEVELS * value / most))
            parts.append(
                f'<rect class="heat-{level}" x="{left + c * cell_w}" y="{y}" '
                f'width="{cell_w - 2}" height="{cell_h - 2}">'
                f"<title>{escape(cell_title(r, c))}</title></rect>"
            )
    parts.append("</svg>")
    return "".join(parts)


def data_table(
    caption: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    open_by_default: bool = False,
) -> str:
    """A chart's figures as a table, folded away unless it is the figure itself."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + f'<th scope="row">{escape(row[0])}</th>'
        + "".join(f"<td>{escape(cell)}</td>" for cell in row[1:])
        + "</tr>"
        for row in rows
    )
    return (
        f"<details{' open' if open_by_default else ''}><summary>{escape(caption)}</summary>"
        f"<table><thead><tr>{head}</tr>"
        f"</thead><tbody>{body}</tbody></table></details>"
    )
