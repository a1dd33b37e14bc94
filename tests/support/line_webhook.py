"""Sending LINE webhooks to the app as LINE does: signed bodies with LINE's event shapes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import uuid
from typing import Any

from aiohttp.test_utils import TestClient

from bot.appkeys import runner_key

LINE_SECRET = "tsunagari-test-channel-secret"


def sign(body: bytes, secret: str = LINE_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def line_event(
    kind: str = "text",
    user_id: str = "U" + "1" * 32,
    *,
    reply_token: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A LINE webhook event as LINE sends it (webhook.yml)."""
    event: dict[str, Any] = {
        "type": "message"
        if kind in ("text", "sticker", "image", "audio", "location", "file", "video")
        else kind,
        "mode": fields.pop("mode", "active"),
        "timestamp": 1763445600000,
        "source": fields.pop("source", {"type": "user", "userId": user_id}),
        "webhookEventId": fields.pop("event_id", "01" + uuid.uuid4().hex[:24].upper()),
        "deliveryContext": {"isRedelivery": fields.pop("redelivery", False)},
    }
    if reply_token:
        event["replyToken"] = reply_token
    if kind == "text":
        event["message"] = {
            "id": "1",
            "type": "text",
            "text": fields.pop("text"),
            "quoteToken": "q",
        }
    elif kind in ("sticker", "image", "audio", "location", "file", "video"):
        event["message"] = {"id": "1", "type": kind, **fields.pop("message", {})}
    elif kind == "postback":
        event["postback"] = {"data": fields.pop("data")}
    event.update(fields)
    return event


async def post_line(
    client: TestClient,
    events: list[dict[str, Any]],
    *,
    signature: str | None = None,
    raw: bytes | None = None,
) -> Any:
    body = (
        raw
        if raw is not None
        else json.dumps({"destination": "Uxxxxxxxxxxxxxxxx", "events": events}).encode()
    )
    headers = {"Content-Type": "application/json"}
    sig = sign(body) if signature is None else signature
    if sig:
        headers["X-Line-Signature"] = sig
    # A BytesIO, so a large body streams (aiohttp warns about big raw bytes).
    response = await client.post("/line/webhook", data=io.BytesIO(body), headers=headers)
    await client.app[runner_key].idle()
    return response


async def line_follow(client: TestClient, line_api: Any, user_id: str) -> Any:
    """The person adds the bot as a friend (a follow event with a fresh reply token)."""
    token = line_api.issue_reply_token(user_id)
    return await post_line(client, [line_event("follow", user_id, reply_token=token)])


async def line_says(client: TestClient, line_api: Any, user_id: str, text: str) -> Any:
    """The person types ``text`` (a message event with a fresh reply token)."""
    token = line_api.issue_reply_token(user_id)
    return await post_line(client, [line_event("text", user_id, text=text, reply_token=token)])


async def line_taps(client: TestClient, line_api: Any, user_id: str, data: str) -> Any:
    """The person taps a quick reply whose postback data is ``data``."""
    token = line_api.issue_reply_token(user_id)
    return await post_line(client, [line_event("postback", user_id, data=data, reply_token=token)])
