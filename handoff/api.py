"""The counsellor API: JSON over HTTP under /api, documented in ``handoff/openapi.yaml``
(served as /api/openapi.json).

Views are thin: check the caller, parse, call the ``HandoffService``, answer. Every
answer is JSON, errors included (``{"error": code, "field": ...}``); bad input is a 4xx,
never a 5xx. Another organisation's conversations answer 404, as if they did not exist.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

from handoff.appkeys import handoff_service_key, staff_key
from handoff.live import Subscription
from handoff.model import Counsellor, Ticket
from handoff.records import RecordInvalid
from handoff.routing import TOKYO
from handoff.service import (
    HandoffError,
    HandoffService,
    Invalid,
    TransferTarget,
    priority_of,
)
from handoff.staff import LoginRefused, LoginThrottled, StaffDirectory
from handoff.stream_tickets import (
    STREAM_TICKET_SECONDS,
    issue_stream_ticket,
    redeem_stream_ticket,
)

log = logging.getLogger(__name__)

OPENAPI_FILE = Path(__file__).with_name("openapi.yaml")
PUBLIC_ROUTES = frozenset({"login", "openapi"})
# Routes a browser opens without headers (EventSource): a one-time ticket stands in for
# the bearer token there, and only there.
TICKET_ROUTES = frozenset({"events"})
DEFAULT_STATS_DAYS = 7
SSE_KEEPALIVE_SECONDS = 15.0
_WHO = web.RequestKey("handoff_who", Counsellor)
_TOKEN = web.RequestKey("handoff_token", str)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _json(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def error(status: int, code: str, **extra: Any) -> web.Response:
    body = {"error": code, **{k: v for k, v in extra.items() if v is not None}}
    return _json(body, status=status)


def _service(request: web.Request) -> HandoffService:
    return request.config_dict[handoff_service_key]


def _staff(request: web.Request) -> StaffDirectory:
    return request.config_dict[staff_key]


def _bearer(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Authentication for every route but login and the document; JSON errors always."""
    try:
        route_name = request.match_info.route.name
        if route_name not in PUBLIC_ROUTES and request.match_info.http_exception is None:
            token = _bearer(request)
            if token:
                who = await _staff(request).authenticate(token)
            elif route_name in TICKET_ROUTES and "ticket" in request.query:
                who = await _ticket_holder(request, request.query["ticket"])
            else:
                who = None
            if who is None:
                response = error(401, "unauthorized")
                response.headers["WWW-Authenticate"] = "Bearer"
                return response
            request[_WHO] = who
            request[_TOKEN] = token or ""
            await _service(request).heartbeat(who)
        return await handler(request)
    except HandoffError as exc:
        return error(exc.status, exc.code, field=exc.field)
    except RecordInvalid as exc:
        return error(
            422,
            "invalid_record",
            field=exc.problems[0].field,
            problems=[p.as_json() for p in exc.problems],
        )
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        response = error(exc.status, exc.reason.lower().replace(" ", "_"))
        if "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:
        log.exception("api error", extra={"path": request.path})
        return error(500, "internal")


async def _ticket_holder(request: web.Request, ticket: str) -> Counsellor | None:
    login = await redeem_stream_ticket(_service(request).redis, ticket)
    return await _staff(request).counsellor(login) if login else None


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise HandoffError("invalid_json") from None
    if not isinstance(body, dict):
        raise HandoffError("invalid_json")
    return body


