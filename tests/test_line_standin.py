"""The LINE stand-in must be able to fail: it refuses what LINE refuses, passes what LINE takes.

The first half checks request bodies against the spec directly (`LineSpec`); the second talks
HTTP over loopback, last of all through line-bot-sdk's own `AsyncMessagingApi`.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from linebot.v3.messaging import (
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    FlexBubble,
    FlexCarousel,
    FlexMessage,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    ShowLoadingAnimationRequest,
    TextMessage,
)
from support.line_api import TEST_USER_ID, LineApiStandIn, checked_line_api
from support.openapi_check import (
    SPEC_DIR,
    LineSpec,
    Problem,
    SpecMissingError,
    grapheme_length,
    utf16_length,
)

REPLY = ("POST", "/v2/bot/message/reply")
PUSH = ("POST", "/v2/bot/message/push")
LOADING = ("POST", "/v2/bot/chat/loading/start")
TOKEN = "tsunagari-test-channel-access-token"
JSON_HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def spec() -> LineSpec:
    return LineSpec.load()


def check(spec: LineSpec, body: Any, route: tuple[str, str] = REPLY, **headers: str) -> list[str]:
    all_headers = {**JSON_HEADERS, **headers}
    return [str(p) for p in spec.check_request(*route, all_headers, body, access_token=TOKEN)]


def postback(label: str = "はい", data: str = "choice=yes", **extra: str) -> dict[str, Any]:
    return {"type": "postback", "label": label, "data": data, "displayText": label, **extra}


def quick_reply_text(*actions: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "text",
        "text": "どれに近いですか？",
        "quickReply": {"items": [{"type": "action", "action": a} for a in actions]},
    }


def bubble(title: str) -> dict[str, Any]:
    return {
        "type": "bubble",
        "body": {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {"type": "text", "text": title, "wrap": True, "weight": "bold"},
                {"type": "separator", "margin": "md"},
            ],
        },
        "footer": {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {
                    "type": "button",
                    "style": "primary",
                    "action": {
                        "type": "uri",
                        "label": "相談窓口のページを開く",
                        "uri": "https://www.mhlw.go.jp/mamorouyokokoro/",
                    },
                },
                {"type": "button", "action": postback("くわしく", "window=1")},
            ],
        },
    }


def flex_carousel(count: int) -> dict[str, Any]:
    return {
        "type": "flex",
        "altText": "相談窓口のご案内です",
        "contents": {"type": "carousel", "contents": [bubble(f"窓口 {i}") for i in range(count)]},
    }


def reply(*messages: dict[str, Any]) -> dict[str, Any]:
    return {"replyToken": "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA", "messages": list(messages)}


# --- bodies LINE accepts ---------------------------------------------------------------------

VALID_BODIES = {
    "text": reply({"type": "text", "text": "こんにちは。お話を聞かせてください。"}),
    "text of exactly 5000 UTF-16 units, emoji included": reply(
        {"type": "text", "text": "あ" * 4998 + "🍎"}
    ),
    "quick reply with 13 buttons": reply(
        quick_reply_text(*[postback(f"選択肢{i}", f"choice={i}") for i in range(13)])
    ),
    "quick reply label of 20 graphemes, a family emoji counting one": reply(
        quick_reply_text(postback("👨‍👩‍👧" + "あ" * 19, "family"))
    ),
    "quick reply message, uri, camera actions": reply(
        quick_reply_text(
            {"type": "message", "label": "話したい", "text": "話したい"},
            {"type": "uri", "label": "電話する", "uri": "tel:0120279338"},
            {"type": "camera", "label": "カメラ"},
        )
    ),
    "flex carousel of 12 bubbles": reply(flex_carousel(12)),
    "postback with 300-character data and displayText": reply(
        quick_reply_text(postback("送る", "d" * 300, displayText="あ" * 300))
    ),
    "push of 5 messages": {
        "to": TEST_USER_ID,
        "messages": [{"type": "text", "text": f"{i}"} for i in range(5)],
    },
}


@pytest.mark.parametrize("name", VALID_BODIES)
def test_valid_bodies_pass(spec: LineSpec, name: str) -> None:
    body = VALID_BODIES[name]
    route = PUSH if "to" in body else REPLY
    assert check(spec, body, route) == []


def test_bodies_built_by_line_bot_sdk_pass(spec: LineSpec) -> None:
    """The SDK is generated from the same spec: its JSON must pass, or the checker is wrong."""
    request = ReplyMessageRequest(
        reply_token="token",
        messages=[
            TextMessage(
                text="どれに近いですか？",
                quick_reply=QuickReply(
                    items=[
                        QuickReplyItem(
                            action=PostbackAction(label="はい", data="a", display_text="はい")
                        )
                    ]
                ),
            ),
            FlexMessage(
                alt_text="ご案内",
                contents=FlexCarousel(contents=[FlexBubble.from_dict(bubble("窓口"))]),
            ),
        ],
    )
    assert check(spec, request.to_dict()) == []


# --- bodies LINE refuses: each case names where the checker must point --------------------------


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = body
        for step in parents:
            node = node[int(step)] if step.isdigit() else node[step]
        if value is _DELETE:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if last.isdigit() else last] = value

    return change


_DELETE = object()
QUICK = "messages.0.quickReply.items"
FIRST_ACTION = f"{QUICK}.0.action"
BUTTON_ACTION = "messages.0.contents.contents.0.footer.contents.0.action"

INVALID_CASES: dict[str, tuple[dict[str, Any], Callable[[dict[str, Any]], None], str, str]] = {
    "6 messages": (
        reply(*[{"type": "text", "text": "a"}] * 5),
        lambda body: body["messages"].append({"type": "text", "text": "six"}),
        "$.messages",
        "more than maxItems 5",
    ),
    "14 quick reply buttons": (
        reply(quick_reply_text(postback())),
        _set(f"{QUICK}", [{"type": "action", "action": postback()}] * 14),
        "$.messages[0].quickReply.items",
        "more than maxItems 13",
    ),
    "21-character quick reply label": (
        reply(quick_reply_text(postback())),
        _set(f"{FIRST_ACTION}.label", "あ" * 21),
        "$.messages[0].quickReply.items[0].action.label",
        "more than 20",
    ),
    "quick reply label missing": (
        reply(quick_reply_text(postback())),
        _set(f"{FIRST_ACTION}.label", _DELETE),
        "$.messages[0].quickReply.items[0].action.label",
        "required",
    ),
    "301-character postback data": (
        reply(quick_reply_text(postback())),
        _set(f"{FIRST_ACTION}.data", "d" * 301),
        "$.messages[0].quickReply.items[0].action.data",
        "maxLength 300",
    ),
    "301-character displayText": (
        reply(quick_reply_text(postback())),
        _set(f"{FIRST_ACTION}.displayText", "あ" * 301),
        "$.messages[0].quickReply.items[0].action.displayText",
        "more than 300",
    ),
    "postback without data": (
        reply(quick_reply_text(postback())),
        _set(f"{FIRST_ACTION}.data", _DELETE),
        "$.messages[0].quickReply.items[0].action",
        "needs `data`",
    ),
    "quick reply button whose type is not action": (
        reply(quick_reply_text(postback())),
        _set(f"{QUICK}.0.type", "button"),
        "$.messages[0].quickReply.items[0].type",
        "must be 'action'",
    ),
    "5001 UTF-16 units: 4999 characters and one emoji counting 2": (
        reply({"type": "text", "text": "a"}),
        _set("messages.0.text", "あ" * 4999 + "🍎"),
        "$.messages[0].text",
        "5001 UTF-16 code units",
    ),
    "unknown message property quickreply": (
        reply({"type": "text", "text": "a"}),
        _set("messages.0.quickreply", {"items": []}),
        "$.messages[0].quickreply",
        "unknown property 'quickreply'",
    ),
    "unknown action property lable": (
        reply(quick_reply_text(postback())),
        _set(f"{FIRST_ACTION}.lable", "はい"),
        "$.messages[0].quickReply.items[0].action.lable",
        "unknown property 'lable'",
    ),
    "unknown top-level property": (
        reply({"type": "text", "text": "a"}),
        lambda body: body.update(notificationDisable=True),
        "$.notificationDisable",
        "unknown property",
    ),
    "unknown message type": (
        reply({"type": "text", "text": "a"}),
        _set("messages.0.type", "txet"),
        "$.messages[0].type",
        "is not a Message type",
    ),
    "unknown action type": (
        reply(quick_reply_text(postback())),
        _set(f"{FIRST_ACTION}.type", "postbak"),
        "$.messages[0].quickReply.items[0].action.type",
        "is not a Action type",
    ),
    "text message without text": (
        reply({"type": "text", "text": "a"}),
        _set("messages.0.text", _DELETE),
        "$.messages[0]",
        "'text' is a required property",
    ),
    "text that is a number": (
        reply({"type": "text", "text": "a"}),
        _set("messages.0.text", 5),
        "$.messages[0].text",
        "expected type string",
    ),
    "13 bubbles in a carousel": (
        reply(flex_carousel(1)),
        _set("messages.0", flex_carousel(13)),
        "$.messages[0].contents.contents",
        "more than 12",
    ),
    "a carousel inside a carousel": (
        reply(flex_carousel(1)),
        _set("messages.0.contents.contents.0.type", "carousel"),
        "$.messages[0].contents.contents[0].type",
        "is not one of ['bubble']",
    ),
    "1501-character altText": (
        reply(flex_carousel(1)),
        _set("messages.0.altText", "あ" * 1501),
        "$.messages[0].altText",
        "more than 1500",
    ),
    "41-character Flex button label": (
        reply(flex_carousel(1)),
        _set(f"{BUTTON_ACTION}.label", "あ" * 41),
        "$.messages[0].contents.contents[0].footer.contents[0].action.label",
        "more than 40",
    ),
    "Flex button without label": (
        reply(flex_carousel(1)),
        _set(f"{BUTTON_ACTION}.label", _DELETE),
        "$.messages[0].contents.contents[0].footer.contents[0].action.label",
        "required on a Flex button",
    ),
    "1001-character uri": (
        reply(flex_carousel(1)),
        _set(f"{BUTTON_ACTION}.uri", "https://example.com/" + "a" * 981),
        "$.messages[0].contents.contents[0].footer.contents[0].action.uri",
        "more than 1000",
    ),
    "javascript: uri": (
        reply(flex_carousel(1)),
        _set(f"{BUTTON_ACTION}.uri", "javascript:alert(1)"),
        "$.messages[0].contents.contents[0].footer.contents[0].action.uri",
        "scheme 'javascript'",
    ),
    "uri that is not percent-encoded": (
        reply(flex_carousel(1)),
        _set(f"{BUTTON_ACTION}.uri", "https://example.com/相談 窓口"),
        "$.messages[0].contents.contents[0].footer.contents[0].action.uri",
        "is not a valid uri",
    ),
}


@pytest.mark.parametrize("name", INVALID_CASES)
def test_each_violation_is_caught(spec: LineSpec, name: str) -> None:
    body, change, where, fragment = INVALID_CASES[name]
    assert check(spec, body) == [], "the unbroken body must pass, or the case proves nothing"
    broken = copy.deepcopy(body)
    change(broken)
    problems = check(spec, broken)
    assert any(p.startswith(f"{where}: ") and fragment in p for p in problems), problems


def test_fast_and_thorough_paths_agree(spec: LineSpec) -> None:
    """The fast path (fastjsonschema, kept verdicts) answers for every body it accepts."""
    bodies = [b for b in VALID_BODIES.values() if "replyToken" in b]
    for body, change, _, _ in INVALID_CASES.values():
        broken = copy.deepcopy(body)
        change(broken)
        bodies += [body, broken]
    for body in bodies:
        fast = spec.check_body("ReplyMessageRequest", body)
        thorough = spec.check_body_thoroughly("ReplyMessageRequest", body)
        assert fast == thorough


@pytest.mark.parametrize(
    ("route", "body", "headers", "where"),
    [
        (
            REPLY,
            reply({"type": "text", "text": "a"}),
            {"Authorization": "Bearer other"},
            "header Authorization",
        ),
        (
            REPLY,
            reply({"type": "text", "text": "a"}),
            {"Content-Type": "text/plain"},
            "header Content-Type",
        ),
        (
            PUSH,
            {"to": TEST_USER_ID, "messages": [{"type": "text", "text": "a"}]},
            {"X-Line-Retry-Key": "retry-1"},
            "header X-Line-Retry-Key",
        ),
        (
            REPLY,
            reply({"type": "text", "text": "a"}),
            {"X-Line-Retry-Key": str(uuid.uuid4())},
            "header X-Line-Retry-Key",
        ),
    ],
    ids=["wrong token", "not JSON", "retry key not a UUID", "retry key on reply"],
)
def test_header_rules(
    spec: LineSpec, route: tuple[str, str], body: Any, headers: dict[str, str], where: str
) -> None:
    assert check(spec, body, route) == []
    assert any(p.startswith(f"{where}: ") for p in check(spec, body, route, **headers))


@pytest.mark.parametrize("seconds", [7, 65, 0])
def test_loading_seconds_are_5_to_60_in_steps_of_5(spec: LineSpec, seconds: int) -> None:
    assert check(spec, {"chatId": TEST_USER_ID, "loadingSeconds": 60}, LOADING) == []
    problems = check(spec, {"chatId": TEST_USER_ID, "loadingSeconds": seconds}, LOADING)
    assert any(p.startswith("$.loadingSeconds: ") for p in problems), problems


def test_counting_like_line() -> None:
    assert utf16_length("🍎") == 2
    assert utf16_length("相談") == 2
    assert grapheme_length("👨‍👩‍👧") == 1
    assert grapheme_length("が") == 1


def test_a_missing_spec_fails_loudly(tmp_path: Any) -> None:
    with pytest.raises(SpecMissingError, match="messaging-api.yml"):
        LineSpec.load(tmp_path)
    assert (SPEC_DIR / "messaging-api.yml").is_file()


def test_problem_names_the_property_like_line() -> None:
    assert Problem("$.messages[0].text", "x").detail_property == "messages[0].text"


# --- the stand-in over HTTP -------------------------------------------------------------------


@pytest_asyncio.fixture
async def standin() -> AsyncIterator[LineApiStandIn]:
    async with checked_line_api() as server:
        yield server


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers=JSON_HEADERS) as session:
        yield session


async def test_reply_token_is_single_use(
    standin: LineApiStandIn, http: aiohttp.ClientSession
) -> None:
    token = standin.issue_reply_token("Uaaaa")
    body = {"replyToken": token, "messages": [{"type": "text", "text": "こんにちは"}] * 2}
    async with http.post(f"{standin.endpoint}/v2/bot/message/reply", json=body) as response:
        assert response.status == 200
        sent = (await response.json())["sentMessages"]
    assert len(sent) == 2 and all(m["id"] and m["quoteToken"] for m in sent)
    assert standin.texts_to("Uaaaa") == ["こんにちは", "こんにちは"]

    async with http.post(f"{standin.endpoint}/v2/bot/message/reply", json=body) as response:
        assert response.status == 400
        assert await response.json() == {"message": "Invalid reply token"}
    assert len(standin.messages_to("Uaaaa")) == 2


@pytest.mark.parametrize("token_kind", ["expired", "never issued"])
async def test_bad_reply_token_is_refused(
    standin: LineApiStandIn, http: aiohttp.ClientSession, token_kind: str
) -> None:
    token = standin.issue_reply_token(ttl=0) if token_kind == "expired" else uuid.uuid4().hex
    body = {"replyToken": token, "messages": [{"type": "text", "text": "a"}]}
    async with http.post(f"{standin.endpoint}/v2/bot/message/reply", json=body) as response:
        assert response.status == 400
        assert (await response.json())["message"] == "Invalid reply token"
    assert standin.sent == []


async def test_retry_key_is_accepted_once(
    standin: LineApiStandIn, http: aiohttp.ClientSession
) -> None:
    key = str(uuid.uuid4())
    body = {"to": "Ubbbb", "messages": [{"type": "text", "text": "お待たせしました"}]}
    url = f"{standin.endpoint}/v2/bot/message/push"
    async with http.post(url, json=body, headers={"X-Line-Retry-Key": key}) as first:
        assert first.status == 200
        first_id = first.headers["x-line-request-id"]
        first_sent = (await first.json())["sentMessages"]
    async with http.post(url, json=body, headers={"X-Line-Retry-Key": key}) as again:
        assert again.status == 409
        assert again.headers["x-line-accepted-request-id"] == first_id
        assert await again.json() == {
            "message": "The retry key is already accepted",
            "sentMessages": first_sent,
        }
    assert standin.texts_to("Ubbbb") == ["お待たせしました"]


async def test_injected_faults_then_recovery(
    standin: LineApiStandIn, http: aiohttp.ClientSession
) -> None:
    push = f"{standin.endpoint}/v2/bot/message/push"
    body = {"to": "Ucccc", "messages": [{"type": "text", "text": "a"}]}
    standin.fail_next(500, count=2, path="/v2/bot/message/push")
    loading = {"chatId": "Ucccc", "loadingSeconds": 20}
    async with http.post(f"{standin.endpoint}/v2/bot/chat/loading/start", json=loading) as r:
        assert r.status == 202
    statuses = []
    for _ in range(3):
        async with http.post(push, json=body) as response:
            statuses.append(response.status)
    assert statuses == [500, 500, 200]
    assert len(standin.messages_to("Ucccc")) == 1

    # Delivered, but the answer was lost: the retry with the same key must not deliver twice.
    key = str(uuid.uuid4())
    standin.fail_next(500, after_delivery=True)
    async with http.post(push, json=body, headers={"X-Line-Retry-Key": key}) as response:
        assert response.status == 500
    async with http.post(push, json=body, headers={"X-Line-Retry-Key": key}) as response:
        assert response.status == 409
    assert len(standin.messages_to("Ucccc")) == 2

    standin.fail_next(429)
    async with http.post(push, json=body) as response:
        assert response.status == 429
        assert "rate limit" in (await response.json())["message"]


async def test_profile_answers_like_line(
    standin: LineApiStandIn, http: aiohttp.ClientSession
) -> None:
    standin.profiles["Udddd"] = {"displayName": "さくら", "userId": "Udddd"}
    async with http.get(f"{standin.endpoint}/v2/bot/profile/Udddd") as response:
        assert await response.json() == {"displayName": "さくら", "userId": "Udddd"}
    async with http.get(f"{standin.endpoint}/v2/bot/profile/Ueeee") as response:
        assert (await response.json())["userId"] == "Ueeee"


async def test_invalid_body_is_refused_and_fails_the_test(http: aiohttp.ClientSession) -> None:
    """A 400 in LINE's shape, and the stand-in fails the test on exit (the fixture's teardown)."""
    with pytest.raises(pytest.fail.Exception) as failure:
        async with checked_line_api() as standin:
            token = standin.issue_reply_token()
            body = {
                "replyToken": token,
                "messages": [{"type": "text", "text": "a", "quickreply": {}}] * 6,
            }
            url = f"{standin.endpoint}/v2/bot/message/reply"
            async with http.post(url, json=body) as response:
                assert response.status == 400
                answer = await response.json()
            assert answer["message"] == "The request body has 7 error(s)"
            assert {"message": "6 items, more than maxItems 5", "property": "messages"} in (
                answer["details"]
            )
            assert standin.sent == []

            valid = {"replyToken": token, "messages": [{"type": "text", "text": "a"}]}
            async with http.post(url, json=valid, headers={"Authorization": "Bearer x"}) as r:
                assert r.status == 401
            async with http.post(f"{standin.endpoint}/v2/bot/message/multicast", json={}) as r:
                assert r.status == 404
            assert len(standin.violations) == 7 + 1 + 1
    report = str(failure.value)
    assert "9 LINE API violation(s)" in report
    assert "request #0 POST /v2/bot/message/reply: $.messages[5].quickreply: unknown" in report
    assert "request #1 POST /v2/bot/message/reply: header Authorization" in report
    assert "request #2 POST /v2/bot/message/multicast" in report


async def test_line_bot_sdk_accepts_the_answers(standin: LineApiStandIn) -> None:
    configuration = Configuration(host=standin.endpoint, access_token=standin.access_token)
    async with AsyncApiClient(configuration) as client:
        api = AsyncMessagingApi(client)
        token = standin.issue_reply_token("Uffff")
        replied = await api.reply_message(
            ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="ようこそ")])
        )
        assert len(replied.sent_messages) == 1

        key = str(uuid.uuid4())
        push = PushMessageRequest(
            to="Uffff", messages=[TextMessage(text="一"), TextMessage(text="二")]
        )
        pushed = await api.push_message(push, x_line_retry_key=key)
        assert len(pushed.sent_messages) == 2
        with pytest.raises(ApiException) as conflict:
            await api.push_message(push, x_line_retry_key=key)
        assert conflict.value.status == 409
        assert conflict.value.headers["x-line-accepted-request-id"]

        await api.show_loading_animation(
            ShowLoadingAnimationRequest(chat_id="Uffff", loading_seconds=10)
        )
        profile = await api.get_profile("Uffff")
        assert profile.user_id == "Uffff"

    assert standin.texts_to("Uffff") == ["ようこそ", "一", "二"]
    assert [sent.via for sent in standin.sent] == ["reply", "push", "push"]
    assert standin.requests[1].headers["X-Line-Retry-Key"] == key
