"""The runner: every inbound event, from any channel, goes through here in order.

1. ``submit``: the event is taken in durably (Redis stream per conversation), once:
   a redelivered event (same id) is dropped. Only then does a webhook answer 200.
2. ``drain``: under the conversation lock, events are processed oldest first: load →
   risk check → engine or handoff → save (and remove the event, in one transaction)
   → render → send. Any process may drain any conversation; a sweeper drains
   inboxes a crashed process left behind.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any

from redis.asyncio import Redis

from bot.channels.base import Channel, Delivery, DeliveryError, InboundEvent
from bot.engine.conversation import Address, Conversation
from bot.engine.machine import Engine
from bot.i18n import Locales
from bot.messages import Reply
from bot.responder import Responder
from bot.store import keys
from bot.store.conversations import ConversationStore
from bot.store.ids import conversation_id
from bot.store.values import text, text_map

log = logging.getLogger(__name__)

SEEN_TTL_S = 7 * 86400  # LINE redelivers for a while; a week is ample
INBOX_BATCH = 20
SWEEP_AFTER_S = 30  # an inbox untouched this long belongs to no live drain

# Take an event in exactly once: the seen-marker and the inbox share the conversation's
# hash tag, so this runs on one slot (Redis Cluster).
SUBMIT_SCRIPT = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  local id = redis.call('XADD', KEYS[2], '*', 'e', ARGV[2])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  return id
end
return false
"""


