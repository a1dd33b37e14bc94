"""Conversation ids: a keyed hash of (channel, user id), never the raw identifier."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from redis.asyncio import Redis

from bot.store import keys
from bot.store.values import text


def conversation_id(secret: bytes, channel: str, user_id: str) -> str:
    digest = hmac.new(secret, f"{channel}\x00{user_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:15]).decode().lower()


async def load_or_create_secret(redis: Redis, configured: str | None) -> bytes:
    """The configured secret, or one generated once and kept in the store.

    Several processes share one store, so they must share the secret too: SET NX makes
    the first writer win and everyone reads the same value back.
    """
    if configured:
        return configured.encode()
    await redis.set(keys.app_secret(), secrets.token_urlsafe(32), nx=True)
    stored = text(await redis.get(keys.app_secret()))
    assert stored, "the secret was just set"
    return stored.encode()
