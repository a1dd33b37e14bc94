"""Every typed message, in every state and mode and on both channels, passes the risk check,
and the crisis response follows (issue: "Safety first")."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis
from support.line_webhook import line_event, line_follow, post_line
from test_handoff_e2e import add_counsellor, queue, settle
from test_webchat import hello, next_reply, send, texts

from bot.store import keys

USER = "U" + "c" * 32


def card_titles(frame: dict[str, Any]) -> list[str]:
    return [
        c["title"] for p in frame["reply"]["parts"] if p["type"] == "cards" for c in p["cards"]
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
    ws, _ = await hello(client)
    await next_reply(ws)
    for n, tap in enumerate(taps):
        await send(ws, {"type": "choice", "id": tap, "cid": f"t{n}"})
        await next_reply(ws)
    await send(ws, {"type": "text", "text": "もう消えたい", "cid": "risk"})
    reply = await next_reply(ws)
    body = texts(reply)
    assert "話してくれて、ありがとうございます" in body
    assert card_titles(reply), "lines open now are listed"
    assert [c["id"] for c in reply["reply"]["choices"]][0] == "person"
    events = await redis_client.xrange(keys.risk_events())
    assert events and events[-1][1][b"level"] == b"medium"
    assert b"text" not in events[-1][1]  # counted without the words
    await ws.close()


async def test_high_risk_puts_110_119_first_and_queues_at_the_top(make_app: Any) -> None:
    client = await make_app()
    counsellor = await add_counsellor(client, "ito", "npo-a")
    ws, _ = await hello(client)
    await next_reply(ws)
    await send(ws, {"type": "text", "text": "薬ぜんぶ飲んだ", "cid": "h1"})
    reply = await next_reply(ws)
    first = reply["reply"]["parts"][0]["text"]
    assert "110" in first and "119" in first
    queued = await next_reply(ws) if "相談員につなぎます" not in texts(reply) else reply
    assert "相談員につなぎます" in texts(queued)
    await settle(client)
    [item] = await queue(client, counsellor)
    assert item["risk"] == "high"
    await ws.close()


async def test_children_see_childrens_lines_first(make_app: Any) -> None:
    client = await make_app()
    ws, _ = await hello(client)
    await next_reply(ws)
    for n, tap in enumerate(["find", "age_child"]):
        await send(ws, {"type": "choice", "id": tap, "cid": f"k{n}"})
        await next_reply(ws)
    await send(ws, {"type": "text", "text": "しにたい", "cid": "k9"})
    reply = await next_reply(ws)
    assert "おしえてくれて" in texts(reply)
    titles = card_titles(reply)
    assert titles and ("子" in titles[0] or "チャイルド" in titles[0]), titles
    await ws.close()


async def test_figurative_words_do_not_trigger_the_crisis_response(make_app: Any) -> None:
    client = await make_app()
    ws, _ = await hello(client)
    await next_reply(ws)
    await send(ws, {"type": "text", "text": "テスト死んだ笑", "cid": "f1"})
    reply = await next_reply(ws)
    assert "とてもつらい気持ち" not in texts(reply)
    await ws.close()


async def test_risk_while_waiting_raises_the_ticket_and_answers(make_app: Any) -> None:
    client = await make_app()
    counsellor = await add_counsellor(client, "mori", "npo-a")
    first, _ = await hello(client)
    await next_reply(first)
    await send(first, {"type": "choice", "id": "person", "cid": "w0"})
    await next_reply(first)
    ws, _ = await hello(client)
    await next_reply(ws)
    await send(ws, {"type": "choice", "id": "person", "cid": "w1"})
    await next_reply(ws)
    await send(ws, {"type": "text", "text": "もう死にたい", "cid": "w2"})
    reply = await next_reply(ws)
    assert card_titles(reply), "a waiting person gets the lines open now"
    await settle(client)
    waiting = await queue(client, counsellor)
    assert waiting[0]["risk"] in ("medium", "high")
    assert len(waiting) == 2
    # Regression: the words themselves reach the counsellor, not only the alert.
    await client.post(f"/api/conversations/{waiting[0]['id']}/claim", headers=counsellor)
    said = (
        await (
            await client.get(f"/api/conversations/{waiting[0]['id']}/messages", headers=counsellor)
        ).json()
    )["messages"]
    assert [m["text"] for m in said if m["role"] == "person"] == ["もう死にたい"]
    await first.close()
    await ws.close()


async def test_risk_during_a_human_chat_alerts_the_counsellor_not_the_bot(make_app: Any) -> None:
    client = await make_app()
    counsellor = await add_counsellor(client, "abe", "npo-a")
    ws, _ = await hello(client)
    await next_reply(ws)
    await send(ws, {"type": "choice", "id": "person", "cid": "c1"})
    await next_reply(ws)
    [item] = await queue(client, counsellor)
    await client.post(f"/api/conversations/{item['id']}/claim", headers=counsellor)
    await next_reply(ws)  # 相談員が入りました
    await send(ws, {"type": "text", "text": "今から死ぬ", "cid": "c2"})
    await settle(client)
    import asyncio

    with pytest.raises(asyncio.TimeoutError):
        await ws.receive_json(timeout=0.5)  # the bot stays quiet in a human conversation
    detail = await (
        await client.get(f"/api/conversations/{item['id']}", headers=counsellor)
    ).json()
    assert detail["risk"] == "high", detail  # the counsellor's view shows it at once
    coordinator = await add_counsellor(client, "coord", "platform", role="coordinator")
    found = (await (await client.get("/api/alerts", headers=coordinator)).json())["alerts"]
    assert any(a.get("level") == "high" for a in found), found
    messages = (
        await (
            await client.get(f"/api/conversations/{item['id']}/messages", headers=counsellor)
        ).json()
    )["messages"]
    assert any(m["text"] == "今から死ぬ" for m in messages)
    await ws.close()


async def test_line_risk_message_gets_the_crisis_reply(line_app: Any, line_api: Any) -> None:
    await line_follow(line_app, line_api, USER)
    await post_line(
        line_app,
        [line_event("text", USER, text="ｼﾆﾀｲ", reply_token=line_api.issue_reply_token(USER))],
    )
    messages = line_api.messages_to(USER)
    assert any("ありがとうございます" in m.get("text", "") for m in messages[1:])
    assert any(m["type"] == "flex" for m in messages[1:])
    line_api.assert_no_violations()


async def test_high_risk_with_no_one_on_duty_is_told_so_with_the_24h_lines(make_app: Any) -> None:
    client = await make_app()
    ws, _ = await hello(client)
    await next_reply(ws)
    await send(ws, {"type": "text", "text": "今から飛び降りる", "cid": "n1"})
    reply = await next_reply(ws)
    body = texts(reply)
    assert body.index("110") < body.index("相談員が対応できる時間ではありません")
    assert card_titles(reply), "the lines open now are given"
    await ws.close()
