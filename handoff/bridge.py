"""What the handoff side may tell a conversation, and the one door it tells it through.

The handoff service never talks to LINE or to a web chat socket. It posts a
``HandoffEvent`` to the conversation; the bot's runner takes it from the
conversation's inbox in order, under the conversation lock, updates the
conversation (waiting, with a counsellor, back to the bot) and renders what the
person reads through their channel. So a counsellor's message and the person's own
messages can never overtake each other, whichever app process handles which.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

HandoffEventKind = Literal[
    "queued",  # params: position (int), estimate_minutes (int | None)
    "position",  # params: position, estimate_minutes   (waiting updates)
    "no_one_on_duty",  # params: next_open (ISO datetime | None); person may leave a message
    "claimed",  # params: counsellor (display name), org (display name)
    "message",  # params: text (str), message_id (str), counsellor (display name)
    "transferred",  # params: to (display label)
    "released",  # back in the queue (counsellor let go or disconnected for good)
    "closed",  # the counsellor closed the conversation; the bot resumes
    "cancelled",  # the person stopped waiting (confirmation)
]


@dataclass(frozen=True)
class HandoffEvent:
    kind: HandoffEventKind
    params: dict[str, Any] = field(default_factory=dict)


class ConversationBridge(Protocol):
    """Implemented by the bot (``bot.runner``); given to the handoff service."""

    async def post(self, conv_id: str, event: HandoffEvent) -> None: ...
