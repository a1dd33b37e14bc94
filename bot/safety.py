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

from bot.channels.base import InboundEvent
from bot.engine.conversation import MODE_BOT, MODE_HUMAN, Conversation
from bot.engine.registry import Services
from bot.messages import Choice
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

    async def check(self, conv: Conversation, text: str, event: InboundEvent) -> bool:
        """Assess ``text``; give the crisis response when needed. True if it was given."""
        detector = self.services.risk
        if detector is None:
            return False
        assessment = detector.assess(text, conv.locale)
        level = level_name(assessment.level)
        if level in ("none",):
            return False
        reasons = [str(r) for r in assessment.reasons]
        await self._count(conv, level, reasons)
        if level == "low":
            conv.data["risk_low_seen"] = True
            return False
        previous = conv.data.get("risk", "none")
        if LEVELS.index(level) > LEVELS.index(previous):
            conv.data["risk"] = level
            conv.data["risk_reasons"] = reasons
        handoff = self.services.handoff
        if conv.mode == MODE_HUMAN or (conv.mode != MODE_BOT and handoff is not None):
            # A counsellor is there or is coming: they are alerted; the bot stays quiet
            # in a human conversation, and answers a waiting person with the lines.
            if handoff is not None:
                await handoff.alert(conv, level, reasons)
            if conv.mode == MODE_HUMAN:
                return False
        self._crisis_reply(conv, level)
        if level == "high" and handoff is not None and conv.mode == MODE_BOT:
            await handoff.request(conv, reason="risk_high")
        return True

    def _crisis_reply(self, conv: Conversation, level: str) -> None:
        reply = conv.reply
        child = conv.answers().get("age_group") == "child"
        if level == "high":
            reply.say("crisis.call_110_119")
        reply.say("crisis.ack_child" if child else "crisis.ack")
        lines = self.crisis_lines(child, conv.locale)
        if lines:
            reply.say("crisis.lines_now")
            reply.parts.extend(lines)
        else:
            reply.say("crisis.lines_fallback")
        if conv.mode == MODE_BOT:
            if level == "medium" or self.services.handoff is None:
                reply.say("crisis.offer_person")
            reply.choices = [
                Choice("person", "crisis.choice.person"),
                Choice("restart", "crisis.choice.continue"),
            ]

    def crisis_lines(self, child: bool, locale: str) -> list[Any]:
        catalog = self.services.catalog
        if catalog is None:
            return []
        from bot.results import crisis_cards  # late: results depends on the catalogue

        return crisis_cards(self.services, child=child, locale=locale)

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
