"""The bot's side of the handoff: asking for a counsellor, passing the person's words on,
and turning what happens on the counsellor's side into what the person reads.

The counsellor's side (``handoff.service``) never reaches a channel: it posts a
``HandoffEvent`` through ``RunnerBridge`` into the conversation's inbox, and the runner
hands it here in order, under the conversation lock, like any other event.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

from bot.catalog import TOKYO
from bot.channels.base import InboundEvent
from bot.engine.conversation import MODE_BOT, MODE_HUMAN, MODE_WAITING, Conversation
from bot.engine.registry import Services
from bot.settings import Settings
from handoff.bridge import HandoffEvent
from handoff.config import load_config
from handoff.sealing import sealing_key
from handoff.service import HandoffService

log = logging.getLogger(__name__)

AFTER_HANDOFF_STATE = "handoff_closed"


class RunnerBridge:
    """``ConversationBridge`` for the handoff service: events go into the inbox."""

    def __init__(self) -> None:
        self.runner: Any = None

    async def post(self, conv_id: str, event: HandoffEvent) -> None:
        if self.runner is None:
            raise RuntimeError("bridge used before the runner was attached")
        await self.runner.post_to_conversation(
            conv_id,
            InboundEvent(
                "handoff",
                conv_id,
                "handoff",
                f"h-{uuid.uuid4().hex}",
                extra={"kind": event.kind, "params": event.params},
            ),
        )


def transcript_key(secret: bytes) -> bytes:
    """The transcript encryption key, derived from the app secret (never stored)."""
    return sealing_key(secret, "transcript")


class HandoffDesk:
    def __init__(self, service: HandoffService, bridge: RunnerBridge, services: Services) -> None:
        self.service = service
        self.bridge = bridge
        self.services = services
        self.engine: Any = None

    @classmethod
    def create(
        cls, settings: Settings, redis: Redis, secret: bytes, services: Services
    ) -> HandoffDesk:
        bridge = RunnerBridge()
        config = load_config(settings.handoff_config)
        service = HandoffService(
            redis,
            bridge,
            config,
            transcript_key(secret),
            clock=lambda: services.clock().timestamp(),
        )
        return cls(service, bridge, services)

    def attach(self, runner: Any) -> None:
        self.bridge.runner = runner
        self.engine = runner.engine

    # --- the bot asks ---------------------------------------------------------------------

    async def request(self, conv: Conversation, reason: str) -> str:
        answers = conv.answers()
        context = {
            "age_group": answers.get("age_group"),
            "category": answers.get("category"),
            "lang": conv.locale.split("-")[0],
            "risk": conv.data.get("risk", "none"),
            "risk_reasons": conv.data.get("risk_reasons", []),
            "results_shown": conv.data.get("shown", []),
            "summary": {
                "reason": reason,
                "reach": answers.get("reach"),
                "lg_code": answers.get("lg_code"),
                "topic": answers.get("topic"),
            },
        }
        ticket = await self.service.request(conv.conv_id, conv.address.channel, context)
        if ticket.status == "no_one_on_duty":
            conv.mode = MODE_BOT
            conv.reply.say("handoff.unavailable")
            if ticket.next_open:
                back = datetime.fromisoformat(ticket.next_open).astimezone(TOKYO)
                conv.reply.say(
                    "handoff.next_open",
                    month=back.month,
                    day=back.day,
                    time=f"{back.hour}:{back.minute:02d}",
                )
            return "unavailable"
        if ticket.status == "active":
            conv.mode = MODE_HUMAN
            return "active"
        conv.mode = MODE_WAITING
        conv.reply.say("handoff.queued")
        self._say_position(conv, ticket.position, ticket.estimate_minutes)
        conv.data["handoff_told"] = True
        return "queued"

    async def cancel(self, conv: Conversation) -> None:
        await self.service.cancel(conv.conv_id)
        conv.mode = MODE_BOT
        conv.reply.say("handoff.cancelled")

    async def person_said(self, conv: Conversation, text: str) -> None:
        await self.service.person_message(conv.conv_id, text)

    async def person_sent_media(self, conv: Conversation, media_type: str) -> None:
        conv.reply.say("handoff.media_not_forwarded")

    async def leave_message(self, conv: Conversation, text: str) -> bool:
        """Keep the message for a counsellor; False when there was nothing to attach it to
        (the out-of-hours request has expired)."""
        return await self.service.leave_message(conv.conv_id, text) is not None

    async def alert(self, conv: Conversation, level: str, reasons: list[str]) -> None:
        await self.service.raise_alert(conv.conv_id, level, reasons)

    async def forget(self, conv: Conversation) -> None:
        await self.service.forget(conv.conv_id)

    # --- the counsellor's side tells --------------------------------------------------------

    async def on_event(self, conv: Conversation, extra: dict[str, Any]) -> None:
        kind, params = extra.get("kind"), extra.get("params") or {}
        reply = conv.reply
        if kind in ("queued", "no_one_on_duty", "cancelled"):
            # Said already, in the reply to the person's own request.
            if kind == "queued" and not conv.data.pop("handoff_told", False):
                self._say_position(conv, params.get("position"), params.get("estimate_minutes"))
            return
        if kind == "position":
            self._say_position(conv, params.get("position"), params.get("estimate_minutes"))
        elif kind == "claimed":
            conv.mode = MODE_HUMAN
            await self.engine.move(conv, "handoff_active")
            reply.say("handoff.claimed")
        elif kind == "message":
            reply.say("handoff.from_counsellor", text=str(params.get("text", "")))
        elif kind == "transferred":
            conv.mode = MODE_WAITING
            await self.engine.move(conv, "handoff_waiting")
            reply.choices = []
            reply.say("handoff.transferred", to=str(params.get("to", "")))
        elif kind == "released":
            conv.mode = MODE_WAITING
            await self.engine.move(conv, "handoff_waiting")
            reply.choices = []
            reply.say("handoff.released")
        elif kind == "closed":
            conv.mode = MODE_BOT
            reply.say("handoff.closed")
            await self.engine.move(conv, AFTER_HANDOFF_STATE)
        else:
            log.warning("unknown handoff event", extra={"kind": kind})
        if conv.mode == MODE_WAITING and not reply.choices:
            reply.choices = self.engine.choices_for(conv)

    def _say_position(self, conv: Conversation, position: Any, estimate: Any) -> None:
        if isinstance(position, int) and position > 0:
            conv.reply.say("handoff.position", position=position)
        if isinstance(estimate, int) and estimate > 0:
            conv.reply.say("handoff.estimate", minutes=estimate)
