"""The common consultation record a counsellor fills in when closing a conversation.

Fields follow what Japanese SNS-counselling operators record and MHLW reports count
(see shared research, domain notes §4.4 and §5): a summary, topic categories, urgency
(緊急 / 要注意 / 通常), optionally age band, gender, municipality code, risk flags,
referrals and an emergency escalation with its legal basis (the person's consent, or
a risk to life or body). Each problem names its field, for a 422 answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from handoff.config import RecordLists
from handoff.model import CATEGORY_IDS

URGENCIES = ("emergency", "caution", "normal")
ESCALATION_TARGETS = ("police", "jido_sodanjo", "119", "coordinator")
ESCALATION_BASES = ("consent", "life_at_risk")
MAX_SUMMARY = 4000
MAX_REFERRAL = 200
MAX_LIST = 30
KNOWN_FIELDS = frozenset(
    {
        "summary",
        "topics",
        "urgency",
        "age_band",
        "gender",
        "lg_code",
        "risk_flags",
        "referrals",
        "escalation",
    }
)
LG_CODE = re.compile(r"^[0-9]{6}$")


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str  # required | invalid | unknown_value | too_long | unknown_field

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason}


class RecordInvalid(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(", ".join(f"{p.field}: {p.reason}" for p in problems))
        self.problems = problems


def lg_check_digit(first_five: str) -> int:
    """全国地方公共団体コード check digit: weights 6,5,4,3,2; (11 - sum mod 11) mod 10."""
    total = sum(int(c) * w for c, w in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def is_valid_lg_code(code: str) -> bool:
    return bool(LG_CODE.match(code)) and lg_check_digit(code[:5]) == int(code[5])


def validate_record(record: Any, lists: RecordLists | None = None) -> dict[str, Any]:
    """The record, normalised; RecordInvalid naming every field at fault."""
    lists = lists or RecordLists()
    if not isinstance(record, Mapping):
        raise RecordInvalid([Problem("record", "required" if record is None else "invalid")])
    problems: list[Problem] = []
    out: dict[str, Any] = {}

    problems += [Problem(f"record.{k}", "unknown_field") for k in record if k not in KNOWN_FIELDS]

    summary = record.get("summary")
    if summary is None or (isinstance(summary, str) and not summary.strip()):
        problems.append(Problem("record.summary", "required"))
    elif not isinstance(summary, str):
        problems.append(Problem("record.summary", "invalid"))
    elif len(summary) > MAX_SUMMARY:
        problems.append(Problem("record.summary", "too_long"))
    else:
        out["summary"] = summary.strip()

    topics = record.get("topics")
    if not topics:
        problems.append(Problem("record.topics", "required"))
    elif not _codes(topics, CATEGORY_IDS):
        problems.append(Problem("record.topics", "unknown_value"))
    else:
        out["topics"] = list(dict.fromkeys(topics))

    urgency = record.get("urgency")
    if urgency in (None, ""):
        problems.append(Problem("record.urgency", "required"))
    elif urgency not in URGENCIES:
        problems.append(Problem("record.urgency", "unknown_value"))
    else:
        out["urgency"] = urgency

    for name, allowed in (("age_band", lists.age_bands), ("gender", lists.genders)):
        value = record.get(name)
        if value is None:
            continue
        if value not in allowed:
            problems.append(Problem(f"record.{name}", "unknown_value"))
        else:
            out[name] = value

    lg_code = record.get("lg_code")
    if lg_code is not None:
        if not isinstance(lg_code, str) or not is_valid_lg_code(lg_code):
            problems.append(Problem("record.lg_code", "invalid"))
        else:
            out["lg_code"] = lg_code

    flags = record.get("risk_flags")
    if flags is not None:
        if not isinstance(flags, list) or (flags and not _codes(flags, set(lists.risk_flags))):
            problems.append(Problem("record.risk_flags", "unknown_value"))
        else:
            out["risk_flags"] = list(dict.fromkeys(flags))

    referrals = record.get("referrals")
    if referrals is not None:
        if (
            not isinstance(referrals, list)
            or len(referrals) > MAX_LIST
            or not all(
                isinstance(r, str) and r.strip() and len(r) <= MAX_REFERRAL for r in referrals
            )
        ):
            problems.append(Problem("record.referrals", "invalid"))
        else:
            out["referrals"] = [r.strip() for r in referrals]

    escalation = record.get("escalation")
    if escalation is not None:
        problems += _escalation(escalation, out)

    if problems:
        raise RecordInvalid(problems)
    return out


def _codes(values: Any, allowed: set[str] | frozenset[str]) -> bool:
    return (
        isinstance(values, list)
        and len(values) <= MAX_LIST
        and all(isinstance(v, str) and v in allowed for v in values)
    )


def _escalation(value: Any, out: dict[str, Any]) -> list[Problem]:
    if not isinstance(value, Mapping):
        return [Problem("record.escalation", "invalid")]
    problems = [
        Problem(f"record.escalation.{k}", "unknown_field")
        for k in value
        if k not in ("to", "basis")
    ]
    for name, allowed in (("to", ESCALATION_TARGETS), ("basis", ESCALATION_BASES)):
        if value.get(name) in (None, ""):
            problems.append(Problem(f"record.escalation.{name}", "required"))
        elif value[name] not in allowed:
            problems.append(Problem(f"record.escalation.{name}", "unknown_value"))
    if not problems:
        out["escalation"] = {"to": value["to"], "basis": value["basis"]}
    return problems
