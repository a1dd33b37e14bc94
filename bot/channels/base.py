"""The one interface every channel adapter stands behind.

Inbound, an adapter verifies and parses its wire format into ``InboundEvent``s and
hands them to the runner. Outbound, it renders a ``RenderedReply`` (plain strings,
already localised) into its own format and sends it. The engine and the runner never
import a channel's SDK.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from bot.messages import RenderedReply

EventKind = Literal[
    "text",  # the person typed something
    "choice",  # the person tapped a choice (postback / button)
    "follow",  # LINE follow / a new web chat session: greet
    "unfollow",  # LINE unfollow: forget the person
    "media",  # sticker, image, audio, video, location, file
    "group",  # a message in a group or room (the bot works 1:1 only)
    "handoff",  # an event from the counsellor side (``extra`` holds it)
    "resume",  # the web chat reconnected: nothing to process, resend nothing
]


@dataclass(frozen=True)
class InboundEvent:
    channel: str
    user_id: str
    kind: EventKind
    event_id: str
    text: str | None = None
    choice: str | None = None
    media_type: str | None = None
    reply_token: str | None = None
    timestamp: float = field(default_factory=time.time)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> InboundEvent:
        return cls(**json.loads(raw))


@dataclass(frozen=True)
class Delivery:
    """How to deliver one reply: to whom, and what the inbound event allows."""

    user_id: str
    reply_token: str | None = None
    # Stable per reply, so a retried push is not delivered twice (X-Line-Retry-Key).
    idempotency_key: str = ""
    conv_id: str = ""


class Channel(ABC):
    name: str

    @abstractmethod
    async def send(self, delivery: Delivery, reply: RenderedReply) -> None:
        """Deliver ``reply``; raise ``DeliveryError`` only when it could not be delivered."""

    async def forget(self, user_id: str) -> None:  # noqa: B027 - optional hook
        """Drop whatever the adapter keeps about ``user_id`` (unfollow, deletion)."""


class DeliveryError(RuntimeError):
    pass
