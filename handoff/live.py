"""Live updates for consoles over Redis pub/sub, so every app process behind one Redis
hears of every change (a claim made through one process reaches a console on another).

Updates carry ids and routing, never message text: a console that hears
``ticket.message`` fetches the new messages through the API, which checks who may read
them. Pub/sub is fire-and-forget; a console that reconnects re-reads the queue.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from bot.store import keys
from handoff.model import Counsellor


@dataclass(frozen=True)
class LiveUpdate:
    # queue.changed | ticket.claimed | ticket.message | ticket.note | ticket.transferred |
    # ticket.released | ticket.closed | ticket.cancelled | ticket.ended | alert
    type: str
    ticket: str | None = None
    orgs: tuple[str, ...] = ()  # where the ticket is routed
    org: str | None = None  # who has it
    at: float = 0.0
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "ticket": self.ticket,
            "orgs": list(self.orgs),
            "org": self.org,
            "at": self.at,
            **self.data,
        }

    def visible_to(self, who: Counsellor) -> bool:
        """The same rule as the API's: a taken conversation is its organisation's alone;
        a waiting one is heard where it is routed (and by the organisation it left)."""
        if who.sees_every_queue:
            return True
        if self.org:
            return self.org == who.org
        return who.org in self.orgs or who.org == self.data.get("from_org")


async def publish(redis: Redis, update: LiveUpdate) -> None:
    await redis.publish(keys.handoff_channel(), json.dumps(update.as_json(), ensure_ascii=False))


def parse(raw: bytes | str) -> LiveUpdate:
    data = json.loads(raw)
    return LiveUpdate(
        type=data.pop("type"),
        ticket=data.pop("ticket", None),
        orgs=tuple(data.pop("orgs", ()) or ()),
        org=data.pop("org", None),
        at=float(data.pop("at", 0.0)),
        data=data,
    )


class Subscription:
    """``async with Subscription(redis, who) as sub``: subscribed on entry, so nothing
    published after entering is missed; ``await sub.next(timeout)`` gives the next update
    ``who`` may see, or None when the timeout passes first."""

    def __init__(self, redis: Redis, who: Counsellor | None = None) -> None:
        self.redis = redis
        self.who = who
        self._pubsub: PubSub | None = None

    async def __aenter__(self) -> Subscription:
        self._pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        await self._pubsub.subscribe(keys.handoff_channel())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._pubsub is not None:
            await self._pubsub.unsubscribe()
            await self._pubsub.aclose()

    async def next(self, timeout: float) -> LiveUpdate | None:
        assert self._pubsub is not None, "use Subscription in async with"
        deadline = asyncio.get_running_loop().time() + timeout
        while (left := deadline - asyncio.get_running_loop().time()) > 0:
            message = await self._pubsub.get_message(timeout=left)
            if message is None or message.get("type") != "message":
                continue
            update = parse(message["data"])
            if self.who is None or update.visible_to(self.who):
                return update
        return None
