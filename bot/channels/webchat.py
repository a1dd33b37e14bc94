"""The web chat: a WebSocket per browser tab, behind ``Channel``.

Protocol (JSON text frames):
  client → {"type": "hello", "token": str | null, "last": str | null}   first frame
           {"type": "text", "text": str, "cid": str}                    typed text
           {"type": "choice", "id": str, "cid": str, "label": str}      tapped choice
  server → {"type": "session", "token": str}                            the tab's token
           {"type": "reply", "seq": str, "reply": {...}}                 in order, once
           {"type": "mine", "seq": str, "cid": str, "text": str}         the person's own
           {"type": "ack", "cid": str}                                   taken in
           {"type": "error", "code": str}

The session is anonymous: a random token the browser keeps for the tab only
(sessionStorage, so a shared school device forgets it when the tab closes). The
conversation's user id is a hash of the token. Every reply goes to the conversation's
outbox stream first; its stream id is the sequence number, so a tab that reconnects
with ``last`` gets exactly what it missed, never a message twice. The person's own
messages go there too, just before the bot sees them, so a reloaded page shows both sides
in order. The outbox also lets any app process answer: a pub/sub notice tells the process
holding the socket. Every outbox entry is sealed (AES-GCM, bound to its conversation):
what a person and a counsellor write is never plain text in Redis.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import secrets
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web
from cryptography.exceptions import InvalidTag
from redis.asyncio import Redis

from bot.channels.base import Channel, Delivery, InboundEvent
from bot.messages import RenderedReply
from bot.store import keys
from bot.store.values import text
from handoff.sealing import Sealer

log = logging.getLogger(__name__)

CHANNEL = "web"
OUTBOX_MAXLEN = 500
MAX_TEXT = 2000
MAX_LABEL = 200
MAX_FRAME = 16 * 1024
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
CID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SEQ_RE = re.compile(r"^\d{1,20}-\d{1,20}$")


def user_id_for(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:32]


# Before the bot sees the message (so a reply can never come first), and only while the
# runner has not taken this client id in: a frame re-sent after a reconnect is kept once.
_ECHO = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[1])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
end
return 1
"""


def outbox_context(conv_id: str) -> str:
    """What a sealed outbox entry is bound to: it opens in its own conversation only."""
    return f"outbox:{conv_id}"


