"""秘密保持義務: what a person writes never reaches the logs; error reports carry none of it."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from support.line_webhook import line_event, line_follow, post_line
from support.webchat_client import hello, next_reply, send

from bot.logs import JsonFormatter, scrub_event

SECRET_WORDS = "秘密のなやみ・シークレット12345"


async def test_no_message_text_in_any_log_record(
    make_app: Any, line_app: Any, line_api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = await make_app()
    ws, _ = await hello(client)
    await next_reply(ws)
    await send(ws, {"type": "text", "text": SECRET_WORDS, "cid": "s1"})
    await send(ws, {"type": "text", "text": f"死にたい {SECRET_WORDS}", "cid": "s2"})
    await next_reply(ws)
    await ws.close()
    user = "U" + "d" * 32
    await line_follow(line_app, line_api, user)
    token = line_api.issue_reply_token(user)
    await post_line(line_app, [line_event("text", user, text=SECRET_WORDS, reply_token=token)])
    formatter = JsonFormatter()
    assert caplog.records, "the app logs something"
    for record in caplog.records:
        assert SECRET_WORDS not in formatter.format(record)


def test_error_reports_drop_bodies_locals_and_breadcrumbs() -> None:
    event = {
        "request": {"url": "/line/webhook", "data": SECRET_WORDS, "headers": {"x": "y"}},
        "breadcrumbs": {"values": [{"message": SECRET_WORDS}]},
        "extra": {"text": SECRET_WORDS},
        "exception": {"values": [{"stacktrace": {"frames": [{"vars": {"text": SECRET_WORDS}}]}}]},
    }
    scrubbed = scrub_event(event, {})
    assert scrubbed is not None
    assert SECRET_WORDS not in repr(scrubbed)
    assert scrubbed["request"]["url"] == "/line/webhook"
