"""Real-browser tests: Debian's Chromium driven by Playwright, against the real app.

- ``chromium_path``: the system Chromium (``/usr/bin/chromium`` or on PATH). Missing, the
  browser tests are skipped with the reason, unless ``TSUNAGARI_REQUIRE_BROWSER=1``
  (CI sets it): then they fail. Playwright's own browser download is never used (no
  ``playwright install``): the package only drives the browser it is given.
- ``browser``: that Chromium, headless, launched per test (about 0.7 s) on the test's
  own event loop, which the app under test shares.
- ``live_server``: ``create_app(settings, clock)`` on a free loopback port over a real
  socket (aiohttp ``AppRunner``/``TCPSite``), against the tests' redis-server, flushed.
- ``add_staff``: an organisation and its people, made with the staff directory as
  ``tsunagari counsellor add`` makes them.

Screenshots go to ``$TSUNAGARI_SCREENSHOTS`` (default ``/tmp/tsunagari-screenshots``).
"""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp import web
from browser_support import CHROMIUM_ARGS, FAST_HASHER, PASSWORD, LiveServer, find_chromium

from bot.app import create_app
from bot.settings import Settings
from handoff.staff import StaffDirectory


@pytest.fixture(scope="session")
def chromium_path() -> str:
    found = find_chromium()
    if found is None:
        reason = "no chromium browser found (apt-get install chromium)"
        if os.environ.get("TSUNAGARI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}, and TSUNAGARI_REQUIRE_BROWSER=1", pytrace=False)
        pytest.skip(reason)
    try:
        import playwright  # noqa: F401
    except ImportError:  # pragma: no cover - a dev dependency
        pytest.fail("the playwright package is missing: uv sync", pytrace=False)
    return found


@pytest.fixture
async def browser(chromium_path: str) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        launched = await driver.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
def page_errors() -> Iterator[list[str]]:
    """Script errors and CSP refusals seen by any page of the test: there must be none."""
    errors: list[str] = []
    yield errors
    assert not errors, errors


@pytest.fixture
def screenshots() -> Path:
    folder = Path(os.environ.get("TSUNAGARI_SCREENSHOTS", "/tmp/tsunagari-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "handoff_config(yaml): the live server's handoff configuration (YAML text)"
    )


@pytest.fixture
async def live_server(
    request: pytest.FixtureRequest,
    settings: Settings,
    clock: Any,
    redis_client: aioredis.Redis,
    tmp_path: Path,
) -> AsyncIterator[LiveServer]:
    marker = request.node.get_closest_marker("handoff_config")
    if marker is not None:
        config = tmp_path / "handoff.yaml"
        config.write_text(marker.args[0], encoding="utf-8")
        settings = settings.with_(handoff_config=config)
    app = create_app(settings, clock=clock)
    # Open event streams end when the browser closes; do not wait a minute for stragglers.
    runner = web.AppRunner(app, shutdown_timeout=0.2)
    await runner.setup()
    with socket.socket() as probe:  # a free loopback port
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app)
    finally:
        await runner.cleanup()


AddStaff = Callable[..., Awaitable[None]]


@pytest.fixture
def add_staff(redis_client: aioredis.Redis) -> AddStaff:
    directory = StaffDirectory(redis_client, hasher=FAST_HASHER)

    async def add(org: str, *logins: str, role: str = "counsellor") -> None:
        await directory.add_org(org, f"{org}の相談窓口")
        for login in logins:
            assert await directory.add_counsellor(
                login, org, PASSWORD, role=role, name=f"{login}さん"
            )

    return add
