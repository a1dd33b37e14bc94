"""The web chat over a real WebSocket on loopback, against a real redis-server."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import WSServerHandshakeError
from support.webchat_client import choice_ids, hello, next_reply, open_tab, send, tap, texts

from bot.appkeys import runner_key
from bot.store import keys


async def test_page_is_served_with_its_words_and_a_strict_csp(make_app: Any) -> None:
    client = await make_app()
    response = await client.get("/")
    assert response.status == 200
    page = await response.text()
    assert "いま危ないときは" in page and 'href="tel:110"' in page
    assert "{{" not in page
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert (await client.get("/static/chat.js")).status == 200
    assert (await client.get("/healthz")).status == 200


async def test_a_new_tab_is_greeted_with_privacy_and_emergency_notes(make_app: Any) -> None:
    client = await make_app()
    ws, token = await hello(client)
    greeting = await next_reply(ws)
    body = texts(greeting)
    assert "110" in body and "119" in body
    assert "30日" in body  # the retention period, from settings
    assert choice_ids(greeting) == ["find", "person", "hard_now", "language"]
    assert len(token) == 43
    await ws.close()


async def test_taps_lead_to_results_in_five(make_app: Any) -> None:
    client = await make_app()
    ws = await open_tab(client)
    for choice in ["find", "age_young", "a_money", "m_rent", "c_phone"]:
        reply = await tap(ws, choice)
    cards = [p for p in reply["reply"]["parts"] if p["type"] == "cards"]
    assert cards and 3 <= len(cards[0]["cards"]) <= 5
    assert all(c["title"] and c["body"] for c in cards[0]["cards"])
    assert "person" in choice_ids(reply) and "restart" in choice_ids(reply)
    await ws.close()


async def test_reconnect_resumes_without_losing_or_repeating(make_app: Any) -> None:
    client = await make_app()
    ws, token = await hello(client)
    first = await next_reply(ws)
    await ws.close()
    # While the tab is away, the bot answers a choice the tab had sent before closing.
    runner = client.app[runner_key]
    from bot.channels.base import InboundEvent
    from bot.channels.webchat import user_id_for

    await runner.submit(InboundEvent("web", user_id_for(token), "choice", "away1", choice="find"))
    await runner.idle()
    ws, same = await hello(client, token=token, last=first["seq"])
    assert same == token
    missed = await next_reply(ws)
    assert missed["seq"] > first["seq"]
    assert "age_child" in choice_ids(missed)
    # Nothing else is pending: no repeat of the greeting.
    with pytest.raises(asyncio.TimeoutError):
        await ws.receive_json(timeout=0.5)
    await ws.close()


async def _everything_sent(ws: Any) -> list[dict[str, Any]]:
    frames = []
    while True:
        try:
            frames.append(await ws.receive_json(timeout=1))
        except TimeoutError:
            return frames


def _seq(frame: dict[str, Any]) -> tuple[int, int]:
    ms, n = frame["seq"].split("-")
    return int(ms), int(n)


async def test_a_resent_frame_is_answered_once_and_kept_once(make_app: Any) -> None:
    client = await make_app()
    ws, token = await hello(client)
    await next_reply(ws)
    frame = {"type": "text", "text": "きいてほしい", "cid": "same-id"}
    await send(ws, frame)
    await send(ws, frame)  # the tab re-sends after a reconnect it thought had lost it
    await next_reply(ws)
    await client.app[runner_key].idle()
    with pytest.raises(asyncio.TimeoutError):
        await ws.receive_json(timeout=0.5)
    await ws.close()
    ws, _ = await hello(client, token=token)  # a reload shows it once
    frames = await _everything_sent(ws)
    assert [f["cid"] for f in frames if f["type"] == "mine"] == ["same-id"]
    assert [f["type"] for f in frames].count("reply") == 2  # the greeting and one answer
    await ws.close()


async def test_a_crisis_path_offers_tap_to_call(make_app: Any) -> None:
    client = await make_app()
    ws = await open_tab(client)
    for choice in ["find", "age_young", "a_lonely", "c_phone"]:
        reply = await tap(ws, choice)
    cards = [c for p in reply["reply"]["parts"] if p["type"] == "cards" for c in p["cards"]]
    tel = [a for c in cards for a in c["actions"] if a["kind"] == "tel"]
    assert tel and all(a["value"].replace("-", "").isdigit() for a in tel)
    await ws.close()


async def test_cross_site_origin_is_refused(make_app: Any) -> None:
    client = await make_app()
    with pytest.raises(WSServerHandshakeError) as err:
        await client.ws_connect("/ws", headers={"Origin": "https://evil.example"})
    assert err.value.status == 403
    ws, _ = await hello(client, origin=f"http://{client.host}:{client.port}")
    await ws.close()


async def test_bad_frames_get_an_error_not_a_crash(make_app: Any) -> None:
    client = await make_app()
    ws = await client.ws_connect("/ws")
    await ws.send_str("not json")
    assert (await ws.receive_json(timeout=5)) == {"type": "error", "code": "hello_expected"}
    ws, _ = await hello(client)
    await next_reply(ws)
    await ws.send_json({"type": "text", "text": "x"})  # no cid
    assert (await ws.receive_json(timeout=5))["code"] == "bad_frame"
    await ws.send_json({"type": "dance", "cid": "a"})
    assert (await ws.receive_json(timeout=5))["code"] == "bad_frame"
    await ws.close()


async def test_delete_my_data_removes_the_conversation(make_app: Any, redis_client: Any) -> None:
    client = await make_app()
    ws, token = await hello(client)
    await next_reply(ws)
    await send(ws, {"type": "choice", "id": "delete_data", "cid": "d1"})
    confirm = await next_reply(ws)
    assert choice_ids(confirm) == ["delete_yes", "delete_no"]
    await send(ws, {"type": "choice", "id": "delete_yes", "cid": "d2"})
    done = await next_reply(ws)
    assert "消しました" in texts(done)
    await client.app[runner_key].idle()
    from bot.channels.webchat import user_id_for

    conv_id = client.app[runner_key].conv_id("web", user_id_for(token))
    for key in keys.conversation_keys(conv_id):
        if key != keys.outbox(conv_id):
            assert not await redis_client.exists(key), key
    await ws.close()


async def test_conversations_expire(make_app: Any, redis_client: Any) -> None:
    client = await make_app(conversation_ttl_days=2)
    ws, token = await hello(client)
    await next_reply(ws)
    await client.app[runner_key].idle()
    from bot.channels.webchat import user_id_for

    conv_id = client.app[runner_key].conv_id("web", user_id_for(token))
    ttl = await redis_client.ttl(keys.conversation(conv_id))
    assert 2 * 86400 - 60 < ttl <= 2 * 86400
    await ws.close()


async def test_a_reloaded_page_gets_both_sides_in_order(make_app: Any) -> None:
    client = await make_app()
    ws, token = await hello(client)
    await next_reply(ws)
    await send(ws, {"type": "choice", "id": "find", "cid": "t1", "label": "相談先をさがす"})
    await next_reply(ws)
    await send(ws, {"type": "text", "text": "ひとりで寂しい", "cid": "t2"})
    await next_reply(ws)
    await client.app[runner_key].idle()
    await ws.close()

    ws, _ = await hello(client, token=token)  # a reload: the page starts from nothing
    frames = await _everything_sent(ws)
    assert [f["type"] for f in frames[:4]] == ["reply", "mine", "reply", "mine"]
    mine = [(f["cid"], f["text"]) for f in frames if f["type"] == "mine"]
    assert mine == [("t1", "相談先をさがす"), ("t2", "ひとりで寂しい")]
    assert frames[-1]["type"] == "reply"  # the answer to the last message comes after it
    assert [_seq(f) for f in frames] == sorted(_seq(f) for f in frames)
    await ws.close()


async def test_the_outbox_keeps_no_plain_text_and_opens_in_its_own_conversation(
    make_app: Any, redis_client: Any
) -> None:
    from bot.channels.webchat import user_id_for

    client = await make_app()
    runner = client.app[runner_key]
    ws, token = await hello(client)
    greeting = await next_reply(ws)
    await send(ws, {"type": "text", "text": "だれにも言えない話", "cid": "p1"})
    await next_reply(ws)
    other_ws, other_token = await hello(client)
    await next_reply(other_ws)
    await runner.idle()

    conv_id = runner.conv_id("web", user_id_for(token))
    entries = await redis_client.xrange(keys.outbox(conv_id))
    stored = b"".join(value for _, fields in entries for value in fields.values())
    assert len(entries) >= 3
    assert "だれにも言えない話".encode() not in stored
    assert texts(greeting).split("\n")[0].encode() not in stored

    # An entry copied from another conversation's outbox does not open here: skipped.
    other = runner.conv_id("web", user_id_for(other_token))
    (_, foreign), *_ = await redis_client.xrange(keys.outbox(other))
    await redis_client.xadd(keys.outbox(conv_id), foreign)
    await ws.close()
    ws, _ = await hello(client, token=token)
    frames = await _everything_sent(ws)
    assert len(frames) == len(entries)
    await ws.close()
    await other_ws.close()
