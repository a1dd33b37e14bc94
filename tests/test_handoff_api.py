"""The counsellor API over real HTTP (pytest-aiohttp) on a small app with only /api."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import test_handoff_support as support
import yaml
from aiohttp.test_utils import TestClient
from openapi_spec_validator import validate
from test_handoff_support import (
    PASSWORD,
    Clock,
    RecordingBridge,
    add_people,
    context,
    good_record,
    sign_in,
)

from handoff.api import OPENAPI_FILE
from handoff.config import HandoffConfig
from handoff.live import Subscription
from handoff.routing import OrgProfile, Skills
from handoff.service import HandoffService
from handoff.staff import StaffDirectory

# Fixtures shared by the handoff tests.
api, bridge, clock, make_service, service, staff = (
    support.api,
    support.bridge,
    support.clock,
    support.make_service,
    support.service,
    support.staff,
)


async def test_login_gives_a_token_and_bad_logins_get_401(
    api: TestClient, staff: StaffDirectory
) -> None:
    await add_people(staff, "npo", "alice")

    headers = await sign_in(api, "alice")
    wrong = await api.post("/api/login", json={"login": "alice", "password": "nope nope nope"})
    nobody = await api.post("/api/login", json={"login": "nobody", "password": PASSWORD})
    me = await api.get("/api/me", headers=headers)

    assert wrong.status == 401 and (await wrong.json())["error"] == "invalid_credentials"
    assert nobody.status == 401
    assert (await me.json())["org_name"] == "npo の名前"


async def test_every_route_but_login_needs_a_valid_token(
    api: TestClient, staff: StaffDirectory, clock: Clock
) -> None:
    await add_people(staff, "npo", "alice")
    document = yaml.safe_load(OPENAPI_FILE.read_text(encoding="utf-8"))
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters" or operation.get("security") == []:
                continue
            url = "/api" + path.replace("{id}", "0000000001abcdef0123")
            for headers in (
                {},
                {"Authorization": "Bearer not-a-token"},
                {"Authorization": "Basic YWxpY2U6eA=="},
            ):
                response = await api.request(method.upper(), url, headers=headers)
                assert response.status == 401, (method, path, headers)
                assert (await response.json())["error"] == "unauthorized"
                assert response.headers["WWW-Authenticate"] == "Bearer"

    headers = await sign_in(api, "alice")
    assert (await api.get("/api/queue", headers=headers)).status == 200
    clock.advance(12 * 3600 + 1)  # tokens expire
    assert (await api.get("/api/queue", headers=headers)).status == 401
    headers = await sign_in(api, "alice")
    assert (await api.post("/api/logout", headers=headers)).status == 200
    assert (await api.get("/api/queue", headers=headers)).status == 401


async def test_login_attempts_are_rate_limited(api: TestClient, staff: StaffDirectory) -> None:
    await add_people(staff, "npo", "alice")
    statuses = []
    for _ in range(6):
        response = await api.post(
            "/api/login", json={"login": "alice", "password": "guess guess guess"}
        )
        statuses.append(response.status)
    right = await api.post("/api/login", json={"login": "alice", "password": PASSWORD})

    assert statuses == [401] * 5 + [429]
    assert right.status == 429  # even the right password waits out the window
    assert int(right.headers["Retry-After"]) > 0
    assert (await right.json())["error"] == "too_many_attempts"


async def test_login_attempts_per_address_are_limited(
    api: TestClient, staff: StaffDirectory
) -> None:
    await add_people(staff, "npo", "alice")
    statuses = []
    for i in range(32):  # different logins from one address
        response = await api.post("/api/login", json={"login": f"x{i}", "password": "guess"})
        statuses.append(response.status)
    assert statuses[:30] == [401] * 30 and statuses[30:] == [429, 429]
    # Successful sign-ins from the same address do not count towards the limit.


async def test_queue_claim_write_and_close_over_http(
    api: TestClient, service: HandoffService, staff: StaffDirectory, bridge: RecordingBridge
) -> None:
    await add_people(staff, "npo", "alice")
    plain = await service.request("c1", "line", context())
    urgent = await service.request("c2", "web", context(risk="high", age_group="child"))
    headers = await sign_in(api, "alice")

    queue = await (await api.get("/api/queue", headers=headers)).json()
    assert [w["id"] for w in queue["waiting"]] == [urgent.id, plain.id]
    first = queue["waiting"][0]
    assert {
        k: first[k] for k in ("channel", "priority", "risk", "category", "lang", "age_group")
    } == {
        "channel": "web",
        "priority": 3,
        "risk": "high",
        "category": "loneliness",
        "lang": "ja",
        "age_group": "child",
    }
    assert first["waiting_since"].endswith("+09:00")

    claimed = await api.post(f"/api/conversations/{urgent.id}/claim", headers=headers)
    assert claimed.status == 200
    body = await claimed.json()
    assert body["context"]["results_shown"] == ["yorisoi"]  # the bot's answers travel along
    await service.person_message("c2", "こわいです")
    sent = await api.post(
        f"/api/conversations/{urgent.id}/messages",
        headers=headers,
        json={"text": "ここにいますよ。"},
    )
    assert sent.status == 201
    noted = await api.post(
        f"/api/conversations/{urgent.id}/notes", headers=headers, json={"text": "自傷の話あり"}
    )
    assert noted.status == 201
    transcript = await (
        await api.get(f"/api/conversations/{urgent.id}/messages", headers=headers)
    ).json()
    said = [(m["role"], m["text"]) for m in transcript["messages"] if m["role"] != "system"]
    assert said == [
        ("person", "こわいです"),
        ("counsellor", "ここにいますよ。"),
        ("note", "自傷の話あり"),
    ]
    later = await api.get(
        f"/api/conversations/{urgent.id}/messages",
        params={"after": (await sent.json())["id"]},
        headers=headers,
    )
    assert [m["role"] for m in (await later.json())["messages"]] == ["note"]

    closed = await api.post(
        f"/api/conversations/{urgent.id}/close",
        headers=headers,
        json={"record": good_record(urgency="emergency")},
    )
    assert closed.status == 200
    assert bridge.kinds("c2") == ["queued", "claimed", "message", "closed"]
    message = [e for c, e in bridge.posted if c == "c2" and e.kind == "message"][0]
    assert message.params["text"] == "ここにいますよ。"
    assert message.params["counsellor"] == "aliceさん"


async def test_fifty_concurrent_claims_over_http(
    api: TestClient, service: HandoffService, staff: StaffDirectory
) -> None:
    logins = [f"c{i:02d}" for i in range(50)]
    await add_people(staff, "npo", *logins)
    ticket = await service.request("conv", "line", context())
    headers = [await sign_in(api, login) for login in logins]

    responses = await asyncio.gather(
        *(api.post(f"/api/conversations/{ticket.id}/claim", headers=h) for h in headers)
    )

    statuses = sorted(r.status for r in responses)
    assert statuses == [200] + [409] * 49
    bodies = [await r.json() for r in responses if r.status == 409]
    assert {b["error"] for b in bodies} == {"taken"}


async def test_another_organisation_sees_nothing(
    api: TestClient, service: HandoffService, staff: StaffDirectory
) -> None:
    await add_people(staff, "npo", "alice")
    await add_people(staff, "other", "olga")
    service.config = HandoffConfig(
        orgs={
            "npo": OrgProfile("npo"),
            "other": OrgProfile("other", skills=Skills(languages=frozenset({"en"}))),
        }
    )
    ticket = await service.request("c1", "line", context(lang="ja"))
    alice, olga = await sign_in(api, "alice"), await sign_in(api, "olga")
    await api.post(f"/api/conversations/{ticket.id}/claim", headers=alice)
    await service.person_message("c1", "ひみつの話")

    assert (await (await api.get("/api/queue", headers=olga)).json())["waiting"] == []
    assert (await (await api.get("/api/conversations", headers=olga)).json())[
        "conversations"
    ] == []
    base = f"/api/conversations/{ticket.id}"
    attempts = [
        await api.get(base, headers=olga),
        await api.get(f"{base}/messages", headers=olga),
        await api.post(f"{base}/messages", headers=olga, json={"text": "やあ"}),
        await api.post(f"{base}/notes", headers=olga, json={"text": "x"}),
        await api.post(f"{base}/claim", headers=olga),
        await api.post(f"{base}/release", headers=olga),
        await api.post(f"{base}/transfer", headers=olga, json={"to": "coordinator"}),
        await api.post(f"{base}/close", headers=olga, json={"record": good_record()}),
    ]
    for response in attempts:
        assert response.status in (403, 404)
        assert "ひみつ" not in await response.text()
    alice_view = await api.get(f"{base}/messages", headers=alice)
    assert "ひみつの話" in await alice_view.text()


async def test_close_names_the_missing_or_wrong_field(
    api: TestClient, service: HandoffService, staff: StaffDirectory
) -> None:
    await add_people(staff, "npo", "alice")
    ticket = await service.request("c1", "line", context())
    headers = await sign_in(api, "alice")
    await api.post(f"/api/conversations/{ticket.id}/claim", headers=headers)
    url = f"/api/conversations/{ticket.id}/close"

    async def close(body: Any) -> tuple[int, dict[str, Any]]:
        response = await api.post(url, headers=headers, json=body)
        return response.status, await response.json()

    cases = {
        "record": {},
        "record.summary": {"record": good_record(summary=None)},
        "record.topics": {"record": good_record(topics=[])},
        "record.urgency": {"record": good_record(urgency="soon")},
        "record.lg_code": {"record": good_record(lg_code="131017")},  # 千代田区 is 131016
        "record.escalation.basis": {"record": good_record(escalation={"to": "police"})},
        "record.age_band": {"record": good_record(age_band="teen")},
    }
    for field, body in cases.items():
        status, answer = await close(body)
        assert status == 422, field
        assert answer["field"] == field
    missing_all = await close({"record": {"lg_code": "12345"}})
    assert missing_all[0] == 422
    assert {p["field"] for p in missing_all[1]["problems"]} == {
        "record.summary",
        "record.topics",
        "record.urgency",
        "record.lg_code",
    }
    status, _ = await close(
        {
            "record": good_record(
                lg_code="131016", escalation={"to": "jido_sodanjo", "basis": "life_at_risk"}
            )
        }
    )
    assert status == 200


async def test_bad_input_is_answered_in_json_never_5xx(
    api: TestClient, service: HandoffService, staff: StaffDirectory
) -> None:
    await add_people(staff, "npo", "alice")
    ticket = await service.request("c1", "line", context())
    headers = await sign_in(api, "alice")
    base = f"/api/conversations/{ticket.id}"
    await api.post(f"{base}/claim", headers=headers)
    bad = [
        await api.post("/api/login", data=b"{not json"),
        await api.post("/api/login", json=["alice"]),
        await api.post("/api/login", json={"login": "alice"}),
        await api.post("/api/login", json={"login": 5, "password": "x"}),
        await api.post(f"{base}/messages", headers=headers, data=b"\xff\xfe"),
        await api.post(f"{base}/messages", headers=headers, json={"text": ""}),
        await api.post(f"{base}/messages", headers=headers, json={"text": "あ" * 5001}),
        await api.post(f"{base}/messages", headers=headers, json={"text": {"a": 1}}),
        await api.get(f"{base}/messages", headers=headers, params={"after": "x'"}),
        await api.post(f"{base}/transfer", headers=headers, json={"to": "moon"}),
        await api.post(f"{base}/transfer", headers=headers, json={"to": "org"}),
        await api.post(
            f"{base}/transfer", headers=headers, json={"to": "queue", "category": "astrology"}
        ),
        await api.post(f"{base}/close", headers=headers, json={"record": "done"}),
        await api.get("/api/stats", headers=headers, params={"from": "yesterday"}),
        await api.get("/api/conversations/%00%ff", headers=headers),
        await api.get("/api/nothing-here", headers=headers),
        await api.delete("/api/queue", headers=headers),
    ]
    for response in bad:
        assert 400 <= response.status < 500, (response.url, response.status)
        assert response.content_type == "application/json"
        assert "error" in await response.json()


async def test_roles_for_stats_and_alerts(
    api: TestClient, service: HandoffService, staff: StaffDirectory
) -> None:
    await add_people(staff, "npo", "alice")
    await add_people(staff, "npo", "sue", role="supervisor")
    await add_people(staff, "platform", "coord", role="coordinator")
    await service.request("c1", "line", context(risk="high"))
    alice, sue, coord = [await sign_in(api, x) for x in ("alice", "sue", "coord")]

    assert (await api.get("/api/stats", headers=alice)).status == 403
    assert (await api.get("/api/alerts", headers=alice)).status == 403
    supervisor_view = await (await api.get("/api/stats", headers=sue)).json()
    assert supervisor_view["org"] == "npo" and supervisor_view["requests"] == 1
    coordinator_view = await (
        await api.get(
            "/api/stats", headers=coord, params={"from": "2026-11-25", "to": "2026-11-25"}
        )
    ).json()
    assert coordinator_view["org"] is None and coordinator_view["requests"] == 1
    alerts = await (await api.get("/api/alerts", headers=coord)).json()
    assert [a["level"] for a in alerts["alerts"]] == ["high"]
    canned = await (await api.get("/api/canned", headers=alice)).json()
    assert canned == {"canned_replies": []}


async def test_live_updates_reach_a_console_without_text(
    api: TestClient, service: HandoffService, staff: StaffDirectory
) -> None:
    await add_people(staff, "npo", "alice")
    headers = await sign_in(api, "alice")
    stream = await api.get("/api/events", headers=headers)
    assert stream.status == 200 and stream.content_type == "text/event-stream"
    assert await stream.content.readline() == b": connected\n"
    await stream.content.readline()

    ticket = await service.request("c1", "line", context())
    await service.claim(ticket.id, (await staff.counsellor("alice")))  # type: ignore[arg-type]
    await service.person_message("c1", "だれにも言えない")

    seen: list[dict[str, Any]] = []
    while len(seen) < 3:
        line = await asyncio.wait_for(stream.content.readline(), 5)
        if line.startswith(b"data: "):
            seen.append(json.loads(line[6:]))
    stream.close()
    assert [s["type"] for s in seen] == ["queue.changed", "ticket.claimed", "ticket.message"]
    assert all(s["ticket"] == ticket.id for s in seen)
    assert "だれにも" not in json.dumps(seen, ensure_ascii=False)


async def test_openapi_document_is_valid_and_matches_the_routes(api: TestClient) -> None:
    response = await api.get("/api/openapi.json")
    document = await response.json()
    validate(document)

    documented = {
        (method.upper(), "/api" + path)
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    routed = set()
    for resource in api.app.router.resources():
        sub = getattr(resource, "_app", None)
        if sub is None:
            continue
        for inner in sub.router.resources():
            for route in inner:
                if route.method != "HEAD":
                    routed.add((route.method, inner.canonical))
    assert documented == routed


async def test_live_updates_are_filtered_by_organisation(
    service: HandoffService, staff: StaffDirectory
) -> None:
    service.config = HandoffConfig(
        orgs={
            "npo": OrgProfile("npo"),
            "other": OrgProfile("other", skills=Skills(languages=frozenset({"en"}))),
        }
    )
    [alice] = await add_people(staff, "npo", "alice")
    [olga] = await add_people(staff, "other", "olga")
    [coord] = await add_people(staff, "platform", "coord", role="coordinator")
    async with (
        Subscription(service.redis, olga) as theirs,
        Subscription(service.redis, coord) as coordinator,
        Subscription(service.redis, alice) as ours,
    ):
        ticket = await service.request("c1", "line", context(lang="ja"))
        await service.claim(ticket.id, alice)

        assert (await ours.next(2)).type == "queue.changed"  # type: ignore[union-attr]
        assert (await ours.next(2)).type == "ticket.claimed"  # type: ignore[union-attr]
        assert (await coordinator.next(2)).ticket == ticket.id  # type: ignore[union-attr]
        assert await theirs.next(0.3) is None
