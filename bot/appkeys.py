"""Typed application keys: every shared resource the app holds, in one module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web
from redis.asyncio import Redis

if TYPE_CHECKING:
    from bot.channels.line import LineWebhook
    from bot.channels.webchat import WebChatChannel, WebChatSocket
    from bot.engine.registry import Services
    from bot.i18n import Locales
    from bot.runner import Runner
    from bot.settings import Settings

settings_key: web.AppKey[Settings] = web.AppKey("settings")
redis_key = web.AppKey("redis", Redis)
services_key: web.AppKey[Services] = web.AppKey("services")
locales_key: web.AppKey[Locales] = web.AppKey("locales")
runner_key: web.AppKey[Runner] = web.AppKey("runner")
webchat_key: web.AppKey[WebChatChannel] = web.AppKey("webchat")
socket_key: web.AppKey[WebChatSocket] = web.AppKey("webchat_socket")
line_webhook_key: web.AppKey[LineWebhook] = web.AppKey("line_webhook")
