"""The statistics page's charts, as HTML with inline SVG, from the figures ``/api/stats``
gives (``HandoffService.stats``), and the labelled demo of the #9999 trial figures.

Per day and per hour of the week come from one ``stats`` call per day of the range
(the API's figures have by-hour buckets but no by-day ones); the range is capped at
``MAX_DAYS`` so a page never reads more than a month of events that way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from html import escape
from typing import Any

import yaml

from bot.i18n import Locales
from bot.paths import flows_dir
from handoff.charts import Series, bar_chart, column_chart, data_table, heatmap
from handoff.model import Counsellor
from handoff.routing import TOKYO
from handoff.service import HandoffService

MAX_DAYS = 31
DEMO_FILE = "data/demo_9999.yaml"
HOURS = [f"{h:02d}" for h in range(24)]


@dataclass(frozen=True)
class Words:
    """The console's words in one locale, with fallbacks for codes without a label."""

    locales: Locales
    code: str

    def __call__(self, key: str, **params: Any) -> str:
        return self.locales.text(self.code, f"console.{key}", params)

    def label(self, group: str, value: str) -> str:
        found = self.locales.lookup(self.code, f"console.{group}.{value}")
        return found if found is not None else value

    def percent(self, value: float | None) -> str:
        return self("stats.none") if value is None else self("stats.percent", value=f"{value:.1f}")

    def duration(self, seconds: float | None) -> str:
        if seconds is None:
            return self("stats.none")
        whole = round(seconds)
        if whole < 60:
            return self("stats.seconds", value=whole)
        return self("stats.minutes_seconds", minutes=whole // 60, seconds=whole % 60)


@dataclass(frozen=True)
class DayFigures:
    day: date
    figures: Mapping[str, Any]


def day_bounds(day: date) -> tuple[float, float]:
    start = datetime.combine(day, time(0), tzinfo=TOKYO)
    return start.timestamp(), (start + timedelta(days=1)).timestamp()


async def figures_by_day(
    service: HandoffService, who: Counsellor, first: date, last: date
) -> tuple[dict[str, Any], list[DayFigures]]:
    """The whole range's figures, and each day's (``last`` included)."""
    days = []
    day = first
    while day <= last:
        start, end = day_bounds(day)
        days.append(DayFigures(day, await service.stats(who, start, end)))
        day += timedelta(days=1)
    total = await service.stats(who, day_bounds(first)[0], day_bounds(last)[1])
    return total, days


def render_live(
    words: Words, total: Mapping[str, Any], days: Sequence[DayFigures], scope: str
) -> str:
    """The figures of a range: a summary, then the charts, each with its table."""
    if not total["requests"] and not total["risk_events"]["alerts"]:
        return (
            f'<p class="scope">{escape(scope)}</p>'
            f'<p class="muted" id="stats-empty">{escape(words("stats.no_data"))}</p>'
        )
    return "".join(
        [
            f'<p class="scope">{escape(scope)}</p>',
            _summary(words, total),
            _per_day(words, days),
            _rate_per_day(words, days),
            _hour_of_week(words, days),
            _waits(words, total),
            _categories(words, total),
            _risk(words, total),
        ]
    )


def _figure(title: str, chart: str, table: str = "") -> str:
    """One chart with its visible title (the SVG's own title is for screen readers)."""
    return (
        f'<figure class="chart-box"><figcaption>{escape(title)}</figcaption>'
        f"{chart}{table}</figure>"
    )


def _percent_axis(value: float) -> str:
    return f"{value:g}%"


def _listed(pairs: Iterable[tuple[str, str]]) -> str:
    return ", ".join(f"{label}: {value}" for label, value in pairs)


def _summary(words: Words, total: Mapping[str, Any]) -> str:
    waits = total["waits"]
    items = [
        ("stats.requests", str(total["requests"])),
        ("stats.connected", str(total["connected"])),
        ("stats.response_rate", words.percent(total["response_rate"])),
        ("stats.waits_median", words.duration(waits["median_seconds"])),
        ("stats.waits_p90", words.duration(waits["p90_seconds"])),
        ("stats.abandoned", str(total["abandoned"])),
        ("stats.no_one_on_duty", str(total["no_one_on_duty"])),
        ("stats.coordinated", str(total["coordinated"])),
    ]
    cells = "".join(
        f"<div><dt>{escape(words(k))}</dt><dd>{escape(v)}</dd></div>" for k, v in items
    )
    return f'<dl class="figures" id="stats-summary">{cells}</dl>'


def _day_label(day: date) -> str:
    return f"{day.month}/{day.day}"


def _per_day(words: Words, days: Sequence[DayFigures]) -> str:
    labels = [_day_label(d.day) for d in days]
    requests = [d.figures["requests"] for d in days]
    connected = [d.figures["connected"] for d in days]
    title = words("stats.per_day")
    desc = _listed(
        (lab, f"{r} / {c}") for lab, r, c in zip(labels, requests, connected, strict=True)
    )
    chart = column_chart(
        "chart-per-day",
        title,
        desc,
        labels,
        [
            Series(words("stats.requests"), requests, "s-requests"),
            Series(words("stats.connected"), connected, "s-connected"),
        ],
    )
    table = data_table(
        words("stats.as_table"),
        [
            words("stats.day"),
            words("stats.requests"),
            words("stats.connected"),
            words("stats.response_rate"),
        ],
        [
            [
                _day_label(d.day),
                str(d.figures["requests"]),
                str(d.figures["connected"]),
                words.percent(d.figures["response_rate"]),
            ]
            for d in days
        ],
    )
    return _figure(title, chart, table)


def _rate_per_day(words: Words, days: Sequence[DayFigures]) -> str:
    labels = [_day_label(d.day) for d in days]
    rates = [d.figures["response_rate"] for d in days]
    title = words("stats.rate_per_day")
    desc = _listed((lab, words.percent(r)) for lab, r in zip(labels, rates, strict=True))
    chart = column_chart(
        "chart-rate",
        title,
        desc,
        labels,
        [Series(words("stats.response_rate"), rates, "s-rate")],
        fmt=_percent_axis,
        value_fmt=words.percent,
        top=100,
    )
    return _figure(title, chart)


def _hour_of_week(words: Words, days: Sequence[DayFigures]) -> str:
    """Requests per weekday and hour over the range (Monday first, hours in Tokyo)."""
    requests = [[0.0] * 24 for _ in range(7)]
    connected = [[0.0] * 24 for _ in range(7)]
    for d in days:
        weekday = d.day.weekday()
        for hour, bucket in d.figures["by_hour"].items():
            requests[weekday][int(hour)] += bucket["requests"]
            connected[weekday][int(hour)] += bucket["connected"]
    weekdays = [words(f"stats.weekday.{i}") for i in range(7)]

    def cell_title(row: int, col: int) -> str:
        asked = requests[row][col]
        rate = round(100 * connected[row][col] / asked, 1) if asked else None
        return words(
            "stats.heatmap_cell",
            day=weekdays[row],
            hour=col,
            requests=int(asked),
            rate=words.percent(rate),
        )

    cells = [(requests[r][c], r, c) for r in range(7) for c in range(24)]
    busiest = sorted(cells, key=lambda cell: -cell[0])[:3]
    desc = ", ".join(cell_title(r, c) for value, r, c in busiest if value)
    title = words("stats.heatmap")
    return _figure(
        title, heatmap("chart-heatmap", title, desc, weekdays, HOURS, requests, cell_title)
    )


def _waits(words: Words, total: Mapping[str, Any]) -> str:
    waits = total["waits"]
    rows = [
        (words("stats.waits_median"), waits["median_seconds"]),
        (words("stats.waits_p90"), waits["p90_seconds"]),
    ]
    title = words("stats.waits")
    desc = _listed((lab, words.duration(v)) for lab, v in rows)
    return _figure(
        title, bar_chart("chart-waits", title, desc, rows, css="s-wait", fmt=words.duration)
    )


def _categories(words: Words, total: Mapping[str, Any]) -> str:
    ordered = sorted(total["by_category"].items(), key=lambda kv: (-kv[1]["requests"], kv[0]))
    rows = [(words.label("category", name), b["requests"]) for name, b in ordered]
    title = words("stats.categories")
    desc = _listed((lab, str(v)) for lab, v in rows)
    table = data_table(
        words("stats.as_table"),
        [
            words("queue.col.category"),
            words("stats.requests"),
            words("stats.connected"),
            words("stats.response_rate"),
        ],
        [
            [
                words.label("category", name),
                str(b["requests"]),
                str(b["connected"]),
                words.percent(b["response_rate"]),
            ]
            for name, b in ordered
        ],
    )
    return _figure(
        title, bar_chart("chart-categories", title, desc, rows, css="s-requests"), table
    )


def _risk(words: Words, total: Mapping[str, Any]) -> str:
    alerts = total["risk_events"]["alerts"]
    rows: list[tuple[str, float | int | None]] = [
        (words("stats.alerts_level", level=words.label("risk", level)), alerts.get(level, 0))
        for level in ("high", "medium")
    ]
    rows.append(
        (words("stats.raised_while_waiting"), total["risk_events"]["raised_while_waiting"])
    )
    rows.append((words("stats.escalations"), sum(total["escalations"].values())))
    title = words("stats.risk_events")
    desc = _listed((lab, str(v)) for lab, v in rows)
    return _figure(title, bar_chart("chart-risk", title, desc, rows, css="s-risk")) + (
        _detected_against_recorded(words, total["records"]["by_detected_risk"])
    )


def _detected_against_recorded(words: Words, by_level: Mapping[str, Mapping[str, int]]) -> str:
    """The detector's level against the counsellor's record, for closed conversations."""
    levels = [level for level in ("high", "medium", "low", "none") if level in by_level]
    if not levels:
        return ""
    columns = ("closed", "emergency", "caution", "normal", "with_risk_flags")
    table = data_table(
        words("stats.detected.caption"),
        [words("stats.detected.level"), *(words(f"stats.detected.{c}") for c in columns)],
        [
            [words.label("risk", level), *(str(by_level[level].get(c, 0)) for c in columns)]
            for level in levels
        ],
        open_by_default=True,
    )
    note = f'<p class="muted">{escape(words("stats.detected.note"))}</p>'
    return (
        f'<figure class="chart-box" id="stats-detected"><figcaption>'
        f"{escape(words('stats.detected.title'))}</figcaption>{table}{note}</figure>"
    )


# --- the demo: #9999 trial figures -------------------------------------------------------


@cache
def demo_figures() -> dict[str, Any]:
    path = flows_dir() / DEMO_FILE
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


def _period_label(words: Words, period: Mapping[str, Any]) -> str:
    start, end = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
    name = words(f"stats.demo.period.{period['id']}")
    if start == end:
        return words("stats.demo.period_label_day", name=name, day=f"{start:%Y/%m/%d}")
    return words(
        "stats.demo.period_label", name=name, start=f"{start:%Y/%m/%d}", end=f"{end:%Y/%m/%d}"
    )


def render_demo(words: Words) -> str:
    """The #9999 trial figures as charts, under a banner that says they are a demo."""
    data = demo_figures()
    periods = data["periods"]
    names = [words(f"stats.demo.period.{p['id']}") for p in periods]
    requests = [p["requests"] for p in periods]
    connected = [p["connected"] for p in periods]
    rates = [p["response_rate"] for p in periods]
    serious = [p["serious"] for p in periods]
    banner = (
        f'<p class="demo-banner" id="demo-banner" role="note"><strong>'
        f"{escape(words('stats.demo.banner'))}</strong> "
        f"{escape(words('stats.demo.source', source=data['source']))}</p>"
    )
    title = words("stats.demo.periods")
    periods_chart = _figure(
        title,
        column_chart(
            "demo-periods",
            title,
            _listed(
                (n, f"{r:,} / {c:,}") for n, r, c in zip(names, requests, connected, strict=True)
            ),
            names,
            [
                Series(words("stats.requests"), requests, "s-requests"),
                Series(words("stats.connected"), connected, "s-connected"),
            ],
        ),
        data_table(
            words("stats.as_table"),
            [
                words("stats.demo.period_col"),
                words("stats.requests"),
                words("stats.connected"),
                words("stats.response_rate"),
                words("stats.demo.serious"),
            ],
            [
                [
                    _period_label(words, p),
                    f"{p['requests']:,}",
                    f"{p['connected']:,}",
                    words.percent(p["response_rate"]),
                    str(p["serious"]),
                ]
                for p in periods
            ],
        ),
    )
    title = words("stats.demo.rates")
    rates_chart = _figure(
        title,
        column_chart(
            "demo-rates",
            title,
            _listed((n, words.percent(r)) for n, r in zip(names, rates, strict=True)),
            names,
            [Series(words("stats.response_rate"), rates, "s-rate")],
            fmt=_percent_axis,
            value_fmt=words.percent,
            top=100,
        ),
    )
    title = words("stats.demo.serious")
    serious_chart = _figure(
        title,
        column_chart(
            "demo-serious",
            title,
            _listed((n, str(v)) for n, v in zip(names, serious, strict=True)),
            names,
            [Series(title, serious, "s-risk")],
        ),
    )
    parts = [banner, periods_chart, rates_chart, serious_chart]
    for period, name in zip(periods, names, strict=True):
        rows = [
            (words(f"stats.demo.line.{k}"), v) for k, v in (period.get("line_rates") or {}).items()
        ]
        if rows:
            title = words("stats.demo.line_rates", period=name)
            parts.append(
                _figure(
                    title,
                    bar_chart(
                        f"demo-lines-{period['id']}",
                        title,
                        _listed((lab, words.percent(v)) for lab, v in rows),
                        rows,
                        css="s-rate",
                        fmt=words.percent,
                        top=100,
                    ),
                )
            )
    return "".join(parts)
