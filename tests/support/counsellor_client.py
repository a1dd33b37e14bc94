"""A counsellor on the API: an organisation and an account, logged in and on duty."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from bot.appkeys import runner_key
from handoff.appkeys import staff_key

PASSWORD = "correct horse battery staple"
Headers = dict[str, str]


async def add_counsellor(
    client: TestClient, login: str, org: str, role: str = "counsellor"
) -> Headers:
    staff = client.app[staff_key]
    await staff.add_org(org, name=f"{org} 相談室")
    await staff.add_counsellor(login, org, PASSWORD, role=role)
    response = await client.post("/api/login", json={"login": login, "password": PASSWORD})
    assert response.status == 200
    headers = {"Authorization": f"Bearer {(await response.json())['token']}"}
    assert (await client.post("/api/heartbeat", headers=headers)).status in (200, 204)
    return headers


async def settle(client: TestClient) -> None:
    """Wait until the app has processed everything taken in."""
    await client.app[runner_key].idle()


async def queue(client: TestClient, headers: Headers) -> list[dict[str, Any]]:
    response = await client.get("/api/queue", headers=headers)
    assert response.status == 200
    return list((await response.json())["waiting"])


async def transcript(client: TestClient, ticket: str, headers: Headers) -> list[dict[str, Any]]:
    response = await client.get(f"/api/conversations/{ticket}/messages", headers=headers)
    assert response.status == 200
    return list((await response.json())["messages"])


def person_said(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages if m["role"] == "person"]
