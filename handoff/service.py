"""The handoff service: the one façade the bot and the counsellor API use.

The bot asks for a person (``request``), passes on what the person writes while waiting
or talking (``person_message``), cancels, forgets, and raises alerts when risk appears.
Counsellors claim, write, note, transfer, release and close. Every change to a ticket is
one atomic queue script; then the person is told through the bridge (the bot renders
the words), the transcript gets the message, and consoles hear a live update.

Run ``tick`` every few seconds (``run_sweeper`` does): it puts conversations whose
counsellor's console went silent back in the queue, re-routes waiting conversations as
organisations open and close, and tells waiting people their new position.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import secrets
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

from handoff.bridge import ConversationBridge, HandoffEvent, HandoffEventKind
from handoff.config import HandoffConfig
from handoff.live import LiveUpdate, publish
from handoff.model import (
    CATEGORY_IDS,
    COORDINATOR_ROUTE,
    RISK_LEVELS,
    Counsellor,
    HandoffContext,
    Ticket,
    risk_rank,
    text,
    text_map,
)
from handoff.queue import (
    ALERTS,
    LEASES,
    PRESENCE,
    SWEEP_LOCK,
    TICKET_SEQUENCE,
    Outcome,
    TicketQueue,
    decode_orgs,
    encode_orgs,
    ticket_key,
)
from handoff.records import validate_record
from handoff.routing import TOKYO, OrgProfile, route
from handoff.sealing import Sealer
from handoff.staff import StaffDirectory
from handoff.stats import compute_stats, recent_handle_seconds
from handoff.transcript import Transcript, TranscriptEntry

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 5000  # LINE's limit for one text message
MAX_NOTE_CHARS = 5000
ALERTS_MAXLEN = 10_000
# The estimate needs this many recent handle times, or none is given.
MIN_HANDLE_SAMPLES = 3
HANDLE_SAMPLE_DAYS = 7
HANDLE_CACHE_SECONDS = 30  # the median moves slowly; positions are asked for often
REASON_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
TICKET_ID = re.compile(r"^[0-9a-f]{20}$")
OPEN_STATUSES = ("waiting", "active")


class HandoffError(Exception):
    """A refusal the API turns into an HTTP status: ``status`` and a machine ``code``."""

    status = 400

    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.field = field


class NotFound(HandoffError):
    status = 404


class Forbidden(HandoffError):
    status = 403


class Conflict(HandoffError):
    status = 409


class Invalid(HandoffError):
    status = 422


_CONFLICTS = {"taken", "limit", "not_waiting", "not_yours", "not_active"}


@dataclass(frozen=True)
class TransferTarget:
    """``org`` (to one organisation), ``coordinator``, or ``queue`` (routed again by the
    given worry area, language or age group, whichever is open)."""

    kind: str
    org: str | None = None
    category: str | None = None
    lang: str | None = None
    age_group: str | None = None


def priority_of(risk: str) -> int:
    """3 for high … 0 for none: bigger is more urgent."""
    return risk_rank(risk)


def iso(ms: str | int | float | None) -> str | None:
    if ms in (None, ""):
        return None
    return datetime.fromtimestamp(int(ms) / 1000, TOKYO).isoformat()


class HandoffService:
    def __init__(
        self,
        redis: Redis,
        bridge: ConversationBridge,
        config: HandoffConfig,
        transcript_key: bytes,
        clock: Callable[[], float] = time.time,
        *,
        staff: StaffDirectory | None = None,
    ) -> None:
        self.redis = redis
        self.bridge = bridge
        self.config = config
        self.clock = clock
        self.queue = TicketQueue(redis)
        self.staff = staff or StaffDirectory(redis, clock=clock)
        self.retention_seconds = config.timings.retention_days * 86400
        self.transcript = Transcript(redis, transcript_key, ttl_seconds=self.retention_seconds)
        self.sealer = Sealer(transcript_key)
        self._handle_cache: tuple[float, float | None] | None = None

    # --- time and lookups -------------------------------------------------------------------

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    async def profiles(self) -> list[OrgProfile]:
        """Organisations that can take conversations: registered, with counsellors, and
        routed by their configured profile (take-everything when not configured)."""
        return [self.config.profile(o.id, o.name) for o in await self.staff.answering_orgs()]

    async def org_name(self, org_id: str) -> str:
        org = await self.staff.org(org_id)
        if org is not None and org.name:
            return org.name
        profile = self.config.orgs.get(org_id)
        return (profile.name if profile else None) or org_id

    async def _present(self) -> list[Counsellor]:
        since = self._now_ms() - self.config.timings.presence_seconds * 1000
        logins = [text(x) for x in await self.redis.zrangebyscore(PRESENCE, since, "+inf")]
        return list((await self.staff.counsellors(logins)).values())

    async def _on_duty(self) -> dict[str, int]:
        """Counsellors on duty per route (organisation, or the coordinators)."""
        counts: dict[str, int] = {}
        for person in await self._present():
            route_id = COORDINATOR_ROUTE if person.role == "coordinator" else person.org
            counts[route_id] = counts.get(route_id, 0) + 1
        return counts

    # --- the bot's side -----------------------------------------------------------------

    async def request(
        self, conv_id: str, channel: str, context: Mapping[str, Any] | HandoffContext
    ) -> Ticket:
        """Ask for a counsellor. Queued (the person hears their position), or
        ``no_one_on_duty`` (they hear when someone is back and may leave a message)."""
        ctx = HandoffContext.from_mapping(context)
        current = await self.queue.ticket_for_conversation(conv_id)
        if current is not None and current["status"] in OPEN_STATUSES:
            return await self._restate(current)
        now = self.clock()
        now_ms = int(now * 1000)
        found = route(
            await self.profiles(),
            datetime.fromtimestamp(now, TOKYO),
            category=ctx.category,
            lang=ctx.lang,
            age_group=ctx.age_group,
        )
        orgs = found.open_orgs
        if not orgs and ctx.risk == "high" and (await self._on_duty()).get(COORDINATOR_ROUTE):
            orgs = (COORDINATOR_ROUTE,)
        ticket_id = await self._new_ticket_id()
        queued = bool(orgs)
        fields: dict[str, str | bytes] = {
            "id": ticket_id,
            "conv_id": conv_id,
            "channel": channel,
            "mode": "live",
            "risk": ctx.risk,
            "category": ctx.category or "",
            "lang": ctx.lang or "",
            "age_group": ctx.age_group or "",
            "orgs": encode_orgs(orgs if queued else found.matching),
            "requested_ms": str(now_ms),
            "enqueued_ms": str(now_ms),
            "context": self.sealer.seal_json(ctx.as_json(), f"context:{ticket_id}"),
        }
        outcome = await self.queue.enqueue(
            ticket_id,
            conv_id,
            fields,
            now_ms=now_ms,
            status="waiting" if queued else "offline",
            ttl=self.config.timings.offline_hours * 3600,
            outcome="queued" if queued else "no_one_on_duty",
            history_ttl=self.retention_seconds,
        )
        if outcome.reason == "exists" and outcome.detail:
            raw = await self.queue.ticket(outcome.detail)
            if raw is not None:
                return await self._restate(raw)
        raw = await self.queue.ticket(ticket_id)
        assert raw is not None
        if not queued:
            next_open = found.next_open.isoformat() if found.next_open else None
            await self._tell(conv_id, "no_one_on_duty", {"next_open": next_open})
            return self._as_ticket(raw, status="no_one_on_duty", next_open=next_open)
        await self.transcript.append(conv_id, "system", "requested", now)
        position, estimate = await self._position_of(ticket_id)
        await self._mark_told(ticket_id, position, now_ms)
        await self._tell(conv_id, "queued", {"position": position, "estimate_minutes": estimate})
        await self._publish("queue.changed", raw)
        if ctx.risk == "high":
            await self._alert(raw, "high", ctx.risk_reasons)
        return self._as_ticket(raw, position=position, estimate=estimate)

    async def _new_ticket_id(self) -> str:
        # Requests in the same millisecond and risk band have the same queue score; Redis
        # orders those by member, so ids begin with a counter to keep arrival order.
        sequence = await self.redis.incr(TICKET_SEQUENCE)
        return f"{sequence:010x}{secrets.token_hex(5)}"

    async def _restate(self, raw: dict[str, Any]) -> Ticket:
        """Asked again while waiting: say the position again; while talking, nothing."""
        if raw["status"] != "waiting":
            return self._as_ticket(raw)
        position, estimate = await self._position_of(raw["id"])
        await self._tell(
            raw["conv_id"], "queued", {"position": position, "estimate_minutes": estimate}
        )
        return self._as_ticket(raw, position=position, estimate=estimate)

    async def leave_message(self, conv_id: str, message: str) -> Ticket | None:
        """After ``no_one_on_duty``: keep the person's message for a counsellor, who answers
        later (on LINE by push). None if there is no out-of-hours request to attach it to."""
        raw = await self.queue.ticket_for_conversation(conv_id)
        if raw is None or raw["status"] != "offline":
            return None
        orgs = decode_orgs(raw["orgs"]) or (COORDINATOR_ROUTE,)
        now = self.clock()
        outcome = await self.queue.leave_message(raw["id"], orgs, int(now * 1000))
        if not outcome.ok:
            return None
        await self.transcript.append(conv_id, "person", message, now)
        raw = await self.queue.ticket(raw["id"])
        assert raw is not None
        await self._publish("queue.changed", raw)
        return self._as_ticket(raw)

    async def person_message(self, conv_id: str, message: str) -> str | None:
        """What the person wrote while waiting or talking; its message id, or None when
        the conversation is not with the handoff side (nothing is stored then)."""
        raw = await self.queue.ticket_for_conversation(conv_id)
        if raw is None or raw["status"] not in OPEN_STATUSES:
            return None
        message_id = await self.transcript.append(conv_id, "person", message, self.clock())
        await self._publish("ticket.message", raw, message_id=message_id)
        return message_id

    async def bot_message(self, conv_id: str, message: str) -> str | None:
        """What the bot told a waiting person (e.g. the lines open now), for the counsellor."""
        raw = await self.queue.ticket_for_conversation(conv_id)
        if raw is None or raw["status"] not in OPEN_STATUSES:
            return None
        return await self.transcript.append(conv_id, "bot", message, self.clock())

    async def cancel(self, conv_id: str) -> bool:
        """The person stopped waiting. False if they were not waiting."""
        raw = await self.queue.ticket_for_conversation(conv_id)
        if raw is None or raw["status"] not in ("waiting", "offline"):
            return False
        now = self.clock()
        outcome = await self.queue.cancel(
            raw["id"], conv_id, int(now * 1000), reason="cancelled", ttl=self.retention_seconds
        )
        if not outcome.ok:
            return False
        if outcome.detail == "waiting":
            await self.transcript.append(conv_id, "system", "cancelled", now)
            await self._publish("ticket.cancelled", raw)
        await self._tell(conv_id, "cancelled", {})
        return True

    async def forget(self, conv_id: str) -> None:
        """Unfollow or a request to delete: out of the queue (a conversation with a
        counsellor ends, and the counsellor is told), then tickets, records and the
        transcript are deleted. Statistics events keep no trace of the person."""
        raw = await self.queue.ticket_for_conversation(conv_id)
        if raw is not None and raw["status"] in ("waiting", "active", "offline"):
            outcome = await self.queue.cancel(
                raw["id"],
                conv_id,
                self._now_ms(),
                reason="unfollowed",
                ttl=self.retention_seconds,
                end_active=True,
            )
            if outcome.ok and outcome.detail in ("waiting", "active"):
                kind = "ticket.ended" if outcome.detail == "active" else "ticket.cancelled"
                await self._publish(kind, raw)
        history = await self.queue.history(conv_id)
        await self.queue.forget(conv_id, history)
        await self.transcript.delete(conv_id)

    async def raise_alert(self, conv_id: str, level: str, reasons: list[str]) -> bool:
        """Risk appeared while waiting or talking: a waiting conversation moves up to its new
        risk band, the person hears the new position, coordinators and the organisation get
        an alert. False if the conversation is not with the handoff side."""
        if level not in RISK_LEVELS:
            raise ValueError(f"unknown risk level {level!r}")
        raw = await self.queue.ticket_for_conversation(conv_id)
        if raw is None or raw["status"] not in OPEN_STATUSES:
            return False
        raised = await self._alert(raw, level, reasons)
        if raised and raw["status"] == "waiting":
            position, estimate = await self._position_of(raw["id"])
            await self._mark_told(raw["id"], position, self._now_ms())
            await self._tell(
                conv_id, "position", {"position": position, "estimate_minutes": estimate}
            )
        return True

    async def position(self, conv_id: str) -> tuple[int, int | None] | None:
        """(position, estimate in minutes or None) while waiting; None otherwise."""
        raw = await self.queue.ticket_for_conversation(conv_id)
        if raw is None or raw["status"] != "waiting":
            return None
        return await self._position_of(raw["id"])

    # --- the counsellor's side ------------------------------------------------------------

    async def heartbeat(self, who: Counsellor) -> None:
        """The console is there: on duty, and the claims it holds stay with it."""
        now_ms = self._now_ms()
        await self.redis.zadd(PRESENCE, {who.login: now_ms})
        lease = now_ms + self.config.timings.lease_seconds * 1000
        for ticket_id in await self.queue.held_by(who.login):
            await self.queue.touch(ticket_id, who.login, lease)

    async def visible(self, ticket_id: str, who: Counsellor) -> dict[str, Any]:
        """The ticket if ``who`` may see it; NotFound otherwise (another organisation's
        conversations do not exist for them)."""
        raw = await self.queue.ticket(ticket_id) if TICKET_ID.match(ticket_id) else None
        if raw is None or not self._may_see(raw, who):
            raise NotFound("not_found")
        return raw

    def _may_see(self, raw: Mapping[str, Any], who: Counsellor) -> bool:
        """Coordinators and admins see everything. Others see a conversation their
        organisation has (or had, once closed), and a waiting one routed to them: once
        another organisation takes it, it is that organisation's alone."""
        if who.sees_every_queue:
            return True
        if raw.get("org"):
            return bool(raw["org"] == who.org)
        return who.org in decode_orgs(raw.get("orgs", ""))

    async def waiting_for(self, who: Counsellor) -> list[dict[str, Any]]:
        """The queue as ``who`` sees it, highest priority first."""
        waiting = await self.queue.waiting()
        positions = await self._positions(waiting)
        return [
            self.item(t, position=positions[t["id"]][0]) for t in waiting if self._may_see(t, who)
        ]

    async def conversations_for(self, who: Counsellor) -> list[dict[str, Any]]:
        """Conversations with a counsellor now that ``who`` may see (their own first)."""
        ids = [text(i) for i in await self.redis.zrange(LEASES, 0, -1)]
        active = [
            t
            for t in await self.queue.tickets(ids)
            if t.get("status") == "active" and self._may_see(t, who)
        ]
        active.sort(key=lambda t: (t.get("counsellor") != who.login, t.get("claimed_ms", "")))
        return [self.item(t) for t in active]

    async def detail(self, ticket_id: str, who: Counsellor) -> dict[str, Any]:
        """One conversation with what the bot learnt before the handoff and, once closed,
        its record."""
        raw = await self.visible(ticket_id, who)
        out = self.item(raw)
        out["context"] = self.sealer.open_json(raw["context"], f"context:{ticket_id}")
        if raw.get("record"):
            out["record"] = self.sealer.open_json(raw["record"], f"record:{ticket_id}")
        return out

    async def claim(self, ticket_id: str, who: Counsellor) -> Ticket:
        raw = await self.visible(ticket_id, who)
        limit = self.config.profile(who.org).max_per_counsellor
        now = self.clock()
        now_ms = int(now * 1000)
        outcome = await self.queue.claim(
            ticket_id,
            who.login,
            who.org,
            any_queue=who.sees_every_queue,
            limit=limit,
            now_ms=now_ms,
            lease_until_ms=now_ms + self.config.timings.lease_seconds * 1000,
        )
        if not outcome.ok:
            if outcome.reason == "taken" and outcome.detail == who.login:
                return self._as_ticket(raw)
            raise self._refusal(outcome)
        await self.redis.zadd(PRESENCE, {who.login: now_ms})
        claimed = await self.queue.ticket(ticket_id)
        assert claimed is not None
        await self.transcript.append(
            claimed["conv_id"], "system", "claimed", now, author=who.login
        )
        await self._tell(
            claimed["conv_id"],
            "claimed",
            {
                "counsellor": who.display_name,
                "org": await self.org_name(who.org),
            },
        )
        await self._publish("ticket.claimed", claimed)
        return self._as_ticket(claimed)

    async def send(self, ticket_id: str, who: Counsellor, message: str) -> str:
        """A counsellor's message to the person; its message id."""
        message = _checked_text(message, MAX_MESSAGE_CHARS)
        raw = await self._held(ticket_id, who)
        now = self.clock()
        lease = int(now * 1000) + self.config.timings.lease_seconds * 1000
        if not await self.queue.touch(ticket_id, who.login, lease):
            raise Conflict("not_yours")
        message_id = await self.transcript.append(
            raw["conv_id"], "counsellor", message, now, author=who.login
        )
        await self._tell(
            raw["conv_id"],
            "message",
            {
                "text": message,
                "message_id": message_id,
                "counsellor": who.display_name,
            },
        )
        await self._publish("ticket.message", raw, message_id=message_id)
        return message_id

    async def note(self, ticket_id: str, who: Counsellor, note: str) -> str:
        """A private note for colleagues; never sent to the person."""
        note = _checked_text(note, MAX_NOTE_CHARS)
        raw = await self.visible(ticket_id, who)
        message_id = await self.transcript.append(
            raw["conv_id"], "note", note, self.clock(), author=who.login
        )
        await self._publish("ticket.note", raw, message_id=message_id)
        return message_id

    async def messages(
        self, ticket_id: str, who: Counsellor, after: str | None = None
    ) -> list[TranscriptEntry]:
        raw = await self.visible(ticket_id, who)
        return await self.transcript.read(raw["conv_id"], after=after)

    async def release(self, ticket_id: str, who: Counsellor) -> Ticket:
        """Back to the queue, keeping its place."""
        raw = await self._held(ticket_id, who)
        return await self._requeued(raw, who.login, "released")

    async def _requeued(
        self, raw: dict[str, Any], login: str, reason: str, only_if_expired: bool = False
    ) -> Ticket:
        now = self.clock()
        outcome = await self.queue.release(
            raw["id"], login, int(now * 1000), reason, only_if_expired=only_if_expired
        )
        if not outcome.ok:
            raise self._refusal(outcome)
        await self.transcript.append(raw["conv_id"], "system", reason, now, author=login)
        position, estimate = await self._position_of(raw["id"])
        if raw.get("mode") == "live":  # someone who left a message is not waiting live
            await self._mark_told(raw["id"], position, int(now * 1000))
            await self._tell(
                raw["conv_id"],
                "released",
                {
                    "reason": "disconnected" if reason == "lease_expired" else "released",
                    "position": position,
                    "estimate_minutes": estimate,
                },
            )
        await self._publish("ticket.released", raw)
        await self._publish("queue.changed", {**raw, "org": ""})
        return self._as_ticket(raw, status="waiting", position=position, estimate=estimate)

    async def transfer(
        self, ticket_id: str, who: Counsellor, target: TransferTarget, note: str | None = None
    ) -> Ticket:
        """To another organisation, to the coordinators, or back to the queue routed anew.
        The person keeps their waiting time; the note is private."""
        if note is not None:
            note = _checked_text(note, MAX_NOTE_CHARS, field="note")
        raw = await self.visible(ticket_id, who)
        orgs, label, dims = await self._transfer_route(raw, target)
        now = self.clock()
        outcome = await self.queue.transfer(
            ticket_id,
            who.login,
            int(now * 1000),
            orgs=orgs,
            to_kind=target.kind,
            to=target.org or "",
            may_move_waiting=who.sees_every_queue,
            **dims,
        )
        if not outcome.ok:
            raise self._refusal(outcome)
        conv_id = raw["conv_id"]
        if note:
            await self.transcript.append(conv_id, "note", note, now, author=who.login)
        await self.transcript.append(conv_id, "system", "transferred", now, author=who.login)
        position, estimate = await self._position_of(ticket_id)
        await self._mark_told(ticket_id, position, int(now * 1000))
        await self._tell(
            conv_id,
            "transferred",
            {
                "to": label,
                "to_kind": target.kind,
                "position": position,
                "estimate_minutes": estimate,
            },
        )
        moved = await self.queue.ticket(ticket_id)
        assert moved is not None
        # Heard by the old organisation (it leaves their view) and the new one.
        await self._publish("ticket.transferred", moved, from_org=raw.get("org"))
        await self._publish("queue.changed", moved)
        return self._as_ticket(moved, position=position, estimate=estimate)

    async def _transfer_route(
        self, raw: Mapping[str, Any], target: TransferTarget
    ) -> tuple[tuple[str, ...], str | None, dict[str, str]]:
        if target.kind == "coordinator":
            return (COORDINATOR_ROUTE,), None, {}
        profiles = await self.profiles()
        if target.kind == "org":
            if target.org not in {p.id for p in profiles}:
                raise Invalid("unknown_org", "org")
            assert target.org is not None
            return (target.org,), await self.org_name(target.org), {}
        if target.kind != "queue":
            raise Invalid("unknown_target", "to")
        if target.category is not None and target.category not in CATEGORY_IDS:
            raise Invalid("unknown_value", "category")
        category = target.category or raw.get("category") or None
        lang = target.lang or raw.get("lang") or None
        age_group = target.age_group or raw.get("age_group") or None
        found = route(
            profiles,
            datetime.fromtimestamp(self.clock(), TOKYO),
            category=category,
            lang=lang,
            age_group=age_group,
        )
        orgs = found.open_orgs or found.matching or (COORDINATOR_ROUTE,)
        dims = {
            "category": target.category or "",
            "lang": target.lang or "",
            "age_group": target.age_group or "",
        }
        return orgs, None, dims

    async def close(self, ticket_id: str, who: Counsellor, record: Any) -> None:
        """End the conversation with the common consultation record; the bot resumes.
        RecordInvalid names each field at fault."""
        checked = validate_record(record, self.config.record)
        raw = await self._held(ticket_id, who)
        now = self.clock()
        escalation = checked.get("escalation") or {}
        outcome = await self.queue.close(
            ticket_id,
            who.login,
            int(now * 1000),
            conv_id=raw["conv_id"],
            sealed_record=self.sealer.seal_json(checked, f"record:{ticket_id}"),
            ttl=self.retention_seconds,
            event={
                "urgency": checked["urgency"],
                "topics": json.dumps(checked["topics"]),
                "risk_flags": json.dumps(checked.get("risk_flags", [])),
                "referrals": json.dumps(checked.get("referrals", []), ensure_ascii=False),
                "escalation": escalation.get("to", ""),
                "age_band": checked.get("age_band", ""),
            },
        )
        if not outcome.ok:
            raise self._refusal(outcome)
        await self.transcript.append(raw["conv_id"], "system", "closed", now, author=who.login)
        await self._tell(raw["conv_id"], "closed", {})
        await self._publish("ticket.closed", raw)

    async def canned(self, who: Counsellor) -> list[dict[str, Any]]:
        return [c.as_json() for c in self.config.canned_for(who.org)]

    async def alerts(self, who: Counsellor, count: int = 50) -> list[dict[str, Any]]:
        """Recent risk alerts, newest first (coordinators and admins)."""
        if not who.sees_every_queue:
            raise Forbidden("forbidden")
        raw = await self.redis.xrevrange(ALERTS, count=count) or []
        out = []
        for _entry_id, fields in raw:
            entry = text_map(fields or {})
            out.append(
                {
                    "ticket": entry["ticket"],
                    "level": entry["level"],
                    "reasons": [r for r in entry["reasons"].split(",") if r],
                    "at": iso(entry["at"]),
                    "orgs": list(decode_orgs(entry["orgs"])),
                    "status": entry["status"],
                }
            )
        return out

    async def stats(self, who: Counsellor, start: float, end: float) -> dict[str, Any]:
        if not who.sees_statistics:
            raise Forbidden("forbidden")
        org = None if who.sees_every_queue else who.org
        return await compute_stats(self.redis, start, end, org=org)

    async def _held(self, ticket_id: str, who: Counsellor) -> dict[str, Any]:
        raw = await self.visible(ticket_id, who)
        if raw["status"] != "active":
            raise Conflict("not_active")
        if raw.get("counsellor") != who.login:
            raise Conflict("not_yours")
        return raw

    def _refusal(self, outcome: Outcome) -> HandoffError:
        reason = outcome.reason or "conflict"
        if reason in ("missing", "not_routed"):
            return NotFound("not_found")
        return Conflict(reason if reason in _CONFLICTS else "conflict")

    # --- the sweeper --------------------------------------------------------------------

    async def run_sweeper(self) -> None:
        """``tick`` every ``tick_seconds`` until cancelled (run it as a background task)."""
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("handoff sweep failed")
            await asyncio.sleep(self.config.timings.tick_seconds)

    async def tick(self) -> None:
        """One sweep; several app processes may call it, one sweeps at a time."""
        token = secrets.token_hex(8)
        if not await self.redis.set(SWEEP_LOCK, token, nx=True, px=30_000):
            return
        try:
            await self.requeue_stale_claims()
            await self.reroute_waiting()
            await self.refresh_positions()
            stale = self._now_ms() - self.config.timings.presence_seconds * 1000 * 10
            await self.redis.zremrangebyscore(PRESENCE, 0, stale)
        finally:
            if text(await self.redis.get(SWEEP_LOCK)) == token:
                await self.redis.delete(SWEEP_LOCK)

    async def requeue_stale_claims(self) -> int:
        """Conversations whose counsellor's console stopped beating go back to the queue."""
        count = 0
        for ticket_id in await self.queue.expired_leases(self._now_ms()):
            raw = await self.queue.ticket(ticket_id)
            if raw is None or raw["status"] != "active":
                await self.redis.zrem(LEASES, ticket_id)
                continue
            try:
                await self._requeued(raw, raw["counsellor"], "lease_expired", only_if_expired=True)
                count += 1
            except HandoffError:
                continue  # renewed or closed meanwhile
        return count

    async def reroute_waiting(self) -> None:
        """Waiting conversations follow opening hours: to whoever is open now."""
        profiles = await self.profiles()
        at = datetime.fromtimestamp(self.clock(), TOKYO)
        for raw in await self.queue.waiting():
            if raw.get("mode") != "live" or raw.get("pinned") == "1":
                continue
            found = route(
                profiles,
                at,
                category=raw.get("category") or None,
                lang=raw.get("lang") or None,
                age_group=raw.get("age_group") or None,
            )
            moved = (
                found.open_orgs
                and set(found.open_orgs) != set(decode_orgs(raw["orgs"]))
                and await self.queue.reroute(raw["id"], found.open_orgs)
            )
            if moved:
                await self._publish("queue.changed", {**raw, "orgs": encode_orgs(found.open_orgs)})

    async def refresh_positions(self) -> None:
        """Tell waiting people a changed position, at most every position_update_seconds."""
        now_ms = self._now_ms()
        interval_ms = self.config.timings.position_update_seconds * 1000
        waiting = await self.queue.waiting()
        positions = await self._positions(waiting)
        for raw in waiting:
            if raw.get("mode") != "live":
                continue
            position, estimate = positions[raw["id"]]
            told = int(raw.get("told_position") or 0)
            told_ms = int(raw.get("told_ms") or 0)
            if position != told and now_ms - told_ms >= interval_ms:
                await self._mark_told(raw["id"], position, now_ms)
                await self._tell(
                    raw["conv_id"],
                    "position",
                    {"position": position, "estimate_minutes": estimate},
                )

    # --- positions and estimates -----------------------------------------------------------

    async def _position_of(self, ticket_id: str) -> tuple[int, int | None]:
        routes = await self.queue.waiting_routes()
        return (await self._positions(routes)).get(ticket_id, (1, None))

    async def _positions(
        self, waiting: list[dict[str, Any]] | list[tuple[str, str]]
    ) -> dict[str, tuple[int, int | None]]:
        """Position among the waiting conversations that share an organisation (or the
        coordinators) with this one; an estimate only from real handle times."""
        pairs = [(w["id"], w["orgs"]) if isinstance(w, dict) else w for w in waiting]
        on_duty = await self._on_duty()
        handle = await self._median_handle_seconds()
        # Few distinct routings exist, so count the tickets seen so far per routing.
        seen: dict[str, tuple[frozenset[str], int]] = {}
        out: dict[str, tuple[int, int | None]] = {}
        for ticket_id, encoded in pairs:
            routes = frozenset(decode_orgs(encoded))
            ahead = sum(count for other, count in seen.values() if routes & other)
            seen[encoded] = (routes, seen.get(encoded, (routes, 0))[1] + 1)
            position = ahead + 1
            staff = sum(on_duty.get(r, 0) for r in routes)
            estimate = None
            if handle is not None and staff:
                estimate = max(1, math.ceil(position * handle / staff / 60))
            out[ticket_id] = (position, estimate)
        return out

    async def _median_handle_seconds(self) -> float | None:
        now = self.clock()
        if self._handle_cache is not None and self._handle_cache[0] > now:
            return self._handle_cache[1]
        since = int((now - HANDLE_SAMPLE_DAYS * 86400) * 1000)
        samples = await recent_handle_seconds(self.redis, since)
        median = statistics.median(samples) if len(samples) >= MIN_HANDLE_SAMPLES else None
        self._handle_cache = (now + HANDLE_CACHE_SECONDS, median)
        return median

    async def _mark_told(self, ticket_id: str, position: int, now_ms: int) -> None:
        await self.redis.hset(
            ticket_key(ticket_id), mapping={"told_position": position, "told_ms": now_ms}
        )

    # --- telling people and consoles -----------------------------------------------------

    async def _alert(self, raw: Mapping[str, Any], level: str, reasons: Any) -> bool:
        codes = [r for r in (str(x) for x in reasons) if REASON_CODE.match(r)]
        now_ms = self._now_ms()
        outcome = await self.queue.raise_risk(raw["id"], now_ms, level, codes)
        await self.redis.xadd(
            ALERTS,
            {
                "ticket": raw["id"],
                "level": level,
                "reasons": ",".join(codes),
                "at": now_ms,
                "orgs": raw.get("orgs", ""),
                "status": raw.get("status", ""),
            },
            maxlen=ALERTS_MAXLEN,
            approximate=True,
        )
        await self._publish("alert", raw, level=level, reasons=codes)
        return outcome.ok and outcome.detail == "1"

    async def _tell(self, conv_id: str, kind: HandoffEventKind, params: dict[str, Any]) -> None:
        # The change is already made: a failure to tell the person is logged (kind only,
        # never text) and the bot's recovery takes it from there.
        try:
            await self.bridge.post(conv_id, HandoffEvent(kind, params))
        except Exception:
            log.exception("could not post handoff event", extra={"kind": kind})

    async def _publish(self, kind: str, raw: Mapping[str, Any], **data: Any) -> None:
        await publish(
            self.redis,
            LiveUpdate(
                type=kind,
                ticket=raw.get("id"),
                orgs=decode_orgs(raw.get("orgs", "")),
                org=raw.get("org") or None,
                at=self.clock(),
                data=data,
            ),
        )

    # --- shapes --------------------------------------------------------------------------

    def item(self, raw: Mapping[str, Any], position: int | None = None) -> dict[str, Any]:
        """A ticket as the API shows it (no context, no text)."""
        risk = raw.get("risk") or "none"
        out = {
            "id": raw["id"],
            "status": raw["status"],
            "channel": raw.get("channel"),
            "mode": raw.get("mode", "live"),
            "priority": priority_of(risk),
            "risk": risk,
            "category": raw.get("category") or None,
            "lang": raw.get("lang") or None,
            "age_group": raw.get("age_group") or None,
            "orgs": list(decode_orgs(raw.get("orgs", ""))),
            "org": raw.get("org") or None,
            "counsellor": raw.get("counsellor") or None,
            "requested_at": iso(raw.get("requested_ms")),
            "waiting_since": iso(raw.get("enqueued_ms")),
            "claimed_at": iso(raw.get("claimed_ms")),
            "transfers": int(raw.get("transfers") or 0),
        }
        if position is not None:
            out["position"] = position
        return out

    def _as_ticket(
        self,
        raw: Mapping[str, Any],
        *,
        status: str | None = None,
        position: int | None = None,
        estimate: int | None = None,
        next_open: str | None = None,
    ) -> Ticket:
        def seconds(field: str) -> float | None:
            value = raw.get(field)
            return int(value) / 1000 if value else None

        return Ticket(
            id=raw["id"],
            conv_id=raw["conv_id"],
            status=status or raw["status"],
            channel=raw.get("channel", ""),
            risk=raw.get("risk") or "none",
            category=raw.get("category") or None,
            lang=raw.get("lang") or None,
            age_group=raw.get("age_group") or None,
            mode=raw.get("mode", "live"),
            orgs=decode_orgs(raw.get("orgs", "")),
            org=raw.get("org") or None,
            counsellor=raw.get("counsellor") or None,
            waiting_since=seconds("enqueued_ms"),
            claimed_at=seconds("claimed_ms"),
            position=position,
            estimate_minutes=estimate,
            next_open=next_open,
        )


def _checked_text(value: Any, limit: int, field: str = "text") -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid("required", field)
    if len(value) > limit:
        raise Invalid("too_long", field)
    return value
