"""Channel-neutral messages: what the engine says, before any channel renders it.

The engine speaks in locale keys with parameters; ``bot.i18n`` turns a ``Reply`` into
a ``RenderedReply`` of plain strings in the person's language; each channel adapter
turns that into its own wire format (LINE quick replies and flex, web chat JSON).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Params = dict[str, Any]

# The id of a "more choices" button a channel adds when it can show only some choices:
# ``more:<offset>``; the responder answers with the choices from that offset.
MORE_PREFIX = "more:"


@dataclass(frozen=True)
class Say:
    """One text, as a locale key and its parameters."""

    key: str
    params: Params = field(default_factory=dict)


@dataclass(frozen=True)
class Choice:
    """A button the person can tap; ``id`` comes back as the postback payload."""

    id: str
    label: str  # locale key
    params: Params = field(default_factory=dict)


@dataclass(frozen=True)
class CardAction:
    kind: Literal["tel", "url", "postback"]
    label: str  # locale key
    value: str
    params: Params = field(default_factory=dict)


@dataclass(frozen=True)
class Card:
    """A support window or system as a result card. Text fields are locale keys or,
    for catalogue data, literal text already in the right language (``literal=True``)."""

    title: str
    body: str
    hours: str = ""
    badges: tuple[str, ...] = ()  # locale keys, e.g. "card.badge.open_now"
    actions: tuple[CardAction, ...] = ()
    literal: bool = True


@dataclass(frozen=True)
class Link:
    """A link the person can open or download (e.g. the result sheet)."""

    label: str  # locale key
    url: str
    download: bool = False


Part = Say | Card | Link


@dataclass
class Reply:
    """What the bot says in answer to one event: parts in order, choices at the end."""

    parts: list[Part] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    choice_offset: int = 0  # a channel that pages choices starts from here

    def say(self, key: str, **params: Any) -> None:
        self.parts.append(Say(key, params))

    def keys(self) -> list[str]:
        """The locale keys said, in order (what transcript tests compare)."""
        return [p.key for p in self.parts if isinstance(p, Say)]

    def __bool__(self) -> bool:
        return bool(self.parts or self.choices)


# --- rendered: plain strings in one language, ready for a channel adapter ---------------


@dataclass(frozen=True)
class RenderedChoice:
    id: str
    label: str


@dataclass(frozen=True)
class RenderedAction:
    kind: Literal["tel", "url", "postback"]
    label: str
    value: str


@dataclass(frozen=True)
class RenderedCard:
    title: str
    body: str
    hours: str
    badges: tuple[str, ...]
    actions: tuple[RenderedAction, ...]


@dataclass(frozen=True)
class RenderedText:
    text: str
    key: str = ""


@dataclass(frozen=True)
class RenderedCards:
    cards: tuple[RenderedCard, ...]
    alt_text: str


@dataclass(frozen=True)
class RenderedLink:
    label: str
    url: str
    download: bool


RenderedPart = RenderedText | RenderedCards | RenderedLink


@dataclass(frozen=True)
class RenderedReply:
    parts: tuple[RenderedPart, ...]
    choices: tuple[RenderedChoice, ...]
    locale: str
    more_label: str = ""  # label of the "more choices" button when a channel must page
    choice_offset: int = 0

    def to_json(self) -> dict[str, Any]:
        """The web chat wire format (also what the outbox stores)."""
        parts: list[dict[str, Any]] = []
        for part in self.parts:
            if isinstance(part, RenderedText):
                parts.append({"type": "text", "text": part.text})
            elif isinstance(part, RenderedCards):
                parts.append(
                    {
                        "type": "cards",
                        "alt": part.alt_text,
                        "cards": [
                            {
                                "title": c.title,
                                "body": c.body,
                                "hours": c.hours,
                                "badges": list(c.badges),
                                "actions": [
                                    {"kind": a.kind, "label": a.label, "value": a.value}
                                    for a in c.actions
                                ],
                            }
                            for c in part.cards
                        ],
                    }
                )
            else:
                parts.append(
                    {
                        "type": "link",
                        "label": part.label,
                        "url": part.url,
                        "download": part.download,
                    }
                )
        return {
            "parts": parts,
            "choices": [{"id": c.id, "label": c.label} for c in self.choices],
            "locale": self.locale,
        }
