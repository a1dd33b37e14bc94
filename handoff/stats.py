"""Figures as the #9999 trial reports give them, from the handoff events stream.

- requests (呼出件数): every request to talk with a person, including those made when no
  one was on duty;
- connected (接続完了): requests a counsellor took while the person was there;
- response_rate (応答率): connected / requests, in percent with one decimal, as reported;
- waits: request to first claim, for connected requests (median; p90 by nearest rank);
- abandoned: the person cancelled or unfollowed before anyone took the conversation.

Outcomes belong to the request: a request inside the window counts as connected even if
the claim came after the window ended. Records (topics, urgency, referrals, escalations)
and risk alerts count by the time they were made. "coordinated" counts conversations
transferred to a coordinator or escalated, like the trial's つなぎに関して調整した深刻な相談.
Events carry no message text and no identifier of the person.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

from handoff.model import text, text_map
from handoff.queue import EVENTS, decode_orgs
from handoff.routing import TOKYO

READ_CHUNK = 2000
DIMENSIONS = ("channel", "category", "age_group", "lang", "risk")


async def read_events(
    redis: Redis, start_ms: int, end_ms: int | None = None
) -> AsyncIterator[dict[str, str]]:
    """Events from ``start_ms`` (inclusive) to ``end_ms`` (exclusive) or to the end."""
    low = f"{start_ms}-0"
    high = f"{end_ms - 1}-18446744073709551615" if end_ms is not None else "+"
    while True:
        chunk = await redis.xrange(EVENTS, min=low, max=high, count=READ_CHUNK) or []
        for _entry_id, fields in chunk:
            yield text_map(fields or {})
        if len(chunk) < READ_CHUNK:
            return
        low = f"({text(chunk[-1][0])}"


def nearest_rank(values: list[float], percent: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def summary_of(seconds: list[float]) -> dict[str, Any]:
    return {
        "count": len(seconds),
        "median_seconds": round(statistics.median(seconds), 1) if seconds else None,
        "p90_seconds": nearest_rank(seconds, 90),
    }


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class _Request:
    dims: dict[str, str]
    hour: str
    connected: bool = False
    abandoned: bool = False
    wait_s: float | None = None


@dataclass
class _Bucket:
    requests: int = 0
    connected: int = 0
    abandoned: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "connected": self.connected,
            "response_rate": rate(self.connected, self.requests),
            "abandoned": self.abandoned,
        }


@dataclass
class _Tally:
    requests: dict[str, _Request] = field(default_factory=dict)
    no_one_on_duty: int = 0
    abandoned_by_reason: Counter[str] = field(default_factory=Counter)
    messages_left: int = 0
    messages_answered: set[str] = field(default_factory=set)
    handle_s: list[float] = field(default_factory=list)
    closed: int = 0
    urgency: Counter[str] = field(default_factory=Counter)
    topics: Counter[str] = field(default_factory=Counter)
    risk_flags: Counter[str] = field(default_factory=Counter)
    # The detector's level on each closed conversation against what the counsellor recorded:
    # the one measure of the risk detection that counsellors, not writers, label.
    by_detected_risk: defaultdict[str, Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    referrals: Counter[str] = field(default_factory=Counter)
    escalations: Counter[str] = field(default_factory=Counter)
    alerts: Counter[str] = field(default_factory=Counter)
    raised_while_waiting: int = 0
    transfers: int = 0
    coordinated: set[str] = field(default_factory=set)


async def compute_stats(
    redis: Redis, start: float, end: float, *, org: str | None = None
) -> dict[str, Any]:
    """Figures for requests made in ``[start, end)`` (epoch seconds); ``org`` limits them to
    conversations routed to that organisation (a supervisor's view)."""
    start_ms, end_ms = int(start * 1000), int(end * 1000)
    tally = _Tally()
    async for event in read_events(redis, start_ms):
        in_window = start_ms <= int(event.get("at") or 0) < end_ms
        _count(tally, event, in_window, org)
    return _report(tally, start, end, org)


def _ours(event: dict[str, str], org: str | None) -> bool:
    return org is None or org in decode_orgs(event.get("orgs", "")) or event.get("org") == org


def _count(t: _Tally, e: dict[str, str], in_window: bool, org: str | None) -> None:
    kind, ticket = e.get("type"), e.get("ticket", "")
    if kind == "requested":
        if not in_window or not _ours(e, org):
            return
        at = datetime.fromtimestamp(int(e["at"]) / 1000, TOKYO)
        t.requests[ticket] = _Request(
            dims={d: e.get(d) or "unknown" for d in DIMENSIONS},
            hour=f"{at.hour:02d}",
        )
        if e.get("outcome") == "no_one_on_duty":
            t.no_one_on_duty += 1
        return
    request = t.requests.get(ticket)
    if kind == "claimed" and request is not None:
        if e.get("mode") == "message":
            t.messages_answered.add(ticket)
        elif e.get("first") == "1":
            request.connected = True
            request.wait_s = int(e["wait_ms"]) / 1000
    elif kind == "abandoned" and request is not None and e.get("was_connected") != "1":
        request.abandoned = True
        t.abandoned_by_reason[e.get("reason") or "unknown"] += 1
    elif kind == "message_left" and request is not None:
        t.messages_left += 1
    if not in_window or not _ours(e, org):
        return
    if kind == "closed":
        _count_record(t, e)
    elif kind == "alert":
        t.alerts[e.get("level") or "unknown"] += 1
        if e.get("raised") == "1" and e.get("status") == "waiting":
            t.raised_while_waiting += 1
    elif kind == "transferred":
        t.transfers += 1
        if e.get("to_kind") == "coordinator":
            t.coordinated.add(ticket)


def _count_record(t: _Tally, e: dict[str, str]) -> None:
    t.closed += 1
    t.handle_s.append(int(e.get("handle_ms") or 0) / 1000)
    t.urgency[e.get("urgency") or "unknown"] += 1
    t.topics.update(_list(e.get("topics")))
    flags = _list(e.get("risk_flags"))
    t.risk_flags.update(flags)
    detected = t.by_detected_risk[e.get("risk") or "none"]
    detected["closed"] += 1
    detected[e.get("urgency") or "unknown"] += 1
    detected["with_risk_flags"] += bool(flags)
    t.referrals.update(_list(e.get("referrals")))
    if e.get("escalation"):
        t.escalations[e["escalation"]] += 1
        t.coordinated.add(e.get("ticket", ""))


def _list(raw: str | None) -> list[str]:
    return [str(v) for v in json.loads(raw)] if raw else []


def _buckets(requests: Iterable[_Request], key: Any) -> dict[str, Any]:
    buckets: dict[str, _Bucket] = defaultdict(_Bucket)
    for r in requests:
        bucket = buckets[key(r)]
        bucket.requests += 1
        bucket.connected += r.connected
        bucket.abandoned += r.abandoned
    return {k: buckets[k].as_json() for k in sorted(buckets)}


def _report(t: _Tally, start: float, end: float, org: str | None) -> dict[str, Any]:
    reqs = list(t.requests.values())
    connected = sum(r.connected for r in reqs)
    by: dict[str, Any] = {f"by_{d}": _buckets(reqs, lambda r, d=d: r.dims[d]) for d in DIMENSIONS}
    by["by_hour"] = _buckets(reqs, lambda r: r.hour)
    return {
        "from": datetime.fromtimestamp(start, TOKYO).isoformat(),
        "to": datetime.fromtimestamp(end, TOKYO).isoformat(),
        "org": org,
        "requests": len(reqs),
        "connected": connected,
        "response_rate": rate(connected, len(reqs)),
        "waits": summary_of([r.wait_s for r in reqs if r.wait_s is not None]),
        "abandoned": sum(r.abandoned for r in reqs),
        "abandoned_by_reason": dict(t.abandoned_by_reason),
        "no_one_on_duty": t.no_one_on_duty,
        "messages": {"left": t.messages_left, "answered": len(t.messages_answered)},
        **by,
        "risk_events": {"alerts": dict(t.alerts), "raised_while_waiting": t.raised_while_waiting},
        "handle": summary_of(t.handle_s),
        "records": {
            "closed": t.closed,
            "urgency": dict(t.urgency),
            "topics": dict(t.topics),
            "risk_flags": dict(t.risk_flags),
            "by_detected_risk": {
                level: {k: n for k, n in counts.items() if n}
                for level, counts in sorted(t.by_detected_risk.items())
            },
        },
        "referrals": {"total": sum(t.referrals.values()), "by_target": dict(t.referrals)},
        "escalations": dict(t.escalations),
        "transfers": t.transfers,
        "coordinated": len(t.coordinated),
    }


async def recent_handle_seconds(redis: Redis, since_ms: int, limit: int = 200) -> list[float]:
    """Handle times of the latest live conversations closed since ``since_ms``."""
    found: list[float] = []
    raw = await redis.xrevrange(EVENTS, max="+", min=f"{since_ms}-0", count=limit * 5) or []
    for _entry_id, fields in raw:
        event = text_map(fields or {})
        if event.get("type") == "closed" and event.get("mode") == "live":
            found.append(int(event.get("handle_ms") or 0) / 1000)
            if len(found) >= limit:
                break
    return found


def format_stats(stats: dict[str, Any]) -> str:
    """Plain lines for the CLI (field names as in the API)."""
    waits = stats["waits"]
    lines = [
        f"from {stats['from']} to {stats['to']}"
        + (f" org {stats['org']}" if stats["org"] else ""),
        f"requests {stats['requests']}",
        f"connected {stats['connected']}",
        f"response_rate {_percent(stats['response_rate'])}",
        f"waits median {_secs(waits['median_seconds'])} p90 {_secs(waits['p90_seconds'])}",
        f"abandoned {stats['abandoned']}",
        f"no_one_on_duty {stats['no_one_on_duty']}",
        f"coordinated {stats['coordinated']}",
    ]
    for level, counts in stats["records"]["by_detected_risk"].items():
        lines.append(
            f"records by_detected_risk {level}: "
            + " ".join(f"{k} {n}" for k, n in sorted(counts.items()))
        )
    for dimension in ("channel", "category", "age_group", "lang", "hour"):
        for name, b in stats[f"by_{dimension}"].items():
            lines.append(
                f"by_{dimension} {name}: requests {b['requests']} connected "
                f"{b['connected']} response_rate {_percent(b['response_rate'])}"
            )
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}s"
