"""One-time tickets for the console's live-update stream.

A browser's ``EventSource`` cannot send an ``Authorization`` header, and the long-lived
bearer token must never travel in a URL (URLs end up in access logs and history). So a
signed-in console asks ``POST /api/events/ticket`` for a ticket and opens
``/api/events?ticket=...``: the ticket is random, good for one stream only, and lapses
after ``STREAM_TICKET_SECONDS``. Only its SHA-256 is stored, like the bearer tokens.
"""

from __future__ import annotations

import secrets

from redis.asyncio import Redis

from bot.store import keys
from handoff.model import text
from handoff.staff import token_digest

STREAM_TICKET_SECONDS = 60


async def issue_stream_ticket(redis: Redis, login: str) -> str:
    ticket = secrets.token_urlsafe(32)
    await redis.set(keys.stream_ticket(token_digest(ticket)), login, ex=STREAM_TICKET_SECONDS)
    return ticket


async def redeem_stream_ticket(redis: Redis, ticket: str) -> str | None:
    """The login the ticket was issued to, once; None if unknown, used or lapsed."""
    if not ticket or len(ticket) > 128:
        return None
    login = await redis.getdel(keys.stream_ticket(token_digest(ticket)))
    return text(login) or None
