"""The handoff configuration as data: organisations' skills, hours and limits, canned
replies, queue timings and the record's lists (``flows/handoff.example.yaml``).

No file at all is a valid configuration: every organisation registered with
``tsunagari org add`` then takes every conversation at any hour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.paths import flows_dir
from bot.yamldata import DataError, SourcedData, load_yaml, schema_problems
from handoff.model import CATEGORY_IDS
from handoff.routing import WEEKDAYS, Hours, OrgProfile, Skills, Span, parse_span

SCHEMA_FILE = "schema/handoff.schema.json"

# Record lists. Age bands split at 18 and at 19 so both the #9999 reports (18歳以下)
# and MHLW's (19歳以下, 20代) can be counted from the same records.
DEFAULT_AGE_BANDS: tuple[str, ...] = (
    "under_13",
    "13_15",
    "16_18",
    "19",
    "20s",
    "30s",
    "40s",
    "50s",
    "60s",
    "70_plus",
    "unknown",
)
DEFAULT_GENDERS: tuple[str, ...] = ("female", "male", "other", "unknown")
DEFAULT_RISK_FLAGS: tuple[str, ...] = (
    "suicidal_ideation",
    "suicide_plan",
    "suicide_means",
    "suicide_timing",
    "past_attempt",
    "self_harm",
    "abuse",
    "dv",
    "sexual_violence",
    "other_danger",
)


@dataclass(frozen=True)
class CannedReply:
    id: str
    title: str
    text: str
    lang: str = "ja"
    org: str | None = None  # None: offered to every organisation

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "lang": self.lang,
            "org": self.org,
        }


@dataclass(frozen=True)
class QueueTimings:
    # A claim lives this long without a heartbeat from its counsellor's console.
    lease_seconds: int = 120
    # A counsellor counts as on duty this long after their console was last heard from.
    presence_seconds: int = 90
    # How often the sweeper runs (stale claims, routing, positions).
    tick_seconds: int = 5
    # The person is told a new position at most this often (LINE pushes are billed).
    position_update_seconds: int = 60
    # Closed tickets, their records and transcripts are kept this long.
    retention_days: int = 90
    # How long an out-of-hours request waits for the person to leave a message.
    offline_hours: int = 24


@dataclass(frozen=True)
class RecordLists:
    age_bands: tuple[str, ...] = DEFAULT_AGE_BANDS
    genders: tuple[str, ...] = DEFAULT_GENDERS
    risk_flags: tuple[str, ...] = DEFAULT_RISK_FLAGS


@dataclass(frozen=True)
class HandoffConfig:
    orgs: Mapping[str, OrgProfile] = field(default_factory=dict)
    canned_replies: tuple[CannedReply, ...] = ()
    timings: QueueTimings = QueueTimings()
    record: RecordLists = RecordLists()
    default_max_per_counsellor: int | None = None

    def profile(self, org_id: str, name: str | None = None) -> OrgProfile:
        """The configured profile, or the take-everything default for an unlisted org."""
        found = self.orgs.get(org_id)
        if found is not None:
            return found
        return OrgProfile(id=org_id, name=name, max_per_counsellor=self.default_max_per_counsellor)

    def canned_for(self, org_id: str) -> list[CannedReply]:
        return [c for c in self.canned_replies if c.org in (None, org_id)]


def load_config(path: Path | None = None) -> HandoffConfig:
    """Read and check a handoff YAML file; raise ``DataError`` with file:line problems."""
    if path is None:
        return HandoffConfig()
    doc = load_yaml(path)
    problems = schema_problems(doc, flows_dir() / SCHEMA_FILE)
    if problems:
        raise DataError(problems)
    return build_config(doc)


def build_config(doc: SourcedData) -> HandoffConfig:
    data: dict[str, Any] = doc.data or {}
    problems: list[str] = []
    defaults = data.get("defaults") or {}
    default_limit = defaults.get("max_per_counsellor")
    orgs: dict[str, OrgProfile] = {}
    canned: list[CannedReply] = [_canned(c, None) for c in data.get("canned_replies") or []]
    for index, raw in enumerate(data.get("organisations") or []):
        where: list[str | int] = ["organisations", index]
        if raw["id"] in orgs:
            problems.append(f"{doc.where([*where, 'id'])}: organisation {raw['id']!r} twice")
        skills = raw.get("skills") or {}
        unknown = set(skills.get("categories") or ()) - CATEGORY_IDS
        if unknown:
            problems.append(
                f"{doc.where([*where, 'skills', 'categories'])}: "
                f"unknown categories {sorted(unknown)}"
            )
        try:
            hours = _hours(raw["hours"]) if "hours" in raw else None
        except ValueError as exc:
            problems.append(f"{doc.where([*where, 'hours'])}: {exc}")
            hours = None
        orgs[raw["id"]] = OrgProfile(
            id=raw["id"],
            name=raw.get("name"),
            skills=Skills(
                categories=_set(skills.get("categories")),
                languages=_set(skills.get("languages")),
                age_groups=_set(skills.get("age_groups")),
            ),
            hours=hours,
            max_per_counsellor=raw.get("max_per_counsellor", default_limit),
        )
        canned.extend(_canned(c, raw["id"]) for c in raw.get("canned_replies") or [])
    if problems:
        raise DataError(problems)
    record = data.get("record") or {}
    return HandoffConfig(
        orgs=orgs,
        canned_replies=tuple(canned),
        timings=QueueTimings(**(data.get("queue") or {})),
        record=RecordLists(
            age_bands=tuple(record.get("age_bands", DEFAULT_AGE_BANDS)),
            genders=tuple(record.get("genders", DEFAULT_GENDERS)),
            risk_flags=tuple(record.get("risk_flags", DEFAULT_RISK_FLAGS)),
        ),
        default_max_per_counsellor=default_limit,
    )


def _set(values: list[str] | None) -> frozenset[str] | None:
    return frozenset(values) if values else None


def _spans(raw: list[str]) -> tuple[Span, ...]:
    return tuple(parse_span(s) for s in raw)


def _hours(raw: dict[str, Any]) -> Hours:
    weekly = {
        WEEKDAYS.index(day): _spans(spans) for day, spans in (raw.get("weekly") or {}).items()
    }
    holiday_rule = raw.get("holidays", "closed")
    holidays: str | tuple[Span, ...] | None
    if holiday_rule == "closed":
        holidays = None
    elif holiday_rule == "weekly":
        holidays = "weekly"
    else:
        holidays = _spans(holiday_rule)
    return Hours(
        weekly=weekly,
        holidays=holidays,
        closed_dates=frozenset(date.fromisoformat(d) for d in raw.get("closed_dates") or ()),
        special_dates={
            date.fromisoformat(d): _spans(s) for d, s in (raw.get("special_dates") or {}).items()
        },
    )


def _canned(raw: dict[str, Any], org: str | None) -> CannedReply:
    return CannedReply(
        id=raw["id"], title=raw["title"], text=raw["text"], lang=raw.get("lang", "ja"), org=org
    )
