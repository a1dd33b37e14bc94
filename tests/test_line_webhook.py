"""LINE over signed webhooks, with LINE's API stand-in checking every request we send."""

from __future__ import annotations

import json
from typing import Any

from support.line_webhook import line_event, line_follow, line_says, line_taps, post_line, sign

from bot.appkeys import runner_key
from bot.store import keys

USER = "U" + "a" * 32


def quick_reply_ids(message: dict[str, Any]) -> list[str]:
    items = message.get("quickReply", {}).get("items", [])
    return [i["action"]["data"] for i in items]


def last_message(line_api: Any, user: str = USER) -> dict[str, Any]:
    return line_api.messages_to(user)[-1]


async def test_wrong_or_missing_signature_is_401(line_app: Any, line_api: Any) -> None:
    event = line_event("text", USER, text="こんにちは")
    assert (await post_line(line_app, [event], signature="bm9wZQ==")).status == 401
    assert (await post_line(line_app, [event], signature="")).status == 401
    assert line_api.requests == []


async def test_malformed_body_is_400_and_oversized_is_413(line_app: Any) -> None:
    assert (await post_line(line_app, [], raw=b"{not json")).status == 400
    assert (await post_line(line_app, [], raw=b'{"events": "nope"}')).status == 400
    assert (await post_line(line_app, [], raw=b"\xff\xfe")).status in (400, 401)
    big = json.dumps({"events": [], "pad": "x" * (1024 * 1024)}).encode()
    assert (await post_line(line_app, [], raw=big)).status == 413


async def test_verify_button_empty_events_is_200(line_app: Any, line_api: Any) -> None:
    response = await post_line(line_app, [])
    assert response.status == 200
    assert line_api.requests == []


async def test_follow_is_greeted_by_reply(line_app: Any, line_api: Any) -> None:
    token = line_api.issue_reply_token(USER)
    response = await post_line(line_app, [line_event("follow", USER, reply_token=token)])
    assert response.status == 200
    assert [r.path for r in line_api.requests] == ["/v2/bot/message/reply"]
    greeting = last_message(line_api)
    assert "110" in greeting["text"]
    assert quick_reply_ids(greeting) == ["find", "person", "hard_now", "language"]


async def test_redelivered_event_is_answered_once(line_app: Any, line_api: Any) -> None:
    event = line_event("follow", USER, reply_token=line_api.issue_reply_token(USER))
    await post_line(line_app, [event])
    again = dict(event, deliveryContext={"isRedelivery": True})
    assert (await post_line(line_app, [again])).status == 200
    assert len(line_api.requests) == 1


async def test_standby_events_are_not_ours_to_answer(line_app: Any, line_api: Any) -> None:
    event = line_event(
        "text",
        USER,
        text="こんにちは",
        mode="standby",
        reply_token=line_api.issue_reply_token(USER),
    )
    assert (await post_line(line_app, [event])).status == 200
    assert line_api.requests == []


async def test_group_gets_one_polite_one_to_one_message(line_app: Any, line_api: Any) -> None:
    group = {"type": "group", "groupId": "C" + "1" * 32, "userId": USER}
    for n in range(3):
        token = line_api.issue_reply_token(f"group{n}")
        event = line_event("text", USER, text="やあ", source=group, reply_token=token)
        assert (await post_line(line_app, [event])).status == 200
    replies = line_api.requests_to("/v2/bot/message/reply")
    assert len(replies) == 1
    assert "1対1" in replies[0].body["messages"][0]["text"]
    assert not line_api.requests_to("/v2/bot/message/push")


async def test_stickers_images_and_files_get_a_kind_answer(line_app: Any, line_api: Any) -> None:
    for kind in ("sticker", "image", "audio", "location", "file"):
        token = line_api.issue_reply_token(USER)
        message = {"packageId": "1", "stickerId": "1"} if kind == "sticker" else {}
        event = line_event(kind, USER, reply_token=token, message=message)
        assert (await post_line(line_app, [event])).status == 200
    texts = [m.get("text", "") for m in line_api.messages_to(USER)]
    assert any("スタンプ" in t for t in texts)
    assert sum("文字で" in t for t in texts) >= 3


async def test_unknown_event_types_are_200(line_app: Any, line_api: Any) -> None:
    events = [
        line_event("unsend", USER, unsend={"messageId": "1"}),
        line_event("beacon", USER, beacon={"hwid": "d41d8cd98f", "type": "enter"}),
        line_event("videoPlayComplete", USER, videoPlayComplete={"trackingId": "t"}),
    ]
    assert (await post_line(line_app, events)).status == 200
    assert line_api.requests == []


