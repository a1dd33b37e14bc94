"""A person on the web chat, over a real WebSocket: open a tab, tap, type, read replies."""

from __future__ import annotations

import itertools
from typing import Any

from aiohttp.test_utils import TestClient

_client_ids = itertools.count(1)


def new_cid() -> str:
    return f"c{next(_client_ids)}"


async def hello(
    client: TestClient,
    token: str | None = None,
    last: str | None = None,
    origin: str | None = None,
) -> tuple[Any, str]:
    """Open the socket and say hello; the session token comes back."""
    headers = {"Origin": origin} if origin else {}
    ws = await client.ws_connect("/ws", headers=headers)
    await ws.send_json({"type": "hello", "token": token, "last": last})
    session = await ws.receive_json(timeout=5)
    assert session["type"] == "session"
    return ws, session["token"]


async def next_reply(ws: Any) -> dict[str, Any]:
    while True:
        frame = await ws.receive_json(timeout=5)
        if frame["type"] == "reply":
            return frame


async def send(ws: Any, frame: dict[str, Any]) -> None:
    await ws.send_json(frame)
    ack = await ws.receive_json(timeout=5)
    assert ack == {"type": "ack", "cid": frame["cid"]}


async def open_tab(client: TestClient) -> Any:
    """A new tab, past the greeting."""
    ws, _ = await hello(client)
    await next_reply(ws)
    return ws


async def tap(ws: Any, choice: str) -> dict[str, Any]:
    """Tap a choice and return the bot's answer."""
    await send(ws, {"type": "choice", "id": choice, "cid": new_cid()})
    return await next_reply(ws)


async def say(ws: Any, text: str) -> dict[str, Any]:
    """Type a message and return the bot's answer."""
    await send(ws, {"type": "text", "text": text, "cid": new_cid()})
    return await next_reply(ws)


def texts(frame: dict[str, Any]) -> str:
    return "\n".join(p["text"] for p in frame["reply"]["parts"] if p["type"] == "text")


def choice_ids(frame: dict[str, Any]) -> list[str]:
    return [c["id"] for c in frame["reply"]["choices"]]


def card_titles(frame: dict[str, Any]) -> list[str]:
    return [
        c["title"] for p in frame["reply"]["parts"] if p["type"] == "cards" for c in p["cards"]
    ]
