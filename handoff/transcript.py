"""A conversation's transcript for the counsellor side, encrypted at rest.

One Redis stream per conversation (``keys.transcript``); each entry is one sealed JSON
object ``{role, text, at, author}``, so neither the words nor who wrote them can be read
from the raw store. The stream entry id is the message id the console and the bot use.

Roles: ``person``, ``counsellor``, ``bot``, ``note`` (private: a counsellor's note,
never sent to the person) and ``system`` (``text`` is an event code such as
``claimed``; the console renders it from its locale).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from redis.asyncio import Redis

from bot.store import keys
from handoff.model import text as as_text
from handoff.sealing import Sealer

EntryRole = Literal["person", "counsellor", "bot", "note", "system"]
ROLES: frozenset[str] = frozenset({"person", "counsellor", "bot", "note", "system"})
PRIVATE_ROLES: frozenset[str] = frozenset({"note"})
# A long consultation has a few hundred messages; the cap only stops a runaway.
MAX_ENTRIES = 10_000
SEAL_FIELD = b"x"


@dataclass(frozen=True)
class TranscriptEntry:
    id: str
    role: str
    text: str
    at: float
    author: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class Transcript:
    """Needs a client that returns bytes (``decode_responses=False``, as the app's is)."""

    def __init__(self, redis: Redis, key: bytes, ttl_seconds: int | None = None) -> None:
        self.redis = redis
        self.sealer = Sealer(key)
        self.ttl_seconds = ttl_seconds

    def _context(self, conv_id: str) -> str:
        return f"transcript:{conv_id}"

    async def append(
        self, conv_id: str, role: EntryRole, text: str, at: float, author: str | None = None
    ) -> str:
        if role not in ROLES:
            raise ValueError(f"unknown transcript role {role!r}")
        sealed = self.sealer.seal_json(
            {"role": role, "text": text, "at": at, "author": author}, self._context(conv_id)
        )
        key = keys.transcript(conv_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(key, {SEAL_FIELD: sealed}, maxlen=MAX_ENTRIES, approximate=True)
            if self.ttl_seconds:
                pipe.expire(key, self.ttl_seconds)
            entry_id, *_ = await pipe.execute()
        return as_text(entry_id)

    async def read(
        self,
        conv_id: str,
        *,
        include_private: bool = True,
        after: str | None = None,
        limit: int = 1000,
    ) -> list[TranscriptEntry]:
        """Entries oldest first; ``after`` an entry id gives only newer ones."""
        start = f"({after}" if after else "-"
        raw = await self.redis.xrange(keys.transcript(conv_id), min=start, max="+", count=limit)
        entries = []
        for entry_id, fields in raw or []:
            sealed = (fields or {})[SEAL_FIELD]
            assert isinstance(sealed, bytes), "the client must not decode responses"
            data = self.sealer.open_json(sealed, self._context(conv_id))
            if not include_private and data["role"] in PRIVATE_ROLES:
                continue
            entries.append(
                TranscriptEntry(
                    id=as_text(entry_id),
                    role=data["role"],
                    text=data["text"],
                    at=float(data["at"]),
                    author=data.get("author"),
                )
            )
        return entries

    async def delete(self, conv_id: str) -> None:
        await self.redis.delete(keys.transcript(conv_id))
