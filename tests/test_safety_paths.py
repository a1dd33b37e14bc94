"""Every typed message, in every state and mode and on both channels, passes the risk check,
and the crisis response follows (issue: "Safety first")."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis.asyncio import Redis
from support.counsellor_client import add_counsellor, person_said, queue, settle, transcript
from support.line_webhook import line_follow, line_says
from support.webchat_client import (
    card_titles,
    choice_ids,
    next_reply,
    open_tab,
    say,
    send,
    tap,
    texts,
)

from bot.store import keys

USER = "U" + "c" * 32


def card_hours(frame: dict[str, Any]) -> list[str]:
    return [
        c["hours"] for p in frame["reply"]["parts"] if p["type"] == "cards" for c in p["cards"]
    ]


@pytest.mark.parametrize(
    "taps",
    [
        [],
        ["find"],
        ["find", "age_adult"],
        ["find", "age_adult", "a_work"],
        ["find", "age_adult", "a_work", "c_phone"],
        ["hard_now"],
        ["delete_data"],
    ],
    ids=["welcome", "ask_age", "ask_area", "ask_channel", "results", "hard_now", "confirm"],
)
async def test_medium_risk_in_any_menu_state(
    make_app: Any, taps: list[str], redis_client: Redis
) -> None:
    client = await make_app()
    ws = await open_tab(client)
    for choice in taps:
        await tap(ws, choice)
    reply = await say(ws, "もう消えたい")
    assert "話してくれて、ありがとうございます" in texts(reply)
    assert card_titles(reply), "lines open now are listed"
    assert all(card_hours(reply)), "each line says when it is open"
    assert choice_ids(reply)[0] == "person"
    events = await redis_client.xrange(keys.risk_events())
    assert events and events[-1][1][b"level"] == b"medium"
    assert b"text" not in events[-1][1]  # counted without the words
    await ws.close()


async def test_high_risk_puts_110_119_first_and_queues_at_the_top(make_app: Any) -> None:
    client = await make_app()
    counsellor = await add_counsellor(client, "ito", "npo-a")
    ws = await open_tab(client)
    reply = await say(ws, "薬ぜんぶ飲んだ")
    first = reply["reply"]["parts"][0]["text"]
    assert "110" in first and "119" in first
    assert "相談員につなぎます" in texts(reply)
    await settle(client)
    [item] = await queue(client, counsellor)
    assert item["risk"] == "high"
    await ws.close()


async def test_high_risk_with_no_one_on_duty_is_told_so_with_the_24h_lines(make_app: Any) -> None:
    client = await make_app()
    ws = await open_tab(client)
    reply = await say(ws, "今から飛び降りる")
    body = texts(reply)
    assert body.index("110") < body.index("相談員が対応できる時間ではありません")
    assert card_titles(reply), "the lines open now are given"
    await ws.close()


async def test_children_see_childrens_lines_first(make_app: Any) -> None:
    client = await make_app()
    ws = await open_tab(client)
    for choice in ("find", "age_child"):
        await tap(ws, choice)
    reply = await say(ws, "しにたい")
    assert "おしえてくれて" in texts(reply)
    titles = card_titles(reply)
    assert titles and ("子" in titles[0] or "チャイルド" in titles[0]), titles
    await ws.close()


async def test_figurative_words_do_not_trigger_the_crisis_response(make_app: Any) -> None:
    client = await make_app()
    ws = await open_tab(client)
    reply = await say(ws, "テスト死んだ笑")
    assert "とてもつらい気持ち" not in texts(reply)
    await ws.close()


async def test_risk_while_waiting_raises_the_ticket_and_answers(make_app: Any) -> None:
    client = await make_app()
    counsellor = await add_counsellor(client, "mori", "npo-a")
    first = await open_tab(client)
    await tap(first, "person")
    ws = await open_tab(client)
    await tap(ws, "person")
    reply = await say(ws, "もう死にたい")
    assert card_titles(reply), "a waiting person gets the lines open now"
    await settle(client)
    waiting = await queue(client, counsellor)
    assert len(waiting) == 2
    assert waiting[0]["risk"] in ("medium", "high")
    # Regression: the words themselves reach the counsellor, not only the alert.
    ticket = waiting[0]["id"]
    await client.post(f"/api/conversations/{ticket}/claim", headers=counsellor)
    assert person_said(await transcript(client, ticket, counsellor)) == ["もう死にたい"]
    await first.close()
    await ws.close()


async def test_risk_during_a_human_chat_alerts_the_counsellor_not_the_bot(make_app: Any) -> None:
    client = await make_app()
    counsellor = await add_counsellor(client, "abe", "npo-a")
    ws = await open_tab(client)
    await tap(ws, "person")
    [item] = await queue(client, counsellor)
    ticket = item["id"]
    await client.post(f"/api/conversations/{ticket}/claim", headers=counsellor)
    await next_reply(ws)  # 相談員が入りました
    await send(ws, {"type": "text", "text": "今から死ぬ", "cid": "c2"})
    await settle(client)
    with pytest.raises(asyncio.TimeoutError):
        await ws.receive_json(timeout=0.5)  # the bot stays quiet in a human conversation
    detail = await (await client.get(f"/api/conversations/{ticket}", headers=counsellor)).json()
    assert detail["risk"] == "high", detail  # the counsellor's view shows it at once
    coordinator = await add_counsellor(client, "coord", "platform", role="coordinator")
    found = (await (await client.get("/api/alerts", headers=coordinator)).json())["alerts"]
    assert any(a.get("level") == "high" for a in found), found
    assert person_said(await transcript(client, ticket, counsellor)) == ["今から死ぬ"]
    await ws.close()


async def test_line_risk_message_gets_the_crisis_reply(line_app: Any, line_api: Any) -> None:
    await line_follow(line_app, line_api, USER)
    await line_says(line_app, line_api, USER, "ｼﾆﾀｲ")
    messages = line_api.messages_to(USER)[1:]
    assert any("ありがとうございます" in m.get("text", "") for m in messages)
    assert any(m["type"] == "flex" for m in messages)
    line_api.assert_no_violations()
