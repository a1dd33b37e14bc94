"""The app factory: ``create_app(settings)`` wires every part, for `serve` and tests alike.

Resources live in ``cleanup_ctx`` generators and are closed on exit, in reverse order:
the store, then the bot's parts (data loaded and checked before the first request, so
a broken flow or catalogue never serves traffic), then background workers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import suppress

from aiohttp import web

from bot.appkeys import (
    line_webhook_key,
    locales_key,
    redis_key,
    runner_key,
    services_key,
    settings_key,
    socket_key,
    webchat_key,
)
from bot.channels.base import Channel
from bot.channels.line import LineChannel, LineWebhook
from bot.channels.webchat import WebChatChannel, WebChatSocket
from bot.components import load_bot
from bot.paths import static_dir
from bot.settings import Settings
from bot.store.connection import open_redis
from bot.store.ids import load_or_create_secret
from bot.web.page import render_page
from handoff.api import setup_api_routes
from handoff.appkeys import handoff_service_key, staff_key
from handoff.console import setup_console_routes
from handoff.sealing import Sealer, sealing_key

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


def create_app(settings: Settings, clock: Clock | None = None) -> web.Application:
    app = web.Application(client_max_size=settings.max_body_bytes, middlewares=[error_middleware])
    app[settings_key] = settings
    app.cleanup_ctx.append(redis_ctx)
    app.cleanup_ctx.append(_bot_ctx(clock))
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/", index)
    app.router.add_get("/ws", web_chat_socket)
    app.router.add_get("/sheet/{sheet_id}", result_sheet)
    if settings.line_enabled:
        app.router.add_post("/line/webhook", line_webhook)
    app.router.add_static("/static/", static_dir(), name="static")
    setup_api_routes(app)
    setup_console_routes(app)
    return app


async def redis_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[settings_key]
    async with open_redis(settings.redis_url, settings.data_dir) as redis:
        app[redis_key] = redis
        yield


def _bot_ctx(clock: Clock | None) -> Callable[[web.Application], AsyncIterator[None]]:
    async def bot_ctx(app: web.Application) -> AsyncIterator[None]:
        settings, redis = app[settings_key], app[redis_key]
        secret = await load_or_create_secret(redis, settings.secret)
        bot = load_bot(settings, redis, secret, clock)
        services = bot.services
        webchat = WebChatChannel(
            redis, settings.conversation_ttl_seconds, Sealer(sealing_key(secret, "outbox"))
        )
        channels: dict[str, Channel] = {webchat.name: webchat}
        line: LineChannel | None = None
        if settings.line_enabled:
            assert settings.line_channel_secret and settings.line_channel_access_token
            line = LineChannel(
                settings.line_channel_secret,
                settings.line_channel_access_token,
                settings.line_api_endpoint,
            )
            channels[line.name] = line
        runner = bot.runner(channels)
        desk = services.handoff
        app[handoff_service_key] = desk.service
        app[staff_key] = desk.service.staff
        app[services_key] = services
        app[locales_key] = services.locales
        app[runner_key] = runner
        app[webchat_key] = webchat

        app[socket_key] = WebChatSocket(webchat, runner, settings.allowed_origins)
        if line is not None:
            app[line_webhook_key] = LineWebhook(line, runner)

        workers = [
            asyncio.create_task(webchat.listen(), name="webchat-listener"),
            asyncio.create_task(runner.sweep_forever(), name="inbox-sweeper"),
            asyncio.create_task(desk.service.run_sweeper(), name="handoff-sweeper"),
        ]
        await runner.sweep_once()
        log.info("tsunagari ready", extra={"line": line is not None})
        yield
        await stop_workers(workers)
        await runner.close()
        if line is not None:
            await line.close()

    return bot_ctx


async def stop_workers(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel background workers and wait for them. A cancellation can be swallowed by a
    library mid-call (the worker then carries on with its loop), so cancel until done."""
    while pending := [t for t in tasks if not t.done()]:
        for task in pending:
            task.cancel()
        await asyncio.wait(pending, timeout=1.0)
    for task in tasks:
        with suppress(asyncio.CancelledError):
            exc = task.exception() if not task.cancelled() else None
            if exc is not None:
                log.error("worker ended with an error", exc_info=exc)


@web.middleware
async def error_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        # The request body may hold a person's words: log the route only.
        log.exception("unhandled error", extra={"path": request.path, "method": request.method})
        return web.json_response({"error": "internal"}, status=500)


async def healthz(request: web.Request) -> web.Response:
    redis = request.app[redis_key]
    try:
        await redis.ping()
    except Exception:
        return web.json_response({"status": "unavailable"}, status=503)
    return web.json_response({"status": "ok"})


async def web_chat_socket(request: web.Request) -> web.StreamResponse:
    return await request.app[socket_key].handle(request)


async def line_webhook(request: web.Request) -> web.StreamResponse:
    return await request.app[line_webhook_key].handle(request)


async def result_sheet(request: web.Request) -> web.StreamResponse:
    sheets = request.app[services_key].sheets
    if sheets is None:
        raise web.HTTPNotFound()
    return await sheets.download(request)


async def index(request: web.Request) -> web.Response:
    locales = request.app[locales_key]
    page = render_page(locales, locales.default)
    return web.Response(text=page, content_type="text/html", headers=PAGE_HEADERS)


# The page loads nothing from elsewhere; say so, so an injected script could not either.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
