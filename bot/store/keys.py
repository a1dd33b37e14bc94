"""Every Redis key tsunagari uses, in one place.

Layout rules (they keep the door open for Redis Cluster):
- Everything one conversation owns shares the hash tag ``{c:<conv_id>}``, so a Lua
  script that touches a conversation touches one slot.
- The handoff queue and its indexes share ``{handoff}``; its scripts touch only those.
- Counsellor accounts, tokens and organisations share ``{staff}``.
- Nothing else may build a key string: add a function here instead.

``conv_id`` is never a LINE user ID: it is a keyed hash of the channel and the
channel's user id (see ``bot.store.ids``), so keys, logs and URLs carry no identifier
that LINE or anyone else could link to a person.
"""

from __future__ import annotations

PREFIX = "tsg"


# --- one conversation -------------------------------------------------------------------


def _conv(conv_id: str) -> str:
    return f"{PREFIX}:{{c:{conv_id}}}"


def conversation(conv_id: str) -> str:
    """Hash: state, locale, flow data (JSON), address (how to reach the person), timestamps."""
    return f"{_conv(conv_id)}:conv"


def conversation_lock(conv_id: str) -> str:
    return f"{_conv(conv_id)}:lock"


def inbox(conv_id: str) -> str:
    """Stream of inbound events waiting to be processed in order."""
    return f"{_conv(conv_id)}:inbox"


def outbox(conv_id: str) -> str:
    """Stream of rendered messages for the web chat, replayed on reconnect by sequence."""
    return f"{_conv(conv_id)}:outbox"


def seen_event(conv_id: str, event_id: str) -> str:
    """Marker that an inbound event (LINE webhookEventId, web chat client id) was taken in."""
    return f"{_conv(conv_id)}:seen:{event_id}"


def transcript(conv_id: str) -> str:
    """Stream of the conversation's messages (both directions) kept for the counsellor."""
    return f"{_conv(conv_id)}:transcript"


def conversation_keys(conv_id: str) -> list[str]:
    """The fixed keys of one conversation, for deletion (``seen`` markers expire by TTL)."""
    return [
        conversation(conv_id),
        inbox(conv_id),
        outbox(conv_id),
        transcript(conv_id),
    ]


# --- indexes across conversations -------------------------------------------------------


def pending_inboxes() -> str:
    """Sorted set of conv_ids whose inbox has entries (score: time added), for recovery."""
    return f"{PREFIX}:inbox:pending"


def outbox_channel(conv_id: str) -> str:
    """Pub/sub channel that announces new outbox entries to the process holding the socket."""
    return f"{PREFIX}:out:{conv_id}"


OUTBOX_PATTERN = f"{PREFIX}:out:*"


def app_secret() -> str:
    """The generated secret used when TSUNAGARI_SECRET is not set (embedded mode only)."""
    return f"{PREFIX}:secret"


def risk_events() -> str:
    """Stream of risk events without text: level, reason codes, channel, time."""
    return f"{PREFIX}:stats:risk"


def result_sheet(sheet_id: str) -> str:
    """A result sheet's contents for its expiring download link."""
    return f"{PREFIX}:sheet:{sheet_id}"


# --- handoff (queue and routing) ----------------------------------------------------------

HANDOFF_TAG = "{handoff}"


def handoff(name: str) -> str:
    """Keys of the handoff queue: all under one hash tag so its Lua scripts touch one slot.

    Names used: ``queue`` (zset of ticket ids by priority score), ``ticket:<id>`` (hash),
    ``active`` (hash ticket id -> counsellor), ``by_conv`` (hash conv_id -> ticket id),
    ``events`` (stream of queue events for statistics), ``load:<login>`` (set of tickets).
    """
    return f"{PREFIX}:{HANDOFF_TAG}:{name}"


def handoff_channel() -> str:
    """Pub/sub channel for live console updates (queue changes, messages, alerts)."""
    return f"{PREFIX}:handoff:live"


# --- staff (organisations, counsellors, tokens) ---------------------------------------------

STAFF_TAG = "{staff}"


def staff(name: str) -> str:
    """Keys for partner organisations and counsellors: ``org:<id>``, ``orgs``,
    ``user:<login>``, ``users``, ``token:<sha256>``, ``login_attempts:<login>``."""
    return f"{PREFIX}:{STAFF_TAG}:{name}"


def stream_ticket(digest: str) -> str:
    """A one-time ticket for the console's live-update stream (EventSource cannot send an
    Authorization header): the login it stands for, kept by the SHA-256 of the ticket."""
    return staff(f"stream_ticket:{digest}")


def handoff_ticket(ticket_id: str) -> str:
    """Hash: one request for a counsellor (status, routing, sealed context)."""
    return handoff(f"ticket:{ticket_id}")


def handoff_load(login: str) -> str:
    """Set: the tickets a counsellor holds now (for the per-counsellor limit)."""
    return handoff(f"load:{login}")


def handoff_history(conv_id: str) -> str:
    """List: a conversation's closed tickets, deleted with the person's data."""
    return handoff(f"history:{conv_id}")


HANDOFF_QUEUE = handoff("queue")
HANDOFF_LEASES = handoff("leases")
HANDOFF_BY_CONV = handoff("by_conv")
HANDOFF_EVENTS = handoff("events")
HANDOFF_PRESENCE = handoff("presence")
HANDOFF_ALERTS = handoff("alerts")
HANDOFF_SWEEP_LOCK = handoff("sweep_lock")
HANDOFF_TICKET_SEQUENCE = handoff("ticket_seq")


def staff_org(org_id: str) -> str:
    return staff(f"org:{org_id}")


def staff_user(login: str) -> str:
    return staff(f"user:{login}")


def staff_org_members(org_id: str) -> str:
    """Set: the counsellors and supervisors of an organisation (it answers if non-empty)."""
    return staff(f"org_staff:{org_id}")


def staff_token(token_digest: str) -> str:
    return staff(f"token:{token_digest}")


def staff_login_failures(login: str) -> str:
    return staff(f"login_attempts:{login}")


def staff_address_failures(address_digest: str) -> str:
    return staff(f"login_attempts:addr:{address_digest}")


STAFF_ORGS = staff("orgs")
STAFF_USERS = staff("users")
