"""A person asks for a human; a counsellor takes it through the API; they talk; the counsellor
closes with a record; the bot answers again. Over LINE (signed webhooks, LINE's API stand-in)
and over the web chat (a real WebSocket), with the whole app running."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from support.line_webhook import line_event, line_follow, post_line
from test_webchat import hello, next_reply, send, texts

from bot.appkeys import runner_key
from handoff.appkeys import staff_key

USER = "U" + "b" * 32
PASSWORD = "correct horse battery staple"


async def add_counsellor(
    client: TestClient,
    login: str,
    org: str,
    role: str = "counsellor",
) -> dict[str, str]:
    staff = client.app[staff_key]
    await staff.add_org(org, name=f"{org} 相談室")
    await staff.add_counsellor(login, org, PASSWORD, role=role)
    response = await client.post("/api/login", json={"login": login, "password": PASSWORD})
    assert response.status == 200
    headers = {"Authorization": f"Bearer {(await response.json())['token']}"}
    assert (await client.post("/api/heartbeat", headers=headers)).status in (200, 204)
    return headers


async def settle(client: TestClient) -> None:
    await client.app[runner_key].idle()


async def queue(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get("/api/queue", headers=headers)
    assert response.status == 200
    return list((await response.json())["waiting"])


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
    await post_line(
        client,
        [
            line_event(
                "text", USER, text="人と話したい", reply_token=line_api.issue_reply_token(USER)
            )
        ],
    )
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
    await post_line(
        client,
        [
            line_event(
                "text",
                USER,
                text="仕事をなくして家賃が払えません",
                reply_token=line_api.issue_reply_token(USER),
            )
        ],
    )
    assert len(line_api.requests) == before
    transcript = await client.get(f"/api/conversations/{ticket}/messages", headers=counsellor)
    items = (await transcript.json())["messages"]
    person = [m for m in items if m["role"] == "person"]
    assert person and person[-1]["text"] == "仕事をなくして家賃が払えません"
    assert len([m for m in items if m["text"] == "仕事をなくして家賃が払えません"]) == 1

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
    await post_line(
        client,
        [line_event("postback", USER, data="find", reply_token=line_api.issue_reply_token(USER))],
    )
    assert "年齢" in line_api.texts_to(USER)[-1]
    line_api.assert_no_violations()


async def test_web_chat_person_to_counsellor_and_back(make_app: Any) -> None:
    client = await make_app()
    counsellor = await add_counsellor(client, "suzuki", "npo-a")
    ws, _ = await hello(client)
    await next_reply(ws)
    await send(ws, {"type": "choice", "id": "person", "cid": "p1"})
    queued = await next_reply(ws)
    assert "相談員につなぎます" in texts(queued)
    assert [c["id"] for c in queued["reply"]["choices"]] == ["story_while_waiting", "cancel_wait"]
    await send(ws, {"type": "choice", "id": "story_while_waiting", "cid": "p1s"})
    story = await next_reply(ws)
    assert "見本" in texts(story)
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
    items = (
        await (
            await client.get(f"/api/conversations/{ticket}/messages", headers=counsellor)
        ).json()
    )["messages"]
    assert [m["text"] for m in items if m["role"] == "person"] == ["話を聞いてほしいです"]
    await client.post(
        f"/api/conversations/{ticket}/close", headers=counsellor, json={"record": RECORD}
    )
    back = await next_reply(ws)
    assert "ありがとうございました" in texts(back)
    assert "find" in [c["id"] for c in back["reply"]["choices"]]
    await ws.close()


async def test_high_risk_goes_before_earlier_plain_requests(make_app: Any) -> None:
    client = await make_app()
    counsellor = await add_counsellor(client, "kato", "npo-a")
    plain, _ = await hello(client)
    await next_reply(plain)
    await send(plain, {"type": "choice", "id": "person", "cid": "a1"})
    await next_reply(plain)
    urgent, _ = await hello(client)
    await next_reply(urgent)
    await send(urgent, {"type": "text", "text": "今から飛び降りる", "cid": "b1"})
    crisis = await next_reply(urgent)
    assert "110" in texts(crisis)
    await settle(client)
    waiting = await queue(client, counsellor)
    assert [w["risk"] for w in waiting] == ["high", "none"]
    await plain.close()
    await urgent.close()


async def test_no_one_on_duty_is_said_honestly_with_the_24h_lines(make_app: Any) -> None:
    client = await make_app()
    ws, _ = await hello(client)
    await next_reply(ws)
    await send(ws, {"type": "choice", "id": "person", "cid": "n1"})
    reply = await next_reply(ws)
    assert "相談員が対応できる時間ではありません" in texts(reply)
    cards = [c for p in reply["reply"]["parts"] if p["type"] == "cards" for c in p["cards"]]
    assert cards, "the lines open now are shown"
    assert "leave_message" in [c["id"] for c in reply["reply"]["choices"]]
    await ws.close()


async def test_a_person_can_stop_waiting(make_app: Any) -> None:
    client = await make_app()
    counsellor = await add_counsellor(client, "ueda", "npo-a")
    ws, _ = await hello(client)
    await next_reply(ws)
    await send(ws, {"type": "choice", "id": "person", "cid": "q1"})
    await next_reply(ws)
    assert len(await queue(client, counsellor)) == 1
    await send(ws, {"type": "choice", "id": "cancel_wait", "cid": "q2"})
    stopped = await next_reply(ws)
    assert "取り消しました" in texts(stopped)
    assert "find" in [c["id"] for c in stopped["reply"]["choices"]]
    assert await queue(client, counsellor) == []
    await ws.close()


async def test_unfollow_takes_the_person_out_of_the_queue(
    line_app: TestClient, line_api: Any
) -> None:
    counsellor = await add_counsellor(line_app, "noda", "npo-a")
    await line_follow(line_app, line_api, USER)
    await post_line(
        line_app,
        [
            line_event(
                "postback", USER, data="person", reply_token=line_api.issue_reply_token(USER)
            )
        ],
    )
    assert len(await queue(line_app, counsellor)) == 1
    await post_line(line_app, [line_event("unfollow", USER)])
    await settle(line_app)
    assert await queue(line_app, counsellor) == []
