"""The conversation: what the engine knows about one person between two events.

Only this goes to Redis (``bot.store.conversations``); the flow machines are shared
and hold no per-person state.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from bot.messages import Reply

# Where the conversation is, beyond the flow state: with the bot, waiting for a
# counsellor, or talking with one.
MODE_BOT = "bot"
MODE_WAITING = "waiting"
MODE_HUMAN = "human"


@dataclass
class Address:
    """How to reach the person on their channel (never logged)."""

    channel: str
    user_id: str

    def to_json(self) -> dict[str, str]:
        return {"channel": self.channel, "user_id": self.user_id}


@dataclass
class Conversation:
    conv_id: str
    address: Address
    state: str
    locale: str
    data: dict[str, Any] = field(default_factory=dict)
    mode: str = MODE_BOT
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    # Per event, not stored:
    reply: Reply = field(default_factory=Reply)
    next_state: str | None = None
    is_new: bool = False
    forget: bool = False  # delete everything about the person once this event is answered

    def answers(self) -> dict[str, Any]:
        """The person's answers so far (age group, worry area...), for results and handoff."""
        return dict(self.data.get("answers", {}))

    def set_answer(self, name: str, value: Any) -> None:
        self.data.setdefault("answers", {})[name] = value
