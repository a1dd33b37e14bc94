"""Conversations in Redis: one hash per conversation, with a TTL (retention limit).

Loading happens only under the conversation lock (lock, then load: a state read
before the lock could be stale by the time it is saved).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.asyncio.lock import Lock

from bot.engine.conversation import Address, Conversation
from bot.store import keys
from bot.store.values import text_map

LOCK_TIMEOUT_S = 60  # longer than the slowest event (a LINE call times out sooner)
LOCK_WAIT_S = 90


class ConversationStore:
    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        self.redis = redis
        self.ttl = ttl_seconds

    @asynccontextmanager
    async def locked(self, conv_id: str) -> AsyncIterator[None]:
        lock = Lock(
            self.redis,
            keys.conversation_lock(conv_id),
            timeout=LOCK_TIMEOUT_S,
            blocking_timeout=LOCK_WAIT_S,
        )
        if not await lock.acquire():
            raise TimeoutError("conversation lock not acquired")
        try:
            yield
        finally:
            # The lock may have expired under a very slow event; nothing else to undo then.
            if await lock.owned():
                await lock.release()

    async def exists(self, conv_id: str) -> bool:
        return bool(await self.redis.exists(keys.conversation(conv_id)))

    async def load(self, conv_id: str) -> Conversation | None:
        raw = await self.redis.hgetall(keys.conversation(conv_id))
        if not raw:
            return None
        f = text_map(raw)
        address = json.loads(f["address"])
        return Conversation(
            conv_id=conv_id,
            address=Address(address["channel"], address["user_id"]),
            state=f["state"],
            locale=f["locale"],
            data=json.loads(f.get("data", "{}")),
            mode=f.get("mode", "bot"),
            created_at=float(f.get("created_at", time.time())),
            updated_at=float(f.get("updated_at", time.time())),
        )

    def save_commands(self, pipe: Redis, conv: Conversation) -> None:
        """Queue the writes that save ``conv`` on ``pipe`` (a MULTI of the same slot)."""
        conv.updated_at = time.time()
        key = keys.conversation(conv.conv_id)
        pipe.hset(
            key,
            mapping={
                "state": conv.state,
                "locale": conv.locale,
                "mode": conv.mode,
                "data": json.dumps(conv.data, ensure_ascii=False, separators=(",", ":")),
                "address": json.dumps(conv.address.to_json(), separators=(",", ":")),
                "created_at": f"{conv.created_at:.3f}",
                "updated_at": f"{conv.updated_at:.3f}",
            },
        )
        pipe.expire(key, self.ttl)
        pipe.expire(keys.outbox(conv.conv_id), self.ttl)

    async def save(self, conv: Conversation) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            self.save_commands(pipe, conv)
            await pipe.execute()

    async def delete(self, conv_id: str) -> None:
        """Remove everything stored about the conversation (unfollow, "delete my data")."""
        await self.redis.delete(*keys.conversation_keys(conv_id))
