"""Shared pieces of the handoff tests (imported by the test_handoff_* modules; no tests here).

- ``Clock``: a settable clock (the service takes one), starting on a Wednesday afternoon
  in Tokyo.
- ``RecordingBridge``: a small implementation of the ``ConversationBridge`` protocol that
  records what the handoff side tells each conversation — the interface boundary to the
  bot, not a stand-in for any of our own storage.
- Fixtures for a service on the real Redis of ``tests/conftest.py`` and an HTTP client of a
  small aiohttp application carrying only the handoff API.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from argon2 import PasswordHasher
from redis.asyncio import Redis

from handoff.api import setup_api_routes
from handoff.appkeys import handoff_service_key, staff_key
from handoff.bridge import HandoffEvent
from handoff.config import HandoffConfig
from handoff.model import Counsellor
from handoff.routing import TOKYO
from handoff.service import HandoffService
from handoff.staff import StaffDirectory

TRANSCRIPT_KEY = bytes(range(32))
PASSWORD = "correct horse battery"
# Wednesday 2026-11-25 14:00 in Tokyo: not a holiday.
START = datetime(2026, 11, 25, 14, 0, tzinfo=TOKYO).timestamp()
# Real Argon2id with small costs, so tests can create dozens of accounts quickly.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


class Clock:
    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def set(self, moment: datetime) -> None:
        self.now = moment.timestamp()


class RecordingBridge:
    def __init__(self) -> None:
        self.posted: list[tuple[str, HandoffEvent]] = []

    async def post(self, conv_id: str, event: HandoffEvent) -> None:
        self.posted.append((conv_id, event))

    def kinds(self, conv_id: str) -> list[str]:
        return [e.kind for c, e in self.posted if c == conv_id]

    def last(self, conv_id: str) -> HandoffEvent:
        return [e for c, e in self.posted if c == conv_id][-1]


def context(**overrides: Any) -> dict[str, Any]:
    base = {
        "age_group": "adult",
        "category": "loneliness",
        "lang": "ja",
        "risk": "none",
        "risk_reasons": [],
        "results_shown": ["yorisoi"],
        "summary": {"worry": "loneliness"},
    }
    base.update(overrides)
    return base


def good_record(**overrides: Any) -> dict[str, Any]:
    record = {
        "summary": "話を聴いた。居場所の情報を伝えた。",
        "topics": ["loneliness"],
        "urgency": "normal",
    }
    record.update(overrides)
    return record


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def bridge() -> RecordingBridge:
    return RecordingBridge()


@pytest.fixture
def staff(redis_client: Redis, clock: Clock) -> StaffDirectory:
    return StaffDirectory(redis_client, hasher=FAST_HASHER, clock=clock)


@pytest.fixture
def make_service(
    redis_client: Redis, bridge: RecordingBridge, clock: Clock, staff: StaffDirectory
) -> Callable[..., HandoffService]:
    def make(config: HandoffConfig | None = None) -> HandoffService:
        return HandoffService(
            redis_client, bridge, config or HandoffConfig(), TRANSCRIPT_KEY, clock, staff=staff
        )

    return make


@pytest.fixture
def service(make_service: Callable[..., HandoffService]) -> HandoffService:
    return make_service()


async def add_people(
    staff: StaffDirectory, org: str, *logins: str, role: str = "counsellor"
) -> list[Counsellor]:
    await staff.add_org(org, f"{org} の名前")
    people = []
    for login in logins:
        await staff.add_counsellor(login, org, PASSWORD, role=role, name=f"{login}さん")
        person = await staff.counsellor(login)
        assert person is not None
        people.append(person)
    return people


def api_app(service: HandoffService) -> web.Application:
    app = web.Application()
    app[handoff_service_key] = service
    app[staff_key] = service.staff
    setup_api_routes(app)
    return app


@pytest.fixture
async def api(aiohttp_client: Callable[..., Any], service: HandoffService) -> TestClient:
    return await aiohttp_client(api_app(service))  # type: ignore[no-any-return]


async def sign_in(client: TestClient, login: str, password: str = PASSWORD) -> dict[str, str]:
    response = await client.post("/api/login", json={"login": login, "password": password})
    assert response.status == 200, await response.text()
    token = (await response.json())["token"]
    return {"Authorization": f"Bearer {token}"}
