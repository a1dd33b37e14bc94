"""LINE: the webhook (inbound) and the Messaging API (outbound), behind ``Channel``.

Inbound, in this order: body size (413) → ``X-Line-Signature`` over the raw bytes,
constant-time (401) → JSON (400) → each event becomes an ``InboundEvent`` taken in
durably by the runner → 200. Processing happens after the answer, so LINE gets its
200 well within its 2 s. Standby-mode events are not ours to answer and are ignored.

Outbound: the reply token first (free, and LINE's intended path); when it has
expired, was used, or the reply has more than five messages, push, with an
``X-Line-Retry-Key`` that is stable per reply so a retried push is never delivered
twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web
from linebot.v3.messaging import (
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    PushMessageRequest,
    ReplyMessageRequest,
)
from linebot.v3.webhook import SignatureValidator

from bot.channels import line_render
from bot.channels.base import Channel, Delivery, DeliveryError, EventKind, InboundEvent
from bot.messages import RenderedReply

log = logging.getLogger(__name__)

CHANNEL = "line"
MEDIA_TYPES = {"sticker", "image", "video", "audio", "file", "location"}
PUSH_ATTEMPTS = 4
# Group notices are keyed per group so a group gets the "1:1 only" message once.
GROUP_NOTICE_ID = "one_to_one_notice"


class LineChannel(Channel):
    name = CHANNEL

    def __init__(self, channel_secret: str, access_token: str, endpoint: str) -> None:
        self._validator = SignatureValidator(channel_secret)
        config = Configuration(host=endpoint, access_token=access_token)
        self._client = AsyncApiClient(config)
        self.api = AsyncMessagingApi(self._client)

    async def close(self) -> None:
        await self._client.close()

    # --- inbound --------------------------------------------------------------------------

    def verify(self, body: bytes, signature: str | None) -> bool:
        if not signature:
            return False
        try:
            return bool(self._validator.validate(body.decode("utf-8"), signature))
        except (UnicodeDecodeError, ValueError):
            return False

    def parse(self, payload: Any) -> list[InboundEvent]:
        """LINE's webhook body → our events. Raises ValueError when the shape is wrong."""
        if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
            raise ValueError("no events list")
        events = []
        for raw in payload["events"]:
            if not isinstance(raw, dict):
                raise ValueError("event is not an object")
            event = self._event(raw)
            if event is not None:
                events.append(event)
        return events

    def _event(self, raw: dict[str, Any]) -> InboundEvent | None:
        if raw.get("mode") == "standby":
            return None  # another channel (e.g. a chat module) is answering
        source = raw.get("source") or {}
        kind_of_source = source.get("type")
        event_type = raw.get("type")
        event_id = str(raw.get("webhookEventId") or "")
        if not event_id:
            raise ValueError("event without webhookEventId")
        reply_token = raw.get("replyToken")
        timestamp = float(raw.get("timestamp", 0)) / 1000.0
        if kind_of_source in ("group", "room"):
            if event_type not in ("join", "message"):
                return None
            group_id = str(source.get("groupId") or source.get("roomId") or "")
            return InboundEvent(
                CHANNEL,
                f"{kind_of_source}:{group_id}",
                "group",
                GROUP_NOTICE_ID,
                reply_token=reply_token,
                timestamp=timestamp,
            )
        user_id = source.get("userId")
        if kind_of_source != "user" or not user_id:
            return None

        def event(kind: EventKind, **content: Any) -> InboundEvent:
            return InboundEvent(
                CHANNEL,
                str(user_id),
                kind,
                event_id,
                reply_token=reply_token,
                timestamp=timestamp,
                **content,
            )

        if event_type in ("follow", "unfollow"):
            return event(event_type)
        if event_type == "postback":
            return event("choice", choice=str((raw.get("postback") or {}).get("data", "")))
        if event_type == "message":
            message = raw.get("message") or {}
            mtype = message.get("type")
            if mtype == "text":
                return event("text", text=str(message.get("text", "")))
            return event("media", media_type=str(mtype) if mtype in MEDIA_TYPES else "other")
        return None  # join/leave/beacon/unsend/...: nothing for this bot to answer

    # --- outbound -------------------------------------------------------------------------

    async def send(self, delivery: Delivery, reply: RenderedReply) -> None:
        messages = line_render.render(reply)
        if not messages:
            return
        calls = line_render.batches(messages)
        first, rest = calls[0], calls[1:]
        to = delivery.user_id
        if delivery.reply_token and await self._reply(delivery.reply_token, first):
            pass
        else:
            rest = calls
        for index, batch in enumerate(rest):
            if to.startswith(("group:", "room:")):
                return  # never push into a group: the reply token was the only way
            await self._push(to, batch, f"{delivery.idempotency_key[:-2]}{index:02x}")

    async def _reply(self, token: str, messages: list[dict[str, Any]]) -> bool:
        request = ReplyMessageRequest.from_dict({"replyToken": token, "messages": messages})
        try:
            await self.api.reply_message(request)
        except ApiException as exc:
            # 400: token expired or used (e.g. the event waited in the inbox); push instead.
            log.info("reply token not usable", extra={"status": exc.status})
            return False
        except Exception:  # network trouble: the push path retries
            log.warning("reply failed", exc_info=True)
            return False
        return True

    async def _push(self, to: str, messages: list[dict[str, Any]], retry_key: str) -> None:
        request = PushMessageRequest.from_dict({"to": to, "messages": messages})
        delay = 0.5
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            try:
                await self.api.push_message(request, x_line_retry_key=retry_key)
                return
            except ApiException as exc:
                if exc.status == 409:
                    return  # LINE already accepted this retry key: delivered once
                if exc.status not in (429, 500, 502, 503, 504) or attempt == PUSH_ATTEMPTS:
                    raise DeliveryError(f"push failed with {exc.status}") from exc
            except (TimeoutError, OSError) as exc:
                if attempt == PUSH_ATTEMPTS:
                    raise DeliveryError("push failed") from exc
            await asyncio.sleep(delay)
            delay *= 2


# --- the webhook view ---------------------------------------------------------------------


class LineWebhook:
    """``POST /line/webhook``: verify → parse → take in → 200."""

    def __init__(self, channel: LineChannel, runner: Any) -> None:
        self.channel = channel
        self.runner = runner

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()  # aiohttp answers 413 itself past client_max_size
        if not self.channel.verify(body, request.headers.get("X-Line-Signature")):
            raise web.HTTPUnauthorized(text="invalid signature")
        try:
            events = self.channel.parse(json.loads(body))
        except (ValueError, UnicodeDecodeError):
            raise web.HTTPBadRequest(text="malformed webhook body") from None
        for event in events:
            await self.runner.submit(event)
        return web.Response(text="ok")
