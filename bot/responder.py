"""What the bot does with one event, whatever the channel: the policy in one place.

Each event kind has a small handler. Every typed text passes the risk check, in every
state and mode: with the bot, before anything else sees it; waiting for or talking with
a counsellor, right after the words are passed on to them (so nothing is lost).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.channels.base import InboundEvent
from bot.engine.conversation import MODE_BOT, MODE_WAITING, Address, Conversation
from bot.engine.machine import Engine
from bot.messages import MORE_PREFIX, Reply
from bot.safety import Safety

if TYPE_CHECKING:
    from bot.handoff_desk import HandoffDesk

log = logging.getLogger(__name__)

Handler = Callable[[Conversation, InboundEvent], Awaitable[None]]


class Responder:
    def __init__(
        self, engine: Engine, safety: Safety, default_locale: str, handoff: HandoffDesk
    ) -> None:
        self.engine = engine
        self.safety = safety
        self.default_locale = default_locale
        self.handoff = handoff
        self._handlers: dict[str, Handler] = {
            "follow": self._on_follow,
            "text": self._on_text,
            "choice": self._on_choice,
            "media": self._on_media,
            "group": self._on_group,
            "unfollow": self._on_unfollow,
            "handoff": self._on_handoff,
            "resume": self._on_resume,
        }

    async def respond(
        self, conv: Conversation | None, conv_id: str, event: InboundEvent
    ) -> tuple[Conversation | None, Reply]:
        if event.kind == "group":
            # Nothing is stored for a group: the bot only says it works 1:1.
            reply = Reply()
            reply.say("common.one_to_one_only")
            return None, reply
        if conv is None:
            if event.kind in ("unfollow", "handoff"):
                return None, Reply()
            conv = Conversation(
                conv_id=conv_id,
                address=Address(event.channel, event.user_id),
                state=self.engine.flow.initial,
                locale=self.default_locale,
                is_new=True,
            )
            await self.engine.start(conv)
        await self._handlers[event.kind](conv, event)
        return conv, conv.reply

    # --- handlers -------------------------------------------------------------------------

    async def _on_follow(self, conv: Conversation, event: InboundEvent) -> None:
        if not conv.is_new:  # re-added the bot, or a new tab: start again kindly
            await self.engine.start(conv)

    async def _on_resume(self, conv: Conversation, event: InboundEvent) -> None:
        return None

    async def _on_text(self, conv: Conversation, event: InboundEvent) -> None:
        text = (event.text or "").strip()
        if not text:
            return
        if conv.mode != MODE_BOT:
            # Waiting for or talking with a counsellor: every word reaches them first; the
            # risk check then alerts them (and answers a waiting person with the lines).
            await self.handoff.person_said(conv, text)
            await self.safety.check(conv, text)
            return
        if await self.safety.check(conv, text):
            return  # the crisis response has been given; nothing else should dilute it
        choice = self._typed_choice(conv, text)
        if choice is not None:
            await self.engine.choose(conv, choice)
            return
        await self.engine.typed(conv, text)

    def _typed_choice(self, conv: Conversation, text: str) -> str | None:
        """A typed label of a shown choice counts as tapping it (LINE users often type)."""
        folded = text.casefold()
        for choice in self.engine.choices_for(conv):
            label = self.engine.services.locales.text(conv.locale, choice.label, choice.params)
            if label.casefold() == folded:
                return choice.id
        return None

    async def _on_choice(self, conv: Conversation, event: InboundEvent) -> None:
        choice = event.choice or ""
        if conv.mode != MODE_BOT and not self._own_choice(conv, choice):
            # With a counsellor (or waiting for one) only that state's buttons work:
            # an old menu button must not pull the person out of the conversation.
            conv.reply.say(
                "handoff.already_waiting"
                if conv.mode == MODE_WAITING
                else "handoff.with_counsellor"
            )
            conv.reply.choices = self.engine.choices_for(conv)
            return
        if choice.startswith(MORE_PREFIX):
            self._more_choices(conv, choice)
            return
        if not await self.engine.choose(conv, choice):
            # An old button from earlier in the chat: say where we are instead.
            conv.reply.say("common.old_choice")
            conv.reply.choices = self.engine.choices_for(conv)

    def _own_choice(self, conv: Conversation, choice: str) -> bool:
        return any(c.id == choice for c in self.engine.state_spec(conv).choices)

    def _more_choices(self, conv: Conversation, choice: str) -> None:
        """A channel showed only the first choices; show them again from an offset."""
        try:
            offset = int(choice.removeprefix(MORE_PREFIX))
        except ValueError:
            offset = 0
        conv.reply.choices = self.engine.choices_for(conv)
        conv.reply.choice_offset = max(0, min(offset, len(conv.reply.choices) - 1))
        conv.reply.say("common.more_choices_here")

    async def _on_media(self, conv: Conversation, event: InboundEvent) -> None:
        if conv.mode != MODE_BOT:
            await self.handoff.person_sent_media(conv, event.media_type or "media")
            return
        key = (
            "common.sticker_thanks"
            if event.media_type == "sticker"
            else "common.media_unsupported"
        )
        conv.reply.say(key)
        conv.reply.choices = self.engine.choices_for(conv)

    async def _on_group(self, conv: Conversation, event: InboundEvent) -> None:
        conv.reply.say("common.one_to_one_only")

    async def _on_unfollow(self, conv: Conversation, event: InboundEvent) -> None:
        await self.handoff.forget(conv)
        conv.forget = True

    async def _on_handoff(self, conv: Conversation, event: InboundEvent) -> None:
        await self.handoff.on_event(conv, event.extra)
