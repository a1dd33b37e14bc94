"""A ``RenderedReply`` as LINE Messaging API message objects (plain dicts).

LINE's limits, kept here and checked against LINE's OpenAPI spec by the test stand-in:
at most 5 messages per call, a text of at most 5,000 UTF-16 code units, at most 13
quick-reply items with labels of at most 20 characters, postback data of at most 300
characters, a flex carousel of at most 12 bubbles.
"""

from __future__ import annotations

from typing import Any

from bot.messages import (
    MORE_PREFIX,
    RenderedCard,
    RenderedCards,
    RenderedChoice,
    RenderedLink,
    RenderedReply,
    RenderedText,
)

MAX_MESSAGES = 5
MAX_TEXT_UTF16 = 5000
MAX_QUICK_REPLIES = 13
MAX_LABEL = 20
MAX_DATA = 300
MAX_BUBBLES = 12
MAX_ALT_TEXT = 400

Message = dict[str, Any]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def clip_utf16(text: str, limit: int) -> str:
    if utf16_len(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        size = 2 if ord(ch) > 0xFFFF else 1
        if used + size > limit - 1:
            break
        out.append(ch)
        used += size
    return "".join(out) + "…"


def split_utf16(text: str, limit: int = MAX_TEXT_UTF16) -> list[str]:
    """Split a long text into pieces within the limit, at line breaks where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while utf16_len(line) > limit:
            head = clip_utf16(line, limit + 1)[:-1]
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
            line = line[len(head) :]
        if utf16_len(current + line) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current:
        pieces.append(current)
    return [p.rstrip("\n") for p in pieces if p.strip()]


def label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def postback(choice: RenderedChoice) -> Message:
    return {
        "type": "postback",
        "label": label(choice.label),
        "data": choice.id[:MAX_DATA],
        "displayText": choice.label[:MAX_DATA],
    }


def quick_reply(choices: tuple[RenderedChoice, ...], offset: int, more_label: str) -> Message:
    """Quick reply items from ``offset``; past 13, the last item pages to the rest."""
    page = list(choices[offset:])
    items: list[Message] = []
    if len(page) > MAX_QUICK_REPLIES:
        page = page[: MAX_QUICK_REPLIES - 1]
        more = RenderedChoice(f"{MORE_PREFIX}{offset + len(page)}", more_label)
        items = [{"type": "action", "action": postback(c)} for c in page]
        items.append({"type": "action", "action": postback(more)})
    else:
        items = [{"type": "action", "action": postback(c)} for c in page]
    return {"items": items}


def _bubble(card: RenderedCard) -> Message:
    body: list[Message] = [
        {"type": "text", "text": card.title[:200], "weight": "bold", "wrap": True, "size": "md"},
    ]
    if card.badges:
        body.append(
            {
                "type": "text",
                "text": " / ".join(card.badges)[:100],
                "size": "xs",
                "color": "#1b7f3b",
                "wrap": True,
            }
        )
    body.append({"type": "text", "text": card.body[:1000], "size": "sm", "wrap": True})
    if card.hours:
        body.append(
            {
                "type": "text",
                "text": card.hours[:300],
                "size": "xs",
                "color": "#555555",
                "wrap": True,
            }
        )
    bubble: Message = {
        "type": "bubble",
        "size": "kilo",
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": body},
    }
    buttons = []
    for action in card.actions[:3]:
        if action.kind == "postback":
            act: Message = {
                "type": "postback",
                "label": label(action.label),
                "data": action.value[:MAX_DATA],
                "displayText": action.label,
            }
        else:
            uri = f"tel:{action.value}" if action.kind == "tel" else action.value
            act = {"type": "uri", "label": label(action.label), "uri": uri[:1000]}
        buttons.append({"type": "button", "style": "link", "height": "sm", "action": act})
    if buttons:
        bubble["footer"] = {"type": "box", "layout": "vertical", "contents": buttons}
    return bubble


def _cards(part: RenderedCards) -> list[Message]:
    out = []
    cards = list(part.cards)
    for start in range(0, len(cards), MAX_BUBBLES):
        chunk = cards[start : start + MAX_BUBBLES]
        out.append(
            {
                "type": "flex",
                "altText": clip_utf16(part.alt_text, MAX_ALT_TEXT),
                "contents": {"type": "carousel", "contents": [_bubble(c) for c in chunk]},
            }
        )
    return out


def _link(part: RenderedLink) -> Message:
    return {
        "type": "flex",
        "altText": clip_utf16(f"{part.label} {part.url}", MAX_ALT_TEXT),
        "contents": {
            "type": "bubble",
            "size": "kilo",
            "body": {
                "type": "box",
                "layout": "vertical",
                "contents": [
                    {
                        "type": "button",
                        "style": "primary",
                        "action": {
                            "type": "uri",
                            "label": label(part.label),
                            "uri": part.url[:1000],
                        },
                    },
                ],
            },
        },
    }


def render(reply: RenderedReply) -> list[Message]:
    """All messages for ``reply``; adjacent texts are joined so fewer bubbles are used."""
    messages: list[Message] = []
    pending_text: list[str] = []

    def flush() -> None:
        if pending_text:
            for piece in split_utf16("\n\n".join(pending_text)):
                messages.append({"type": "text", "text": piece})
            pending_text.clear()

    for part in reply.parts:
        if isinstance(part, RenderedText):
            pending_text.append(part.text)
        elif isinstance(part, RenderedCards):
            flush()
            messages.extend(_cards(part))
        else:
            flush()
            messages.append(_link(part))
    flush()
    if reply.choices:
        if not messages:
            messages.append({"type": "text", "text": reply.more_label or "…"})
        messages[-1]["quickReply"] = quick_reply(
            reply.choices, reply.choice_offset, reply.more_label
        )
    return messages


def batches(messages: list[Message]) -> list[list[Message]]:
    """Messages in calls of at most five; the quick reply stays on the very last one."""
    return [messages[i : i + MAX_MESSAGES] for i in range(0, len(messages), MAX_MESSAGES)]