class WebChatChannel(Channel):
    name = CHANNEL

    def __init__(self, redis: Redis, ttl_seconds: int, sealer: Sealer) -> None:
        self.redis = redis
        self.ttl = ttl_seconds
        self.sealer = sealer
        self._echo = redis.register_script(_ECHO)
        self._sockets: dict[str, set[_Socket]] = {}

    async def send(self, delivery: Delivery, reply: RenderedReply) -> None:
        body = json.dumps(reply.to_json(), ensure_ascii=False, separators=(",", ":"))
        sealed = self.sealer.seal(body.encode(), outbox_context(delivery.conv_id))
        outbox = keys.outbox(delivery.conv_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(outbox, {"r": sealed}, maxlen=OUTBOX_MAXLEN, approximate=True)
            pipe.expire(outbox, self.ttl)
            pipe.publish(keys.outbox_channel(delivery.conv_id), b"1")
            await pipe.execute()

    async def echo(self, conv_id: str, client_id: str, said: str) -> None:
        """Keep the person's own message in the outbox, for a page that reloads. Not
        announced: the tab that sent it shows it already, and the reply's notice brings it
        to any other. Once per client id, by the runner's own marker of it (a crash between
        this and the runner taking the message in could keep it twice; never lose it)."""
        sealed = self.sealer.seal_json({"cid": client_id, "text": said}, outbox_context(conv_id))
        await self._echo(
            keys=[keys.seen_event(conv_id, client_id), keys.outbox(conv_id)],
            args=[sealed, OUTBOX_MAXLEN, self.ttl],
        )

    async def forget(self, user_id: str) -> None:
        return None  # the outbox is one of the conversation's keys and goes with it

    # --- live delivery to sockets in this process -------------------------------------------

    def attach(self, conv_id: str, sock: _Socket) -> None:
        self._sockets.setdefault(conv_id, set()).add(sock)

    def detach(self, conv_id: str, sock: _Socket) -> None:
        socks = self._sockets.get(conv_id)
        if socks is not None:
            socks.discard(sock)
            if not socks:
                del self._sockets[conv_id]

    async def listen(self) -> None:
        """One subscription per process: wake the sockets of a conversation on new output."""
        pubsub = self.redis.pubsub()
        await pubsub.psubscribe(keys.OUTBOX_PATTERN)
        prefix = len(keys.outbox_channel(""))
        try:
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
                if message is None:
                    continue
                conv_id = message["channel"].decode()[prefix:]
                for sock in list(self._sockets.get(conv_id, ())):
                    sock.wake()
        finally:
            with suppress(Exception):
                await pubsub.aclose()


class _Socket:
    """One open tab: sends outbox entries after ``last`` in order, one sender at a time."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        channel: WebChatChannel,
        user_id: str,
        conv_id: str,
        last: str,
    ) -> None:
        self.ws = ws
        self.user_id = user_id
        self.redis = channel.redis
        self.sealer = channel.sealer
        self.conv_id = conv_id
        self.last = last
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        task = asyncio.create_task(self.flush())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def flush(self) -> None:
        async with self._lock:
            entries = await self.redis.xrange(
                keys.outbox(self.conv_id), min=f"({self.last}", max="+", count=200
            )
            for entry_id, fields in entries or ():
                seq = text(entry_id)
                frame = self._frame(seq, fields or {})
                if self.ws.closed:
                    return
                if frame is not None:
                    await self.ws.send_str(frame)
                self.last = seq

    def _frame(self, seq: str, fields: dict[Any, Any]) -> str | None:
        context = outbox_context(self.conv_id)
        try:
            if b"r" in fields:
                # The sealed reply is already JSON: wrap it without parsing it again.
                reply = self.sealer.open(fields[b"r"], context).decode()
                return f'{{"type":"reply","seq":"{seq}","reply":{reply}}}'
            if b"m" in fields:
                mine = self.sealer.open_json(fields[b"m"], context)
                return json.dumps({"type": "mine", "seq": seq, **mine}, ensure_ascii=False)
        except InvalidTag:
            # Sealed under another secret (TSUNAGARI_SECRET changed): skipped, never shown
            # garbled. The entry's content is not logged.
            log.warning("outbox entry could not be opened", extra={"channel": CHANNEL})
        return None


class WebChatSocket:
    """``GET /ws``: the web chat's WebSocket endpoint."""

    def __init__(self, channel: WebChatChannel, runner: Any, allowed_origins: tuple[str, ...]):
        self.channel = channel
        self.runner = runner
        self.allowed_origins = set(allowed_origins)

    def origin_ok(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # not a browser: cross-site hijacking needs one
        if origin in self.allowed_origins:
            return True
        return urlsplit(origin).netloc == request.host

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if not self.origin_ok(request):
            raise web.HTTPForbidden(text="origin not allowed")
        ws = web.WebSocketResponse(heartbeat=25, max_msg_size=MAX_FRAME)
        await ws.prepare(request)
        sock: _Socket | None = None
        try:
            hello = await ws.receive(timeout=30)
            sock = await self._hello(ws, hello)
            if sock is None:
                return ws
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    break
                await self._frame(ws, sock, msg.data)
        except (TimeoutError, ConnectionResetError):
            pass
        finally:
            if sock is not None:
                self.channel.detach(sock.conv_id, sock)
            await ws.close()
        return ws

    async def _hello(self, ws: web.WebSocketResponse, msg: Any) -> _Socket | None:
        data = _json(msg.data) if msg.type == WSMsgType.TEXT else None
        if not data or data.get("type") != "hello":
            await ws.send_json({"type": "error", "code": "hello_expected"})
            return None
        token = data.get("token")
        if not isinstance(token, str) or not TOKEN_RE.match(token):
            token = secrets.token_urlsafe(32)
        last = data.get("last")
        last = last if isinstance(last, str) and SEQ_RE.match(last) else "0-0"
        await ws.send_json({"type": "session", "token": token})
        user_id = user_id_for(token)
        conv_id = self.runner.conv_id(CHANNEL, user_id)
        sock = _Socket(ws, self.channel, user_id, conv_id, last)
        self.channel.attach(conv_id, sock)
        await sock.flush()
        if not await self.runner.store.exists(conv_id):
            # A new tab (or an expired conversation): greet. The id makes it once per token.
            await self.runner.submit(InboundEvent(CHANNEL, user_id, "follow", f"hello-{user_id}"))
        return sock

    async def _frame(self, ws: web.WebSocketResponse, sock: _Socket, raw: str) -> None:
        data = _json(raw)
        cid = data.get("cid") if data else None
        if not data or not isinstance(cid, str) or not CID_RE.match(cid):
            await ws.send_json({"type": "error", "code": "bad_frame"})
            return
        user_id = sock.user_id
        kind = data.get("type")
        label = data.get("label")
        if kind == "text" and isinstance(data.get("text"), str):
            said: str | None = data["text"][:MAX_TEXT]
            event = InboundEvent(CHANNEL, user_id, "text", cid, text=said)
        elif kind == "choice" and isinstance(data.get("id"), str):
            # The label is only shown back to this person after a reload; the bot acts on
            # the id alone.
            said = label[:MAX_LABEL] if isinstance(label, str) and label.strip() else None
            event = InboundEvent(CHANNEL, user_id, "choice", cid, choice=data["id"][:300])
        else:
            await ws.send_json({"type": "error", "code": "bad_frame"})
            return
        if said:
            await self.channel.echo(sock.conv_id, cid, said)
        await self.runner.submit(event)
        await ws.send_json({"type": "ack", "cid": cid})


def _json(raw: Any) -> dict[str, Any] | None:
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return None
    return data if isinstance(data, dict) else None
