"""Conversation transcripts in YAML: what the person does → which keys the bot says, and where
the conversation ends up. They assert on keys and states, so they keep passing when the
wording or the language changes (Rasa's end-to-end tests work the same way)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from redis.asyncio import Redis

from bot.channels.base import Channel, Delivery, InboundEvent
from bot.components import load_bot
from bot.messages import RenderedCards, RenderedReply, RenderedText
from bot.settings import Settings

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.yaml"))


class RecordingChannel(Channel):
    name = "test"

    def __init__(self) -> None:
        self.replies: list[RenderedReply] = []

    async def send(self, delivery: Delivery, reply: RenderedReply) -> None:
        self.replies.append(reply)


def said(reply: RenderedReply) -> list[str]:
    return [p.key for p in reply.parts if isinstance(p, RenderedText)]


def cards(reply: RenderedReply) -> int:
    return sum(len(p.cards) for p in reply.parts if isinstance(p, RenderedCards))


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
async def test_transcript(path: Path, settings: Settings, redis_client: Redis, clock: Any) -> None:
    script = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "at" in script:
        clock.set(*script["at"])
    channel = RecordingChannel()
    runner = load_bot(settings, redis_client, b"secret", clock).runner({"test": channel})
    user = "transcript-user"
    conv_id = runner.conv_id("test", user)
    for n, step in enumerate(script["steps"]):
        if "tap" in step:
            event = InboundEvent("test", user, "choice", f"e{n}", choice=step["tap"])
        elif "say" in step:
            event = InboundEvent("test", user, "text", f"e{n}", text=step["say"])
        else:
            event = InboundEvent("test", user, step["event"], f"e{n}")
        before = len(channel.replies)
        await runner.submit(event, drain=False)
        await runner.drain(conv_id)
        expect = step.get("expect", {})
        replies = channel.replies[before:]
        keys = [k for r in replies for k in said(r)]
        where = f"{path.name} step {n + 1} ({step})"
        for key in expect.get("keys", []):
            assert key in keys, f"{where}: {key} not in {keys}"
        for key in expect.get("not_keys", []):
            assert key not in keys, f"{where}: {key} said"
        if "choices" in expect:
            shown = [c.id for c in replies[-1].choices] if replies else []
            for choice in expect["choices"]:
                assert choice in shown, f"{where}: {choice} not in {shown}"
        if "cards" in expect:
            low, high = expect["cards"]
            count = sum(cards(r) for r in replies)
            assert low <= count <= high, f"{where}: {count} cards"
        conv = await runner.store.load(conv_id)
        if "state" in expect:
            assert conv is not None and conv.state == expect["state"], (
                f"{where}: state {conv.state if conv else None}"
            )
        for name, value in expect.get("answers", {}).items():
            assert conv is not None and conv.answers().get(name) == value, where
        if "locale" in expect:
            assert conv is not None and conv.locale == expect["locale"], where
