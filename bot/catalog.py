"""The support catalogue: national windows and systems as data, with opening hours.

Entries live in ``flows/catalog/*.yaml`` (one file per theme) and are checked in two
stages, as every data file here is: JSON Schema for shape
(``flows/schema/catalog.schema.json``), then the rules a schema cannot say (unique ids
across files, phone number formats, real calendar dates, sane time ranges, references
to datasets and parent entries). Every problem is reported as ``file:line: message``
and loading refuses the catalogue while any remain: a wrong phone number on a crisis
line is the worst bug this project can ship.

Opening hours are data, not prose. ``Hours.is_open`` answers for a moment in
Asia/Tokyo and says ``None`` whenever the data cannot know (hours that vary by area or
municipality, periodic lines such as #9999, unconfirmed hours, a national holiday
whose rule is unknown). ``Hours.describe`` returns locale keys with parameters
(``bot.messages.Say``); the words live in ``locales/<lang>/catalog.yaml``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from bot.categories import CATEGORY_IDS
from bot.messages import Say
from bot.paths import flows_dir
from bot.yamldata import DataError, SourcedData, load_yaml, schema_problems

TOKYO = ZoneInfo("Asia/Tokyo")


WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOLIDAY = "holiday"

# Japanese national holidays, including substitute holidays and 国民の休日, computed by
# the `holidays` package's rules for any year (year-end days 12/29–1/3 are not national
# holidays: windows list them as closed dates themselves).
_JP_HOLIDAYS = holidays.country_holidays("JP")

# Three-digit service numbers that exist and that an entry may list.
_SERVICE_NUMBERS = frozenset({"110", "119", "188", "189"})
_SHORT_CODE = re.compile(r"^#\d{4}$")
_DIALLED = re.compile(r"^0\d{1,4}(-\d{1,6}){1,3}$")
# Lengths of Japanese numbers by prefix: 11 digits for IP (050), mobile (070/080/090)
# and 0800 free dial; 10 for everything else (0120, 0570 and geographic numbers).
_ELEVEN_DIGIT_PREFIXES = ("050", "070", "080", "090", "0800")
_LINE_ID = re.compile(r"^@[0-9a-z._-]+$")
_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


def default_catalog_dir() -> Path:
    return flows_dir() / "catalog"


def default_schema_path() -> Path:
    return flows_dir() / "schema" / "catalog.schema.json"


class CatalogError(DataError):
    """The catalogue has problems; ``problems`` lists each as ``file:line: message``."""


# --- opening hours ----------------------------------------------------------------------


@dataclass(frozen=True)
class TimeRange:
    """Minutes after midnight of the day the range starts; ``end`` may pass 24:00
    (a range from 20:00 to 翌2:30 is ``20:00-26:30``)."""

    start: int
    end: int

    def covers(self, minute: int) -> bool:
        return self.start <= minute < self.end


@dataclass(frozen=True)
class Rule:
    """Ranges that apply on matching days: weekdays (optionally only their nth
    occurrence in the month, e.g. 第1・第3月曜), national holidays, or days of the month."""

    ranges: tuple[TimeRange, ...]
    days: tuple[str, ...] = ()
    weeks: tuple[int, ...] = ()
    month_days: tuple[int, ...] = ()

    def applies(self, day: dt.date, *, holiday: bool) -> bool:
        if day.day in self.month_days:
            return True
        if holiday:
            return HOLIDAY in self.days
        if WEEKDAYS[day.weekday()] not in self.days:
            return False
        return not self.weeks or (day.day - 1) // 7 + 1 in self.weeks


@dataclass(frozen=True)
class DateSpan:
    """A yearly span of calendar days, e.g. 12/29–1/3 (it may wrap over New Year)."""

    start: tuple[int, int]
    end: tuple[int, int]

    def contains(self, day: dt.date) -> bool:
        md = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= md <= self.end
        return md >= self.start or md <= self.end


class HoursKind(StrEnum):
    ALWAYS = "always"  # 24 hours, 365 days
    WEEKLY = "weekly"  # a weekly schedule with exceptions
    VARIES_BY_AREA = "varies_by_area"  # routed to a prefecture's line (統一ダイヤル, #8000)
    LOCAL = "local"  # depends on the municipality's own window
    PERIODIC = "periodic"  # runs only in announced periods (#9999)
    UNCONFIRMED = "unconfirmed"  # no current source for the hours
    NOT_APPLICABLE = "not_applicable"  # a system (benefit, allowance) with no hours


_NOT_FOR_CRISIS = frozenset({HoursKind.LOCAL, HoursKind.PERIODIC, HoursKind.NOT_APPLICABLE})


class HolidayRule(StrEnum):
    CLOSED = "closed"  # closed on national holidays
    AS_USUAL = "as_usual"  # the weekday's schedule applies
    OWN = "own"  # rules with `holiday` in their days apply instead
    UNKNOWN = "unknown"  # no source says: is_open answers None on holidays


@dataclass(frozen=True)
class Hours:
    kind: HoursKind
    rules: tuple[Rule, ...] = ()
    holidays: HolidayRule = HolidayRule.UNKNOWN
    closed: tuple[DateSpan, ...] = ()
    maybe_closed: tuple[DateSpan, ...] = ()
    note: str = ""

    def is_open(self, at: dt.datetime) -> bool | None:
        """Whether the window takes contact at ``at`` (an aware datetime), or None when
        the data cannot say."""
        if at.tzinfo is None:
            raise ValueError("is_open needs an aware datetime")
        if self.kind is HoursKind.ALWAYS:
            return True
        if self.kind is not HoursKind.WEEKLY:
            return None
        local = at.astimezone(TOKYO)
        minute = local.hour * 60 + local.minute
        unknown = False
        # A range that started yesterday may still be running (20:00–翌2:30).
        for day, offset in ((local.date(), 0), (local.date() - dt.timedelta(days=1), 1440)):
            ranges = self._ranges_on(day)
            if ranges is None:
                unknown = unknown or offset == 0 or self._may_run_past_midnight()
                continue
            if any(r.covers(minute + offset) for r in ranges):
                return True
        return None if unknown else False

    def is_always(self) -> bool:
        return self.kind is HoursKind.ALWAYS

    def _may_run_past_midnight(self) -> bool:
        return any(r.end > 1440 for rule in self.rules for r in rule.ranges)

    def _ranges_on(self, day: dt.date) -> list[TimeRange] | None:
        """The ranges starting on ``day``; None when unknown."""
        if any(span.contains(day) for span in self.closed):
            return []
        if any(span.contains(day) for span in self.maybe_closed):
            return None
        holiday = day in _JP_HOLIDAYS
        if holiday and self.holidays is HolidayRule.CLOSED:
            return []
        if holiday and self.holidays is HolidayRule.UNKNOWN:
            return None
        as_holiday = holiday and self.holidays is HolidayRule.OWN
        return [
            r for rule in self.rules if rule.applies(day, holiday=as_holiday) for r in rule.ranges
        ]

    def describe(self) -> tuple[Say, ...]:
        """The hours as locale keys with parameters, one ``Say`` per sentence.

        Parameters may themselves be a ``Say`` or a tuple of ``Say`` (joined with
        ``catalog.list_separator``): a renderer resolves them before formatting.
        """
        if self.kind is HoursKind.NOT_APPLICABLE:
            return self._with_note(())
        if self.kind is not HoursKind.WEEKLY:
            return self._with_note((Say(f"catalog.hours.{self.kind.value}"),))
        parts: list[Say] = [_describe_rule(rule) for rule in self.rules]
        if self.holidays is HolidayRule.CLOSED:
            parts.append(Say("catalog.hours.holidays_closed"))
        elif self.holidays is HolidayRule.UNKNOWN:
            parts.append(Say("catalog.hours.holidays_unknown"))
        if self.closed:
            parts.append(
                Say(
                    "catalog.hours.closed_dates",
                    {"dates": tuple(_describe_span(s) for s in self.closed)},
                )
            )
        if self.maybe_closed:
            parts.append(
                Say(
                    "catalog.hours.maybe_closed",
                    {"dates": tuple(_describe_span(s) for s in self.maybe_closed)},
                )
            )
        return self._with_note(tuple(parts))

    def _with_note(self, parts: tuple[Say, ...]) -> tuple[Say, ...]:
        return (*parts, Say("catalog.hours.note", {"text": self.note})) if self.note else parts


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def _describe_time(minutes: int) -> Say | str:
    if minutes > 1440:
        return Say("catalog.hours.next_day", {"time": _clock(minutes - 1440)})
    return _clock(minutes)


def _describe_days(days: Sequence[str]) -> tuple[Say, ...]:
    weekdays = [d for d in WEEKDAYS if d in days]
    out: list[Say] = []
    if len(weekdays) == 7:
        out.append(Say("catalog.hours.days.daily"))
    elif weekdays == ["mon", "tue", "wed", "thu", "fri"]:
        out.append(Say("catalog.hours.days.mon_fri"))
    elif weekdays:
        # Runs of three or more consecutive days read better as a span (火〜土曜日).
        idx = [WEEKDAYS.index(d) for d in weekdays]
        runs: list[list[int]] = []
        for i in idx:
            if runs and i == runs[-1][-1] + 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        for run in runs:
            if len(run) >= 3:
                out.append(
                    Say(
                        "catalog.hours.day_span",
                        {
                            "first": Say(f"catalog.hours.weekday.{WEEKDAYS[run[0]]}"),
                            "last": Say(f"catalog.hours.weekday.{WEEKDAYS[run[-1]]}"),
                        },
                    )
                )
            else:
                out.extend(Say(f"catalog.hours.weekday.{WEEKDAYS[i]}") for i in run)
    if HOLIDAY in days:
        out.append(Say("catalog.hours.weekday.holiday"))
    return tuple(out)


def _describe_rule(rule: Rule) -> Say:
    ranges = tuple(
        Say(
            "catalog.hours.range", {"start": _describe_time(r.start), "end": _describe_time(r.end)}
        )
        for r in rule.ranges
    )
    if rule.month_days:
        when: tuple[Say, ...] = tuple(
            Say("catalog.hours.month_day", {"day": d}) for d in rule.month_days
        )
    elif rule.weeks:
        when = tuple(
            Say(
                "catalog.hours.nth_weekday",
                {"weeks": tuple(Say(f"catalog.hours.nth.{n}") for n in rule.weeks), "day": day},
            )
            for day in _describe_days(rule.days)
        )
    else:
        when = _describe_days(rule.days)
    return Say("catalog.hours.rule", {"days": when, "ranges": ranges})


def _describe_span(span: DateSpan) -> Say:
    start = Say("catalog.hours.date", {"month": span.start[0], "day": span.start[1]})
    if span.start == span.end:
        return start
    end = Say("catalog.hours.date", {"month": span.end[0], "day": span.end[1]})
    return Say("catalog.hours.date_span", {"first": start, "last": end})


# --- entries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    kind: str  # phone | url | line | chat | mail | local
    value: str
    label: str = ""

    @property
    def href(self) -> str | None:
        """A link a person can tap: tel: for phones (tap-to-call), the LINE add-friend
        URL for a LINE id, the URL itself for web, chat and mail forms."""
        if self.kind == "phone":
            return "tel:" + self.value.replace("-", "").replace("#", "%23")
        if self.kind == "line":
            return (
                self.value
                if self.value.startswith("https://")
                else ("https://line.me/R/ti/p/" + self.value.replace("@", "%40"))
            )
        if self.kind in ("url", "chat", "mail"):
            return self.value
        return None


@dataclass(frozen=True)
class Audience:
    gender: str  # any | female | male
    languages: tuple[str, ...]
    age_min: int | None = None
    age_max: int | None = None
    for_children: bool = False
    description: str = ""  # 対象者, as the result sheet prints it


@dataclass(frozen=True)
class DerivedFrom:
    dataset: str
    url: str  # the dataset row's 詳細参照先 (may be empty when the row had none)
    row_line: int
    credit: str


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str  # window | system
    status: str  # active | unconfirmed
    name: str
    provider: str
    summary: str  # what it helps with, one gentle sentence
    offers: str  # 結果: what it offers
    apply_at: str  # 申請先・相談先
    audience: Audience
    categories: tuple[str, ...]
    contacts: tuple[Contact, ...]
    hours: Hours
    cost: str  # free | call_charge | charged | varies
    verified_at: dt.date
    source_url: str
    source_date: dt.date | None
    derived_from: DerivedFrom | None
    crisis: bool
    emergency: bool
    part_of: str | None
    search_hint: str
    notes: str
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def for_children(self) -> bool:
        return self.audience.for_children or (
            self.audience.age_max is not None and self.audience.age_max <= 18
        )

    def phones(self) -> list[Contact]:
        return [c for c in self.contacts if c.kind == "phone"]

    def is_open(self, at: dt.datetime) -> bool | None:
        return self.hours.is_open(at)


class Availability(IntEnum):
    """How to order windows for a moment: open now first, unknown next, closed last."""

    OPEN = 0
    UNKNOWN = 1
    CLOSED = 2


def availability(entry: Entry, at: dt.datetime) -> Availability:
    state = entry.hours.is_open(at)
    if state is None:
        return Availability.UNKNOWN
    return Availability.OPEN if state else Availability.CLOSED


def order_by_availability(entries: Iterable[Entry], at: dt.datetime) -> list[Entry]:
    """Open-now windows first (24-hour ones before the rest, which is what matters late
    at night), then those whose hours are unknown, then closed ones; stable otherwise."""
    return sorted(entries, key=lambda e: (availability(e, at), not e.hours.is_always()))


# --- loading ----------------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, doc: SourcedData, path: Sequence[str | int], message: str) -> None:
        self.items.append(f"{doc.where(path)}: {message}")


def phone_problem(value: str) -> str | None:
    """Why ``value`` is not a well-formed Japanese number to publish, or None."""
    if value in _SERVICE_NUMBERS or _SHORT_CODE.match(value):
        return None
    if value.isdigit() and len(value) == 3:
        return f"phone {value!r} is not a known three-digit service number"
    if not _DIALLED.match(value):
        return (
            f"phone {value!r} must be digits in hyphenated groups starting with 0 "
            "(e.g. 0120-279-338), a #code (#8008) or a three-digit service number"
        )
    digits = value.replace("-", "")
    expected = 11 if digits.startswith(_ELEVEN_DIGIT_PREFIXES) else 10
    if len(digits) != expected:
        return f"phone {value!r} has {len(digits)} digits; numbers like it have {expected}"
    return None


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _parse_span(text: str) -> DateSpan | None:
    parts = text.split("/")
    days: list[tuple[int, int]] = []
    for part in parts:
        match = _MONTH_DAY.match(part)
        if not match:
            return None
        month, day = int(match[1]), int(match[2])
        try:
            dt.date(2024, month, day)  # a leap year, so 02-29 is a real day
        except ValueError:
            return None
        days.append((month, day))
    return DateSpan(days[0], days[-1])


class _EntryBuilder:
    """Turns one schema-valid entry mapping into an ``Entry``, noting every problem."""

    def __init__(
        self,
        doc: SourcedData,
        problems: _Problems,
        today: dt.date,
        datasets: Mapping[str, Mapping[str, Any]],
    ) -> None:
        self.doc = doc
        self.problems = problems
        self.today = today
        self.datasets = datasets

    def problem(self, path: Sequence[str | int], message: str) -> None:
        self.problems.add(self.doc, path, message)

    def build(self, raw: Mapping[str, Any], path: list[str | int]) -> Entry | None:
        before = len(self.problems.items)
        contacts = tuple(
            self._contact(c, [*path, "contact", i]) for i, c in enumerate(raw["contact"])
        )
        hours = self._hours(raw["hours"], [*path, "hours"])
        verified_at = self._date(raw["verified_at"], [*path, "verified_at"])
        source_date = (
            self._date(raw["source_date"], [*path, "source_date"])
            if "source_date" in raw
            else None
        )
        if verified_at and source_date and source_date > verified_at:
            self.problem(
                [*path, "source_date"],
                "source_date is after verified_at: a source cannot be checked "
                "before it was published",
            )
        derived = self._derived(raw.get("derived_from"), [*path, "derived_from"])
        # A crisis line must be reachable directly, by a national contact, at hours that
        # do not depend on the municipality or on an announced period.
        if raw.get("crisis") and (
            hours.kind in _NOT_FOR_CRISIS
            or not any(c.kind in ("phone", "chat", "line") for c in contacts)
        ):
            self.problem(
                [*path, "crisis"],
                "a crisis entry needs a phone, chat or LINE "
                "contact and hours that are not local, periodic or not_applicable",
            )
        if len(self.problems.items) != before:
            return None
        aud = raw["audience"]
        if (
            aud.get("age_min") is not None
            and aud.get("age_max") is not None
            and aud["age_min"] > aud["age_max"]
        ):
            self.problem([*path, "audience"], "age_min is greater than age_max")
            return None
        assert verified_at is not None
        return Entry(
            id=raw["id"],
            kind=raw["kind"],
            status=raw["status"],
            name=raw["name"],
            provider=raw["provider"],
            summary=raw["summary"],
            offers=raw["offers"],
            apply_at=raw["apply_at"],
            audience=Audience(
                gender=aud["gender"],
                languages=tuple(aud["languages"]),
                age_min=aud.get("age_min"),
                age_max=aud.get("age_max"),
                for_children=bool(aud.get("for_children", False)),
                description=aud.get("description", ""),
            ),
            categories=tuple(raw["categories"]),
            contacts=contacts,
            hours=hours,
            cost=raw["cost"],
            verified_at=verified_at,
            source_url=raw["source_url"],
            source_date=source_date,
            derived_from=derived,
            crisis=bool(raw.get("crisis", False)),
            emergency=bool(raw.get("emergency", False)),
            part_of=raw.get("part_of"),
            search_hint=raw.get("search_hint", ""),
            notes=raw.get("notes", ""),
            file=str(self.doc.path),
            line=self.doc.line(path),
        )

    def _date(self, text: str, path: list[str | int]) -> dt.date | None:
        day = _parse_date(text)
        if day is None:
            self.problem(path, f"{text!r} is not a real date (YYYY-MM-DD)")
        elif day > self.today:
            self.problem(path, f"{text} is in the future")
        return day

    def _contact(self, raw: Mapping[str, Any], path: list[str | int]) -> Contact:
        kind, value = raw["kind"], raw["value"]
        if kind == "phone":
            why = phone_problem(value)
            if why:
                self.problem([*path, "value"], why)
        elif kind == "line" and not (_LINE_ID.match(value) or value.startswith("https://")):
            self.problem([*path, "value"], f"LINE contact {value!r} must be an @id or a URL")
        elif kind in ("url", "chat", "mail") and not value.startswith("https://"):
            self.problem([*path, "value"], f"{kind} contact {value!r} must be an https URL")
        return Contact(kind=kind, value=value, label=raw.get("label", ""))

    def _hours(self, raw: Mapping[str, Any], path: list[str | int]) -> Hours:
        kind = HoursKind(raw["kind"])
        rules: list[Rule] = []
        for i, rule in enumerate(raw.get("rules", [])):
            ranges = []
            for j, text in enumerate(rule["ranges"]):
                parsed = self._range(text, [*path, "rules", i, "ranges", j])
                if parsed:
                    ranges.append(parsed)
            rules.append(
                Rule(
                    ranges=tuple(ranges),
                    days=tuple(rule.get("days", ())),
                    weeks=tuple(rule.get("weeks", ())),
                    month_days=tuple(rule.get("month_days", ())),
                )
            )
        holiday_rule = HolidayRule(raw.get("holidays", "unknown"))
        has_holiday_rule = any(HOLIDAY in r.days for r in rules)
        if holiday_rule is HolidayRule.OWN and not has_holiday_rule:
            self.problem(
                [*path, "holidays"], "holidays: own needs a rule whose days include holiday"
            )
        if has_holiday_rule and holiday_rule is not HolidayRule.OWN:
            self.problem([*path, "holidays"], "a rule lists holiday: set holidays: own")
        spans: dict[str, list[DateSpan]] = {}
        for field in ("closed", "maybe_closed"):
            spans[field] = []
            for i, text in enumerate(raw.get(field, [])):
                span = _parse_span(text)
                if span is None:
                    self.problem(
                        [*path, field, i], f"{text!r} is not a real MM-DD or MM-DD/MM-DD span"
                    )
                else:
                    spans[field].append(span)
        return Hours(
            kind=kind,
            rules=tuple(rules),
            holidays=holiday_rule,
            closed=tuple(spans["closed"]),
            maybe_closed=tuple(spans["maybe_closed"]),
            note=raw.get("note", ""),
        )

    def _range(self, text: str, path: list[str | int]) -> TimeRange | None:
        match = _RANGE.match(text)
        if not match:
            self.problem(path, f"{text!r} is not HH:MM-HH:MM")
            return None
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if h1 > 23 or m1 > 59 or m2 > 59:
            self.problem(path, f"{text!r}: a range starts at 00:00–23:59")
            return None
        if end <= start:
            self.problem(
                path,
                f"{text!r}: the end must come after the start (write a range "
                "past midnight as 20:00-26:30)",
            )
            return None
        if end - start > 1440:
            self.problem(path, f"{text!r} is longer than 24 hours")
            return None
        return TimeRange(start, end)

    def _derived(self, raw: Mapping[str, Any] | None, path: list[str | int]) -> DerivedFrom | None:
        if raw is None:
            return None
        dataset = self.datasets.get(raw["dataset"])
        if dataset is None:
            self.problem([*path, "dataset"], f"unknown dataset {raw['dataset']!r}")
            return None
        return DerivedFrom(
            dataset=raw["dataset"],
            url=raw.get("url", ""),
            row_line=raw["row_line"],
            credit=dataset["credit"],
        )


def _read_files(directory: Path, schema_path: Path, problems: _Problems) -> list[SourcedData]:
    """Stage one: every file parsed and valid against the schema (or its problems noted)."""
    docs: list[SourcedData] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            doc = load_yaml(path)
        except DataError as exc:
            problems.items.extend(exc.problems)
            continue
        found = schema_problems(doc, schema_path)
        if found:
            problems.items.extend(found)
        else:
            docs.append(doc)
    if not docs and not problems.items:
        problems.items.append(f"{directory}: no catalogue files (*.yaml)")
    return docs


def _collect_datasets(
    docs: list[SourcedData], problems: _Problems
) -> dict[str, Mapping[str, Any]]:
    datasets: dict[str, Mapping[str, Any]] = {}
    for doc in docs:
        for name, meta in (doc.data.get("datasets") or {}).items():
            if name in datasets:
                problems.add(doc, ["datasets", name], f"dataset {name!r} defined twice")
            datasets[name] = meta
    return datasets


def _build_entries(
    docs: list[SourcedData],
    problems: _Problems,
    today: dt.date,
    datasets: Mapping[str, Mapping[str, Any]],
) -> list[Entry]:
    """Stage two: the rules a schema cannot say, across every file."""
    entries: list[Entry] = []
    first_seen: dict[str, str] = {}
    for doc in docs:
        builder = _EntryBuilder(doc, problems, today, datasets)
        for i, raw in enumerate(doc.data.get("entries") or []):
            at: list[str | int] = ["entries", i]
            if raw["id"] in first_seen:
                problems.add(
                    doc,
                    [*at, "id"],
                    f"duplicate id {raw['id']!r} (first at {first_seen[raw['id']]})",
                )
                continue
            first_seen[raw["id"]] = doc.where([*at, "id"])
            entry = builder.build(raw, at)
            if entry is not None:
                entries.append(entry)
    ids = {e.id for e in entries}
    for entry in entries:
        if entry.part_of is not None and entry.part_of not in ids:
            problems.items.append(f"{entry.where}: part_of {entry.part_of!r} is not an entry id")
    return entries


@dataclass(frozen=True)
class Catalog:
    entries: tuple[Entry, ...]
    datasets: Mapping[str, Mapping[str, Any]]

    @classmethod
    def load(
        cls,
        directory: Path | None = None,
        *,
        schema_path: Path | None = None,
        today: dt.date | None = None,
    ) -> Catalog:
        """Load every ``*.yaml`` under ``directory``; raise ``CatalogError`` listing every
        problem as ``file:line: message`` if there is any."""
        directory = directory or default_catalog_dir()
        today = today or dt.datetime.now(TOKYO).date()
        problems = _Problems()
        docs = _read_files(directory, schema_path or default_schema_path(), problems)
        datasets = _collect_datasets(docs, problems)
        entries = _build_entries(docs, problems, today, datasets)
        if problems.items:
            raise CatalogError(problems.items)
        return cls(tuple(entries), datasets)

    # --- queries -------------------------------------------------------------------------

    def get(self, entry_id: str) -> Entry:
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise KeyError(entry_id)

    def in_category(self, category: str) -> list[Entry]:
        return [e for e in self.entries if category in e.categories]

    def crisis_entries(self) -> list[Entry]:
        return [e for e in self.entries if e.crisis or e.emergency]

    def per_category(self) -> dict[str, int]:
        counts = Counter(c for e in self.entries for c in e.categories)
        return {c: counts.get(c, 0) for c in CATEGORY_IDS}

    def stale(self, today: dt.date) -> list[Entry]:
        """Entries whose verified_at is more than a year before ``today``."""
        try:
            year_ago = today.replace(year=today.year - 1)
        except ValueError:  # 29 February
            year_ago = today.replace(year=today.year - 1, day=28)
        return [e for e in self.entries if e.verified_at < year_ago]

    def check(self, today: dt.date) -> list[str]:
        """The stale-entry report, one ``file:line: message`` per entry to re-check."""
        return [
            f"{e.where}: {e.id}: verified_at {e.verified_at.isoformat()} is "
            f"{(today - e.verified_at).days} days old: re-check {e.source_url}"
            for e in self.stale(today)
        ]


# --- `tsunagari catalog check` ----------------------------------------------------------


def check_main(argv: list[str]) -> int:
    """Validate the catalogue and print a summary: entries per category, unconfirmed and
    stale entries, errors. Exit status 1 when the catalogue has errors."""
    parser = argparse.ArgumentParser(prog="tsunagari catalog check")
    parser.add_argument("--dir", type=Path, default=None, help="catalogue folder")
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        default=None,
        help="the date to measure staleness from (YYYY-MM-DD)",
    )
    args = parser.parse_args(argv)
    today = args.today or dt.datetime.now(TOKYO).date()
    here = f"{Path.cwd()}/"

    def emit(line: str) -> None:
        # Paths relative to where the command runs read better and stay clickable.
        sys.stdout.write(line.replace(here, ""))

    try:
        catalog = Catalog.load(args.dir, today=today)
    except CatalogError as exc:
        emit(f"catalogue errors: {len(exc.problems)}\n")
        for problem in exc.problems:
            emit(f"  {problem}\n")
        return 1
    entries = catalog.entries
    emit(
        f"catalogue: {len(entries)} entries "
        f"({sum(e.kind == 'window' for e in entries)} windows, "
        f"{sum(e.kind == 'system' for e in entries)} systems)\n"
    )
    emit("entries per category:\n")
    for category, count in catalog.per_category().items():
        emit(f"  {category:<17} {count:>4}\n")
    hours_kinds = Counter(e.hours.kind.value for e in entries)
    emit("hours: " + ", ".join(f"{k} {n}" for k, n in sorted(hours_kinds.items())) + "\n")
    unconfirmed = [
        e for e in entries if e.status == "unconfirmed" or e.hours.kind is HoursKind.UNCONFIRMED
    ]
    emit(f"unconfirmed (status or hours): {len(unconfirmed)}\n")
    for entry in unconfirmed:
        emit(f"  {entry.where}: {entry.id}\n")
    stale = catalog.check(today)
    emit(f"stale (verified more than a year before {today.isoformat()}): {len(stale)}\n")
    for line in stale:
        emit(f"  {line}\n")
    by_source: defaultdict[str, int] = defaultdict(int)
    for entry in entries:
        by_source[entry.derived_from.dataset if entry.derived_from else "own research"] += 1
    emit("sources: " + ", ".join(f"{k} {n}" for k, n in sorted(by_source.items())) + "\n")
    emit("errors: 0\n")
    return 0