async def test_expired_reply_token_falls_back_to_push_with_retry_key(
    line_app: Any, line_api: Any
) -> None:
    token = line_api.issue_reply_token(USER, ttl=0)
    await post_line(line_app, [line_event("follow", USER, reply_token=token)])
    pushes = line_api.requests_to("/v2/bot/message/push")
    assert len(pushes) == 1
    assert pushes[0].headers["X-Line-Retry-Key"]
    assert "110" in last_message(line_api)["text"]


async def test_push_is_retried_with_the_same_key_after_a_500(line_app: Any, line_api: Any) -> None:
    line_api.fail_next(500, count=1, path="/v2/bot/message/push")
    await post_line(line_app, [line_event("follow", USER)])
    pushes = line_api.requests_to("/v2/bot/message/push")
    assert len(pushes) == 2
    assert pushes[0].headers["X-Line-Retry-Key"] == pushes[1].headers["X-Line-Retry-Key"]
    assert len(line_api.messages_to(USER)) == 1


async def test_unfollow_forgets_the_person(
    line_app: Any, line_api: Any, redis_client: Any
) -> None:
    await line_follow(line_app, line_api, USER)
    conv_id = line_app.app[runner_key].conv_id("line", USER)
    assert await redis_client.exists(keys.conversation(conv_id))
    await post_line(line_app, [line_event("unfollow", USER)])
    for key in keys.conversation_keys(conv_id):
        assert not await redis_client.exists(key), key


async def test_events_of_one_person_are_answered_in_order(line_app: Any, line_api: Any) -> None:
    """Three webhooks in quick succession: each answer follows from the one before."""
    await line_follow(line_app, line_api, USER)
    taps = ["find", "age_adult", "a_work"]
    events = [
        line_event("postback", USER, data=d, reply_token=line_api.issue_reply_token(USER))
        for d in taps
    ]
    for event in events:  # posted without waiting for the previous one to be processed
        body = json.dumps({"events": [event]}).encode()
        await line_app.post("/line/webhook", data=body, headers={"X-Line-Signature": sign(body)})
    await line_app.app[runner_key].idle()
    last = last_message(line_api)
    assert quick_reply_ids(last) == ["c_phone", "c_chat", "c_visit", "c_any"]


async def test_a_thirty_step_conversation_by_its_own_quick_replies(
    line_app: Any, line_api: Any
) -> None:
    """Tap the bot's own quick replies through signed webhooks: every request valid."""
    await line_follow(line_app, line_api, USER)
    path = [
        "find",
        "age_young",
        "a_money",
        "m_living",
        "c_any",  # results
        "restart",
        "find",
        "age_child",
        "kids_school",
        "k_bullying",
        "c_chat",
        "restart",
        "find",
        "age_adult",
        "a_violence",
        "v_partner",
        "c_phone",
        "restart",
        "hard_now",
        "restart",
        "language",
        "lang_en",
        "find",
        "age_senior",
        "a_lonely",
        "c_visit",
        "restart",
        "find",
        "age_skip",
        "a_family",
        "f_care",
        "c_any",
    ]
    steps = 0
    for tap in path:
        shown = quick_reply_ids(last_message(line_api))
        assert tap in shown or tap == "restart", (tap, shown)
        await line_taps(line_app, line_api, USER, tap)
        steps += 1
    assert steps >= 30
    assert len(line_api.requests_to("/v2/bot/message/reply")) >= 30
    line_api.assert_no_violations()
    flex = [m for m in line_api.messages_to(USER) if m["type"] == "flex"]
    assert flex, "results are sent as a flex carousel"


async def test_typed_text_is_triaged(line_app: Any, line_api: Any) -> None:
    await line_follow(line_app, line_api, USER)
    await line_says(line_app, line_api, USER, "家賃が払えなくて追い出されそう")
    suggested = quick_reply_ids(last_message(line_api))
    assert "housing" in suggested[:3]


async def test_the_webhook_answers_before_the_reply_is_sent(line_app: Any, line_api: Any) -> None:
    """LINE wants its 200 within 2 s: the event is taken in, answered, then processed."""
    body = json.dumps({"events": [line_event("follow", USER)]}).encode()
    response = await line_app.post(
        "/line/webhook", data=body, headers={"X-Line-Signature": sign(body)}
    )
    assert response.status == 200
    assert line_api.requests == [], "nothing was sent to LINE before the 200"
    await line_app.app[runner_key].idle()
    assert line_api.requests_to("/v2/bot/message/push")
