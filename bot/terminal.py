"""`tsunagari chat`: the guidance conversation in a terminal, for people writing flows.

It is a channel like LINE and the web chat: the same runner, store and engine; the
choices are numbered, and typing a number taps one.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from typing import TextIO

from bot.channels.base import Channel, Delivery, InboundEvent
from bot.components import load_bot
from bot.messages import RenderedCards, RenderedLink, RenderedReply, RenderedText
from bot.settings import Settings
from bot.store.connection import open_redis
from bot.store.ids import load_or_create_secret

CHANNEL = "terminal"


class TerminalChannel(Channel):
    name = CHANNEL

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.choices: list[str] = []

    async def send(self, delivery: Delivery, reply: RenderedReply) -> None:
        for part in reply.parts:
            if isinstance(part, RenderedText):
                self.out.write(f"\n{part.text}\n")
            elif isinstance(part, RenderedCards):
                for card in part.cards:
                    badges = f" [{' / '.join(card.badges)}]" if card.badges else ""
                    self.out.write(f"\n  ■ {card.title}{badges}\n    {card.body}\n")
                    if card.hours:
                        self.out.write(f"    {card.hours}\n")
                    for action in card.actions:
                        self.out.write(f"    → {action.label}: {action.value}\n")
            elif isinstance(part, RenderedLink):
                self.out.write(f"\n  {part.label}: {part.url}\n")
        self.choices = [c.id for c in reply.choices]
        for number, choice in enumerate(reply.choices, start=1):
            self.out.write(f"  {number}) {choice.label}\n")
        self.out.flush()


def to_event(line: str, channel: TerminalChannel, user_id: str) -> InboundEvent:
    event_id = uuid.uuid4().hex
    if line.isdigit() and 1 <= int(line) <= len(channel.choices):
        return InboundEvent(
            CHANNEL, user_id, "choice", event_id, choice=channel.choices[int(line) - 1]
        )
    return InboundEvent(CHANNEL, user_id, "text", event_id, text=line)


async def run_terminal_chat(
    settings: Settings, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> int:
    async with open_redis(settings.redis_url, settings.data_dir) as redis:
        secret = await load_or_create_secret(redis, settings.secret)
        bot = load_bot(settings, redis, secret)
        channel = TerminalChannel(stdout)
        runner = bot.runner({CHANNEL: channel})
        user_id = uuid.uuid4().hex  # a new conversation each time
        conv_id = runner.conv_id(CHANNEL, user_id)
        await runner.submit(InboundEvent(CHANNEL, user_id, "follow", "hello"), drain=False)
        await runner.drain(conv_id)
        loop = asyncio.get_running_loop()
        while True:
            stdout.write("\n> ")
            stdout.flush()
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                break
            line = line.strip()
            if line in ("/quit", "/exit"):
                break
            if not line:
                continue
            await runner.submit(to_event(line, channel, user_id), drain=False)
            await runner.drain(conv_id)
        await runner.store.delete(conv_id)
        await runner.close()
    return 0
