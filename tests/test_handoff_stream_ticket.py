"""The one-time ticket that lets a browser's EventSource open the live-update stream
without putting the bearer token in a URL, and the transfer targets the console lists;
over real HTTP on the small app that carries only /api."""

from __future__ import annotations

from typing import Any

import test_handoff_support as support
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis
from test_handoff_support import add_people, sign_in

from handoff.staff import StaffDirectory

api, bridge, clock, make_service, service, staff = (
    support.api,
    support.bridge,
    support.clock,
    support.make_service,
    support.service,
    support.staff,
)


async def new_ticket(api: TestClient, headers: dict[str, str]) -> str:
    response = await api.post("/api/events/ticket", headers=headers)
    assert response.status == 201
    body = await response.json()
    assert body["expires_in"] == 60
    return str(body["ticket"])


async def test_a_ticket_opens_one_stream_once(api: TestClient, staff: StaffDirectory) -> None:
    await add_people(staff, "npo", "alice")
    ticket = await new_ticket(api, await sign_in(api, "alice"))

    stream = await api.get("/api/events", params={"ticket": ticket})
    assert stream.status == 200 and stream.content_type == "text/event-stream"
    assert await stream.content.readline() == b": connected\n"
    stream.close()

    again = await api.get("/api/events", params={"ticket": ticket})
    assert again.status == 401  # spent
    assert (await again.json())["error"] == "unauthorized"


async def test_a_ticket_is_good_for_the_stream_only_and_lapses(
    api: TestClient, staff: StaffDirectory, redis_client: Redis
) -> None:
    await add_people(staff, "npo", "alice")
    headers = await sign_in(api, "alice")
    ticket = await new_ticket(api, headers)

    assert (await api.get("/api/queue", params={"ticket": ticket})).status == 401
    token = headers["Authorization"].split()[1]  # the bearer token never works in a URL
    assert (await api.get("/api/events", params={"ticket": token})).status == 401
    assert (await api.get("/api/events", params={"ticket": "x" * 300})).status == 401
    assert (await api.post("/api/events/ticket")).status == 401
    stored = [key async for key in redis_client.scan_iter(match="*stream_ticket*")]
    assert len(stored) == 1 and ticket.encode() not in stored[0]  # only its digest
    assert 0 < await redis_client.ttl(stored[0]) <= 60
    stream = await api.get("/api/events", params={"ticket": ticket})  # still unused: works
    assert stream.status == 200
    stream.close()


async def test_transfer_targets_are_the_organisations_that_answer(
    api: TestClient, staff: StaffDirectory
) -> None:
    await add_people(staff, "npo", "alice")
    await add_people(staff, "other", "olga")
    await add_people(staff, "platform", "kaori", role="coordinator")
    response = await api.get("/api/orgs", headers=await sign_in(api, "alice"))
    orgs = (await response.json())["orgs"]
    assert orgs == [{"id": "npo", "name": "npo の名前"}, {"id": "other", "name": "other の名前"}]


async def test_a_ticket_from_one_app_process_opens_the_stream_on_another(
    api: TestClient, staff: StaffDirectory, make_service: Any, aiohttp_client: Any
) -> None:
    # Two processes behind one Redis: the ticket lives in Redis, not in a process.
    other = await aiohttp_client(support.api_app(make_service()))
    await add_people(staff, "npo", "alice")
    ticket = await new_ticket(api, await sign_in(api, "alice"))
    stream = await other.get("/api/events", params={"ticket": ticket})
    assert stream.status == 200
    stream.close()