def _field(body: dict[str, Any], name: str, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise Invalid("required", name)
        return None
    if not isinstance(value, str):
        raise Invalid("invalid", name)
    return value


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    """A ticket right after a change (the caller may no longer see it, after a transfer)."""
    return {
        "id": ticket.id,
        "status": ticket.status,
        "risk": ticket.risk,
        "priority": priority_of(ticket.risk),
        "orgs": list(ticket.orgs),
        "org": ticket.org,
        "counsellor": ticket.counsellor,
        "position": ticket.position,
        "estimate_minutes": ticket.estimate_minutes,
    }


# --- signing in ------------------------------------------------------------------------------


async def login(request: web.Request) -> web.Response:
    body = await _body(request)
    name, password = _field(body, "login"), _field(body, "password")
    assert name is not None and password is not None
    staff = _staff(request)
    try:
        token = await staff.login(name, password, address=request.remote)
    except LoginThrottled as exc:
        response = error(429, "too_many_attempts")
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except LoginRefused:
        return error(401, "invalid_credentials")
    return _json({"token": token, "expires_in": staff.token_ttl_seconds})


async def logout(request: web.Request) -> web.Response:
    await _staff(request).logout(request[_TOKEN])
    return _json({"ok": True})


async def me(request: web.Request) -> web.Response:
    who = request[_WHO]
    return _json(
        {
            "login": who.login,
            "org": who.org,
            "role": who.role,
            "name": who.name,
            "org_name": await _service(request).org_name(who.org),
        }
    )


async def orgs(request: web.Request) -> web.Response:
    """Organisations that take conversations now, for the transfer form."""
    service = _service(request)
    return _json(
        {
            "orgs": [
                {"id": p.id, "name": await service.org_name(p.id)}
                for p in await service.profiles()
            ]
        }
    )


async def heartbeat(request: web.Request) -> web.Response:
    # The guard already renewed presence and leases for this caller.
    return _json({"ok": True})


# --- queue and conversations -------------------------------------------------------------


async def queue(request: web.Request) -> web.Response:
    return _json({"waiting": await _service(request).waiting_for(request[_WHO])})


async def conversations(request: web.Request) -> web.Response:
    found = await _service(request).conversations_for(request[_WHO])
    return _json({"conversations": found})


async def conversation(request: web.Request) -> web.Response:
    detail = await _service(request).detail(request.match_info["id"], request[_WHO])
    return _json(detail)


async def claim(request: web.Request) -> web.Response:
    service = _service(request)
    ticket = await service.claim(request.match_info["id"], request[_WHO])
    return _json(await service.detail(ticket.id, request[_WHO]))


async def release(request: web.Request) -> web.Response:
    ticket = await _service(request).release(request.match_info["id"], request[_WHO])
    return _json(ticket_json(ticket))


async def messages(request: web.Request) -> web.Response:
    after = request.query.get("after") or None
    if after is not None and not _is_entry_id(after):
        raise Invalid("invalid", "after")
    entries = await _service(request).messages(request.match_info["id"], request[_WHO], after)
    return _json({"messages": [e.as_json() for e in entries]})


def _is_entry_id(value: str) -> bool:
    ms, _, seq = value.partition("-")
    return ms.isdigit() and seq.isdigit() and len(value) <= 41


async def send(request: web.Request) -> web.Response:
    body = await _body(request)
    message_id = await _service(request).send(
        request.match_info["id"], request[_WHO], _field(body, "text", required=False) or ""
    )
    return _json({"id": message_id}, status=201)


async def note(request: web.Request) -> web.Response:
    body = await _body(request)
    note_id = await _service(request).note(
        request.match_info["id"], request[_WHO], _field(body, "text", required=False) or ""
    )
    return _json({"id": note_id}, status=201)


async def transfer(request: web.Request) -> web.Response:
    body = await _body(request)
    kind = _field(body, "to")
    if kind not in ("org", "coordinator", "queue"):
        raise Invalid("unknown_value", "to")
    if kind == "org" and not body.get("org"):
        raise Invalid("required", "org")
    target = TransferTarget(
        kind=kind,
        org=_field(body, "org", False),
        category=_field(body, "category", False),
        lang=_field(body, "lang", False),
        age_group=_field(body, "age_group", False),
    )
    ticket = await _service(request).transfer(
        request.match_info["id"], request[_WHO], target, note=_field(body, "note", False)
    )
    return _json(ticket_json(ticket))


async def close(request: web.Request) -> web.Response:
    body = await _body(request)
    if "record" not in body:
        raise Invalid("required", "record")
    await _service(request).close(request.match_info["id"], request[_WHO], body["record"])
    return _json({"id": request.match_info["id"], "status": "closed"})


# --- the rest --------------------------------------------------------------------------------


async def canned(request: web.Request) -> web.Response:
    return _json({"canned_replies": await _service(request).canned(request[_WHO])})


async def alerts(request: web.Request) -> web.Response:
    return _json({"alerts": await _service(request).alerts(request[_WHO])})


async def stats(request: web.Request) -> web.Response:
    # The end is exclusive; by default it is just after now, so now's events count.
    now = datetime.fromtimestamp(_service(request).clock(), TOKYO) + timedelta(milliseconds=1)
    end = _moment(request.query.get("to"), "to", end_of_day=True) or now
    start = _moment(request.query.get("from"), "from") or end - timedelta(DEFAULT_STATS_DAYS)
    if start >= end:
        raise Invalid("invalid", "from")
    figures = await _service(request).stats(request[_WHO], start.timestamp(), end.timestamp())
    return _json(figures)


def _moment(raw: str | None, field: str, end_of_day: bool = False) -> datetime | None:
    """ISO date or date-time; no offset means Asia/Tokyo; a date ``to`` includes that day."""
    if not raw:
        return None
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            moment = datetime.combine(day, time(0), tzinfo=TOKYO)
            return moment + timedelta(days=1) if end_of_day else moment
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise Invalid("invalid", field) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=TOKYO)


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: live updates this caller may see, keep-alives in between (which
    also keep the caller on duty and their claims alive while the stream is open)."""
    who, service = request[_WHO], _service(request)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    keepalive = min(SSE_KEEPALIVE_SECONDS, service.config.timings.lease_seconds / 3)
    async with Subscription(service.redis, who) as subscription:
        await response.write(b": connected\n\n")
        while True:
            update = await subscription.next(timeout=keepalive)
            if update is None:
                await service.heartbeat(who)
                await response.write(b": keepalive\n\n")
                continue
            payload = json.dumps(update.as_json(), ensure_ascii=False)
            await response.write(f"event: {update.type}\ndata: {payload}\n\n".encode())


async def events_ticket(request: web.Request) -> web.Response:
    ticket = await issue_stream_ticket(_service(request).redis, request[_WHO].login)
    return _json({"ticket": ticket, "expires_in": STREAM_TICKET_SECONDS}, status=201)


@cache
def openapi_document() -> dict[str, Any]:
    return yaml.safe_load(OPENAPI_FILE.read_text(encoding="utf-8"))


async def openapi(request: web.Request) -> web.Response:
    return _json(openapi_document())


def setup_api_routes(app: web.Application) -> web.Application:
    """Mount the counsellor API under /api (a sub-application with its own error and
    authentication middleware). ``app`` must hold ``handoff_service_key`` and
    ``staff_key``. Returns the sub-application."""
    api = web.Application(middlewares=[guard])
    api.add_routes(
        [
            web.get("/openapi.json", openapi, name="openapi"),
            web.post("/login", login, name="login"),
            web.post("/logout", logout, name="logout"),
            web.get("/me", me, name="me"),
            web.post("/heartbeat", heartbeat, name="heartbeat"),
            web.get("/queue", queue, name="queue"),
            web.get("/conversations", conversations, name="conversations"),
            web.get("/conversations/{id}", conversation, name="conversation"),
            web.post("/conversations/{id}/claim", claim, name="claim"),
            web.post("/conversations/{id}/release", release, name="release"),
            web.get("/conversations/{id}/messages", messages, name="messages"),
            web.post("/conversations/{id}/messages", send, name="send"),
            web.post("/conversations/{id}/notes", note, name="note"),
            web.post("/conversations/{id}/transfer", transfer, name="transfer"),
            web.post("/conversations/{id}/close", close, name="close"),
            web.get("/canned", canned, name="canned"),
            web.get("/alerts", alerts, name="alerts"),
            web.get("/stats", stats, name="stats"),
            web.get("/events", events, name="events"),
            web.post("/events/ticket", events_ticket, name="events_ticket"),
            web.get("/orgs", orgs, name="orgs"),
        ]
    )
    app.add_subapp("/api", api)
    return api
