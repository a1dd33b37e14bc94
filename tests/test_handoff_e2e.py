"""A person asks for a human; a counsellor takes it through the API; they talk; the counsellor
closes with a record; the bot answers again. Over LINE (signed webhooks, LINE's API stand-in)
and over the web chat (a real WebSocket), with the whole app running."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from support.counsellor_client import (
    add_counsellor,
    person_said,
    queue,
    settle,
    transcript,
)
from support.line_webhook import line_event, line_follow, line_says, line_taps, post_line
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

USER = "U" + "b" * 32

RECORD = {
    "summary": "仕事を失い家賃が払えない。住居確保給付金を案内。",
    "topics": ["housing", "money"],
    "urgency": "normal",
    "age_band": "20s",
    "referrals": ["jukyo_kakuho_kyufukin"],
}


async def test_line_person_to_counsellor_and_back(line_app: TestClient, line_api: Any) -> None:
    client = line_app
    counsellor = await add_counsellor(client, "sato", "npo-a")
    other_org = await add_counsellor(client, "tanaka", "npo-b")

    await line_follow(client, line_api, USER)
    await line_says(client, line_api, USER, "人と話したい")
    await settle(client)
    said = " ".join(line_api.texts_to(USER))
    assert "相談員につなぎます" in said

    waiting = await queue(client, counsellor)
    assert len(waiting) == 1 and waiting[0]["channel"] == "line"
    ticket = waiting[0]["id"]

    assert (
        await client.post(f"/api/conversations/{ticket}/claim", headers=counsellor)
    ).status == 200
    assert (await client.post(f"/api/conversations/{ticket}/claim", headers=other_org)).status in (
        404,
        409,
    )
    await settle(client)
    assert "相談員が入りました" in line_api.texts_to(USER)[-1]

    # Counsellor → person (a push: there is no reply token for it).
    response = await client.post(
        f"/api/conversations/{ticket}/messages",
        headers=counsellor,
        json={"text": "はじめまして。ゆっくりで大丈夫ですよ。"},
    )
    assert response.status in (200, 201)
    await settle(client)
    assert line_api.texts_to(USER)[-1].endswith("ゆっくりで大丈夫ですよ。")

    # Person → counsellor: the bot says nothing itself.
    before = len(line_api.requests)
    await line_says(client, line_api, USER, "仕事をなくして家賃が払えません")
    assert len(line_api.requests) == before
    # Once, and only what was said to the counsellor (the request came before the handoff).
    assert person_said(await transcript(client, ticket, counsellor)) == [
        "仕事をなくして家賃が払えません"
    ]

    # Another organisation cannot read it.
    denied = await client.get(f"/api/conversations/{ticket}/messages", headers=other_org)
    assert denied.status in (403, 404)

    # Close with a record: the person is told and the bot is back.
    missing = await client.post(
        f"/api/conversations/{ticket}/close",
        headers=counsellor,
        json={"record": {"summary": "x", "topics": ["money"]}},
    )
    assert missing.status == 422 and "urgency" in await missing.text()
    closed = await client.post(
        f"/api/conversations/{ticket}/close", headers=counsellor, json={"record": RECORD}
    )
    assert closed.status in (200, 204)
    await settle(client)
    last = line_api.messages_to(USER)[-1]
    assert "ありがとうございました" in last["text"]
    assert "find" in [i["action"]["data"] for i in last["quickReply"]["items"]]
    await line_taps(client, line_api, USER, "find")
    assert "年齢" in line_api.texts_to(USER)[-1]
    line_api.assert_no_violations()


async def test_web_chat_person_to_counsellor_and_back(make_app: Any) -> None:
    client = await make_app()
    counsellor = await add_counsellor(client, "suzuki", "npo-a")
    ws = await open_tab(client)
    queued = await tap(ws, "person")
    assert "相談員につなぎます" in texts(queued)
    assert choice_ids(queued) == ["story_while_waiting", "cancel_wait"]
    assert "見本" in texts(await tap(ws, "story_while_waiting"))
    [item] = await queue(client, counsellor)
    ticket = item["id"]
    await client.post(f"/api/conversations/{ticket}/claim", headers=counsellor)
    assert "相談員が入りました" in texts(await next_reply(ws))
    await client.post(
        f"/api/conversations/{ticket}/messages",
        headers=counsellor,
        json={"text": "こんにちは、相談員の鈴木です。"},
    )
    assert "相談員の鈴木です" in texts(await next_reply(ws))
    await send(ws, {"type": "text", "text": "話を聞いてほしいです", "cid": "p2"})
    await settle(client)
    assert person_said(await transcript(client, ticket, counsellor)) == ["話を聞いてほしいです"]
    await client.post(
        f"/api/conversations/{ticket}/close", headers=counsellor, json={"record": RECORD}
    )
    back = await next_reply(ws)
    assert "ありがとうございました" in texts(back)
    assert "find" in choice_ids(back)
    await ws.close()


async def test_high_risk_goes_before_earlier_plain_requests(make_app: Any) -> None:
    client = await make_app()
    counsellor = await add_counsellor(client, "kato", "npo-a")
    plain = await open_tab(client)
    await tap(plain, "person")
    urgent = await open_tab(client)
    assert "110" in texts(await say(urgent, "今から飛び降りる"))
    await settle(client)
    waiting = await queue(client, counsellor)
    assert [w["risk"] for w in waiting] == ["high", "none"]
    await plain.close()
    await urgent.close()


async def test_no_one_on_duty_is_said_honestly_with_the_24h_lines(make_app: Any) -> None:
    client = await make_app()
    ws = await open_tab(client)
    reply = await tap(ws, "person")
    assert "相談員が対応できる時間ではありません" in texts(reply)
    assert card_titles(reply), "the lines open now are shown"
    assert "leave_message" in choice_ids(reply)
    await ws.close()


async def test_a_person_can_stop_waiting(make_app: Any) -> None:
    client = await make_app()
    counsellor = await add_counsellor(client, "ueda", "npo-a")
    ws = await open_tab(client)
    await tap(ws, "person")
    assert len(await queue(client, counsellor)) == 1
    stopped = await tap(ws, "cancel_wait")
    assert "取り消しました" in texts(stopped)
    assert "find" in choice_ids(stopped)
    assert await queue(client, counsellor) == []
    await ws.close()


async def test_unfollow_takes_the_person_out_of_the_queue(
    line_app: TestClient, line_api: Any
) -> None:
    counsellor = await add_counsellor(line_app, "noda", "npo-a")
    await line_follow(line_app, line_api, USER)
    await line_taps(line_app, line_api, USER, "person")
    assert len(await queue(line_app, counsellor)) == 1
    await post_line(line_app, [line_event("unfollow", USER)])
    await settle(line_app)
    assert await queue(line_app, counsellor) == []


def day_only_config(tmp_path: Any) -> Any:
    """One organisation answering on weekdays 9:00-17:00."""
    config = tmp_path / "handoff.yaml"
    weekly = "".join(
        f'        {d}: ["09:00-17:00"]\n' for d in ("mon", "tue", "wed", "thu", "fri")
    )
    config.write_text(
        "version: 1\norganisations:\n  - id: npo-day\n    name: 昼の相談\n    hours:\n"
        f"      weekly:\n{weekly}      holidays: closed\n",
        encoding="utf-8",
    )
    return config


async def test_outside_hours_the_person_hears_when_someone_is_back_and_can_leave_a_message(
    make_app: Any, tmp_path: Any, clock: Any
) -> None:
    clock.set(2026, 11, 18, 22, 0)  # a Wednesday night
    client = await make_app(handoff_config=day_only_config(tmp_path))
    counsellor = await add_counsellor(client, "hayashi", "npo-day")
    ws = await open_tab(client)
    reply = await tap(ws, "person")
    assert "11月19日の9:00ごろ" in texts(reply)
    assert "leave_message" in choice_ids(reply)
    await tap(ws, "leave_message")
    thanks = await say(ws, "明日の朝、話を聞いてもらえますか")
    assert "受け取りました" in texts(thanks)
    await settle(client)
    [item] = await queue(client, counsellor)
    assert person_said(await transcript(client, item["id"], counsellor)) == [
        "明日の朝、話を聞いてもらえますか"
    ]
    await ws.close()
