"""Which organisations may take a conversation now: skills and opening hours.

An organisation with no skills takes every kind of conversation, and one with no hours
is open at every hour: with neither set, one NPO takes everything (the simplest
deployment). Hours are wall-clock times in the organisation's time zone (Asia/Tokyo),
with Japan's national holidays from the ``holidays`` package.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays as holiday_calendars

TOKYO = ZoneInfo("Asia/Tokyo")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# How far ahead "when is someone back" looks: long enough for the New Year closure.
NEXT_OPEN_HORIZON_DAYS = 31

Span = tuple[int, int]  # minutes from the day's midnight; end > start, end may pass 1440


@cache
def _japan_holidays() -> holiday_calendars.HolidayBase:
    return holiday_calendars.country_holidays("JP")


def is_japanese_holiday(day: date) -> bool:
    return day in _japan_holidays()


def parse_span(raw: str) -> Span:
    """``"09:00-18:00"``; an end at or before the start runs past midnight (``22:00-06:00``)."""
    start_s, _, end_s = raw.partition("-")
    start, end = _minutes(start_s), _minutes(end_s)
    if start >= 1440:
        raise ValueError(f"a span cannot start at 24:00: {raw!r}")
    if end <= start:
        end += 1440
    return start, end


def _minutes(hhmm: str) -> int:
    hours, _, minutes = hhmm.strip().partition(":")
    value = int(hours) * 60 + int(minutes)
    if not (0 <= int(minutes) < 60 and 0 <= value <= 1440):
        raise ValueError(f"not a time of day: {hhmm!r}")
    return value


@dataclass(frozen=True)
class Hours:
    """A weekly schedule with national holidays, closed dates and special dates."""

    weekly: Mapping[int, tuple[Span, ...]]
    # None: closed on national holidays; "weekly": holidays keep the weekday's hours;
    # a tuple of spans: the hours on a holiday.
    holidays: str | tuple[Span, ...] | None = None
    closed_dates: frozenset[date] = frozenset()
    special_dates: Mapping[date, tuple[Span, ...]] = field(default_factory=dict)
    tz: ZoneInfo = TOKYO

    def spans_on(self, day: date) -> tuple[Span, ...]:
        if day in self.closed_dates:
            return ()
        if day in self.special_dates:
            return self.special_dates[day]
        if self.holidays != "weekly" and is_japanese_holiday(day):
            return () if self.holidays is None else self.holidays  # type: ignore[return-value]
        return self.weekly.get(day.weekday(), ())

    def _intervals(self, first: date, days: int) -> Iterable[tuple[datetime, datetime]]:
        for offset in range(days):
            day = first + timedelta(days=offset)
            midnight = datetime.combine(day, time(0), tzinfo=self.tz)
            for start, end in self.spans_on(day):
                yield midnight + timedelta(minutes=start), midnight + timedelta(minutes=end)

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.tz)
        # Yesterday's spans may run past midnight into today.
        return any(s <= local < e for s, e in self._intervals(local.date() - timedelta(1), 2))

    def next_open(self, at: datetime) -> datetime | None:
        """``at`` itself when open, else the next opening; None if none within a month."""
        local = at.astimezone(self.tz)
        starts = [
            max(s, local)
            for s, e in self._intervals(local.date() - timedelta(1), NEXT_OPEN_HORIZON_DAYS + 1)
            if e > local
        ]
        return min(starts) if starts else None


@dataclass(frozen=True)
class Skills:
    """What an organisation takes; None for a dimension means "any"."""

    categories: frozenset[str] | None = None
    languages: frozenset[str] | None = None
    age_groups: frozenset[str] | None = None

    def accept(self, category: str | None, lang: str | None, age_group: str | None) -> bool:
        # An answer the person did not give never rules an organisation out.
        return all(
            allowed is None or value is None or value in allowed
            for allowed, value in (
                (self.categories, category),
                (self.languages, lang),
                (self.age_groups, age_group),
            )
        )


@dataclass(frozen=True)
class OrgProfile:
    """An organisation's routing profile; the defaults take everything at any hour."""

    id: str
    name: str | None = None
    skills: Skills = Skills()
    hours: Hours | None = None
    max_per_counsellor: int | None = None

    def is_open(self, at: datetime) -> bool:
        return self.hours is None or self.hours.is_open(at)

    def next_open(self, at: datetime) -> datetime | None:
        return at if self.hours is None else self.hours.next_open(at)


@dataclass(frozen=True)
class Route:
    """Where a conversation may go: ``open_orgs`` now, or nobody until ``next_open``."""

    matching: tuple[str, ...]
    open_orgs: tuple[str, ...]
    next_open: datetime | None


def route(
    profiles: Iterable[OrgProfile],
    at: datetime,
    *,
    category: str | None,
    lang: str | None,
    age_group: str | None,
) -> Route:
    matching = [p for p in profiles if p.skills.accept(category, lang, age_group)]
    open_orgs = tuple(p.id for p in matching if p.is_open(at))
    next_times = [t for t in (p.next_open(at) for p in matching) if t is not None]
    return Route(
        matching=tuple(p.id for p in matching),
        open_orgs=open_orgs,
        next_open=min(next_times) if next_times else None,
    )
