"""Transcripts and handoff context are encrypted at rest; private notes stay private."""

from __future__ import annotations

from typing import Any

import pytest
import test_handoff_support as support
from cryptography.exceptions import InvalidTag
from redis.asyncio import Redis
from test_handoff_support import TRANSCRIPT_KEY, add_people, context

from bot.store import keys
from handoff.service import HandoffService
from handoff.staff import StaffDirectory
from handoff.transcript import Transcript

# Fixtures shared by the handoff tests.
bridge, clock, make_service, service, staff = (
    support.bridge,
    support.clock,
    support.make_service,
    support.service,
    support.staff,
)


SECRET = "死にたいと思うことがある"


async def every_stored_byte(redis: Redis) -> bytes:
    """Every key and value as stored, read raw by type (DUMP would compress them)."""
    blobs: list[Any] = []
    async for key in redis.scan_iter(count=1000):
        blobs.append(key)
        kind = await redis.type(key)
        if kind == b"string":
            blobs.append(await redis.get(key))
        elif kind == b"hash":
            for field, value in (await redis.hgetall(key)).items():
                blobs += [field, value]
        elif kind == b"stream":
            for _entry_id, fields in await redis.xrange(key) or []:
                for field, value in (fields or {}).items():
                    blobs += [field, value]
        elif kind == b"set":
            blobs += list(await redis.smembers(key))
        elif kind == b"zset":
            blobs += await redis.zrange(key, 0, -1)
        else:
            raise AssertionError(f"unexpected key type {kind!r}")
    return b"\x00".join(blobs)


async def test_the_scan_would_see_plain_text(redis_client: Redis) -> None:
    await redis_client.xadd(keys.transcript("plain"), {"t": SECRET})
    assert SECRET.encode() in await every_stored_byte(redis_client)


async def test_raw_redis_holds_no_message_text(
    service: HandoffService, staff: StaffDirectory, redis_client: Redis
) -> None:
    [alice] = await add_people(staff, "npo", "alice")
    ticket = await service.request(
        "c1",
        "line",
        context(summary={"worry": "家族との関係がつらい"}, results_shown=["いのちの電話"]),
    )
    await service.claim(ticket.id, alice)
    await service.person_message("c1", SECRET)
    await service.send(ticket.id, alice, "教えてくれてありがとう")
    await service.note(ticket.id, alice, "希死念慮あり、要見守り")

    stored = await every_stored_byte(redis_client)

    for phrase in (SECRET, "教えてくれてありがとう", "希死念慮", "家族との関係", "いのちの電話"):
        assert phrase.encode() not in stored, phrase
    texts = [e.text for e in await service.messages(ticket.id, alice)]
    assert SECRET in texts and "希死念慮あり、要見守り" in texts
    assert (await service.detail(ticket.id, alice))["context"]["summary"] == {
        "worry": "家族との関係がつらい"
    }


async def test_private_notes_are_left_out_on_request(redis_client: Redis) -> None:
    transcript = Transcript(redis_client, TRANSCRIPT_KEY)
    await transcript.append("c1", "person", "こんにちは", 1.0)
    await transcript.append("c1", "note", "内部メモ", 2.0, author="alice")
    await transcript.append("c1", "counsellor", "こんにちは。", 3.0, author="alice")

    shared = await transcript.read("c1", include_private=False)
    everything = await transcript.read("c1")

    assert [e.role for e in shared] == ["person", "counsellor"]
    assert [e.role for e in everything] == ["person", "note", "counsellor"]
    assert everything[1].author == "alice" and everything[1].at == 2.0
    with pytest.raises(ValueError):
        await transcript.append("c1", "robot", "x", 4.0)  # type: ignore[arg-type]


async def test_a_wrong_key_or_a_moved_entry_does_not_decrypt(redis_client: Redis) -> None:
    await Transcript(redis_client, TRANSCRIPT_KEY).append("c1", "person", SECRET, 1.0)
    with pytest.raises(InvalidTag):
        await Transcript(redis_client, bytes(32)).read("c1")
    # Copying the sealed entry into another conversation's transcript does not open it there.
    [(_entry_id, fields)] = await redis_client.xrange(keys.transcript("c1"))  # type: ignore[misc]
    await redis_client.xadd(keys.transcript("c2"), fields)  # type: ignore[arg-type]
    with pytest.raises(InvalidTag):
        await Transcript(redis_client, TRANSCRIPT_KEY).read("c2")
    with pytest.raises(ValueError):
        Transcript(redis_client, b"short")
