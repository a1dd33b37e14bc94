"""Safety first: the risk check every typed text passes, and the crisis response.

``medium`` (ideation, ongoing abuse): a short warm acknowledgement, the lines open
now (children's lines first for children), and a one-tap offer to talk to a person.
``high`` (an act or plan now): 110/119 first, the same lines, and the conversation
goes to the counsellor queue at once at the top priority. While a counsellor is
talking with the person, the bot says nothing itself: the counsellor gets an alert.

Risk events are counted without their text: level, reason codes, channel, time.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from redis.asyncio import Redis

from bot.engine.conversation import MODE_BOT, MODE_HUMAN, Conversation
from bot.engine.registry import Services
from bot.messages import Choice
from bot.results import crisis_cards
from bot.store import keys

log = logging.getLogger(__name__)

LEVELS = ("none", "low", "medium", "high")
RISK_EVENTS_MAXLEN = 100_000


def level_name(level: Any) -> str:
    name = getattr(level, "name", None) or getattr(level, "value", None) or str(level)
    return str(name).lower()


class Safety:
    def __init__(self, services: Services, redis: Redis) -> None:
        self.services = services
        self.redis = redis

    async def check(self, conv: Conversation, text: str) -> bool:
        """Assess ``text``; give the crisis response when needed. True if it was given."""
        assessment = self.services.risk.assess(text, conv.locale)
        level = level_name(assessment.level)
        if level == "none":
            return False
        reasons = [str(r) for r in assessment.reasons]
        await self._count(conv, level, reasons)
        if level == "low":
            return False
        previous = conv.data.get("risk", "none")
        if LEVELS.index(level) > LEVELS.index(previous):
            conv.data["risk"] = level
            conv.data["risk_reasons"] = reasons
        handoff = self.services.handoff
        if conv.mode != MODE_BOT:
            # A counsellor is there or is coming: they are alerted. The bot stays quiet in a
            # human conversation, and answers a waiting person with the lines open now.
            await handoff.alert(conv, level, reasons)
            if conv.mode == MODE_HUMAN:
                return False
        self._crisis_reply(conv, level)
        if level == "high" and conv.mode == MODE_BOT:
            await handoff.request(conv, reason="risk_high")
        return True

    def _crisis_reply(self, conv: Conversation, level: str) -> None:
        reply = conv.reply
        if level == "high":
            reply.say("crisis.call_110_119")
        say_lines_open_now(conv, self.services)
        if conv.mode == MODE_BOT:
            if level == "medium":
                reply.say("crisis.offer_person")
            reply.choices = [
                Choice("person", "crisis.choice.person"),
                Choice("restart", "crisis.choice.continue"),
            ]

    async def _count(self, conv: Conversation, level: str, reasons: list[str]) -> None:
        await self.redis.xadd(
            keys.risk_events(),
            {
                "level": level,
                "reasons": ",".join(reasons),
                "channel": conv.address.channel,
                "mode": conv.mode,
                "at": f"{time.time():.0f}",
            },
            maxlen=RISK_EVENTS_MAXLEN,
            approximate=True,
        )
        log.info(
            "risk event",
            extra={"level": level, "reasons": reasons, "channel": conv.address.channel},
        )


def say_lines_open_now(conv: Conversation, services: Services) -> None:
    """A warm acknowledgement and the lines open now (children's lines first for a child);
    for the crisis response and for "it is hard right now" alike."""
    child = conv.answers().get("age_group") == "child"
    conv.reply.say("crisis.ack_child" if child else "crisis.ack")
    cards = crisis_cards(services, child=child, locale=conv.locale)
    if cards:
        conv.reply.say("crisis.lines_now")
        conv.reply.parts.extend(cards)
    else:
        conv.reply.say("crisis.lines_fallback")