class Runner:
    def __init__(
        self,
        redis: Redis,
        store: ConversationStore,
        engine: Engine,
        responder: Responder,
        channels: Mapping[str, Channel],
        locales: Locales,
        secret: bytes,
    ) -> None:
        self.redis = redis
        self.store = store
        self.engine = engine
        self.responder = responder
        self.channels = dict(channels)
        self.locales = locales
        self.secret = secret
        self._submit = redis.register_script(SUBMIT_SCRIPT)
        self._drains: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    def conv_id(self, channel: str, user_id: str) -> str:
        return conversation_id(self.secret, channel, user_id)

    # --- taking events in -----------------------------------------------------------------

    async def submit(self, event: InboundEvent, *, drain: bool = True) -> bool:
        """Take ``event`` in; False when it was a duplicate. Drains in the background."""
        conv_id = self.conv_id(event.channel, event.user_id)
        added = await self._submit(
            keys=[keys.seen_event(conv_id, event.event_id), keys.inbox(conv_id)],
            args=[SEEN_TTL_S, event.to_json(), self.store.ttl],
        )
        if not added:
            log.info("duplicate event dropped", extra={"channel": event.channel})
            return False
        await self.redis.zadd(keys.pending_inboxes(), {conv_id: time.time()})
        if drain:
            self.schedule_drain(conv_id)
        return True

    async def post_to_conversation(self, conv_id: str, event: InboundEvent) -> None:
        """For events that come from our side (the counsellor console) for a known conv."""
        await self._submit(
            keys=[keys.seen_event(conv_id, event.event_id), keys.inbox(conv_id)],
            args=[SEEN_TTL_S, event.to_json(), self.store.ttl],
        )
        await self.redis.zadd(keys.pending_inboxes(), {conv_id: time.time()})
        self.schedule_drain(conv_id)

    def schedule_drain(self, conv_id: str) -> None:
        """Start (or chain after the running one) a drain of this conversation's inbox.

        Chaining keeps events of one person in order within this process; the Redis
        lock keeps them in order across processes.
        """
        previous = self._drains.get(conv_id)

        async def run() -> None:
            if previous is not None and not previous.done():
                # Wait for the earlier drain, whatever its end: a failed one must not keep
                # this one from running (its error is logged by its own callback).
                await asyncio.wait([previous])
            await self.drain(conv_id)

        task = asyncio.create_task(run())
        self._drains[conv_id] = task
        self._tasks.add(task)

        def done(t: asyncio.Task[None]) -> None:
            self._tasks.discard(t)
            if self._drains.get(conv_id) is t:
                del self._drains[conv_id]
            if not t.cancelled() and t.exception() is not None:
                log.error("drain failed", exc_info=t.exception())

        task.add_done_callback(done)

    async def idle(self) -> None:
        """Wait until every scheduled drain has finished (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # --- processing -----------------------------------------------------------------------

    async def drain(self, conv_id: str) -> None:
        inbox = keys.inbox(conv_id)
        async with self.store.locked(conv_id):
            while entries := await self.redis.xrange(inbox, count=INBOX_BATCH):
                for entry_id, fields in entries:
                    await self._process_entry(conv_id, text(entry_id), text_map(fields or {}))
        # Clear the recovery index only when the inbox is really empty; check again after
        # removing so an event added meanwhile is never left without an index entry.
        if await self.redis.xlen(inbox) == 0:
            await self.redis.zrem(keys.pending_inboxes(), conv_id)
            if await self.redis.xlen(inbox):
                await self.redis.zadd(keys.pending_inboxes(), {conv_id: time.time()})

    async def _process_entry(self, conv_id: str, entry_id: str, fields: dict[str, str]) -> None:
        inbox = keys.inbox(conv_id)
        try:
            event = InboundEvent.from_json(fields["e"])
        except (KeyError, TypeError, ValueError):
            log.error("unreadable inbox entry dropped")
            await self.redis.xdel(inbox, entry_id)
            return
        conv = await self.store.load(conv_id)
        try:
            conv, reply = await self.responder.respond(conv, conv_id, event)
        except Exception:
            # One event must never block the conversation behind it. The person is told
            # something went wrong rather than left with silence.
            log.exception("event failed", extra={"kind": event.kind, "channel": event.channel})
            reply = Reply()
            reply.say("common.error")
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xdel(inbox, entry_id)
            if conv is not None and not conv.forget:
                self.store.save_commands(pipe, conv)
            await pipe.execute()
        if conv is not None and conv.forget:
            await self.forget(conv)
            if not reply:
                return
        if reply:
            await self.deliver(conv_id, conv, event, reply)

    async def deliver(
        self, conv_id: str, conv: Conversation | None, event: InboundEvent, reply: Reply
    ) -> None:
        address = conv.address if conv else Address(event.channel, event.user_id)
        locale = conv.locale if conv else self.locales.default
        channel = self.channels.get(address.channel)
        if channel is None:
            log.warning("no channel to answer on", extra={"channel": address.channel})
            return
        rendered = self.locales.render(reply, locale)
        idem = hashlib.sha256(f"{conv_id}:{event.event_id}".encode()).digest()[:16]
        delivery = Delivery(
            user_id=address.user_id,
            reply_token=event.reply_token,
            idempotency_key=str(uuid.UUID(bytes=idem)),
            conv_id=conv_id,
        )
        try:
            await channel.send(delivery, rendered)
        except DeliveryError:
            log.error("reply not delivered", extra={"channel": address.channel})

    async def forget(self, conv: Conversation) -> None:
        await self.store.delete(conv.conv_id)
        channel = self.channels.get(conv.address.channel)
        if channel is not None:
            await channel.forget(conv.address.user_id)

    # --- recovery -------------------------------------------------------------------------

    async def sweep_once(self) -> int:
        """Drain inboxes that nobody is draining (a process died after taking events in)."""
        stale = await self.redis.zrangebyscore(
            keys.pending_inboxes(), 0, time.time() - SWEEP_AFTER_S, start=0, num=100
        )
        for raw in stale:
            conv_id = text(raw)
            if conv_id not in self._drains:
                self.schedule_drain(conv_id)
        return len(stale)

    async def sweep_forever(self, interval_s: float = 10.0) -> None:
        while True:
            try:
                await self.sweep_once()
            except Exception:
                log.exception("sweep failed")
            await asyncio.sleep(interval_s)
