"""What the browser tests share (a module with its own name: two conftest.py files
cannot both be imported as ``conftest``)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from argon2 import PasswordHasher

from bot.appkeys import runner_key
from bot.runner import Runner

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"
# Real Argon2id with small costs: sign-in stays fast in tests (the hash carries its costs).
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 860}


def find_chromium() -> str | None:
    for candidate in (
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@dataclass
class LiveServer:
    url: str
    app: web.Application

    @property
    def runner(self) -> Runner:
        return self.app[runner_key]


async def open_page(browser: Any, errors: list[str], url: str, **options: Any) -> Any:
    """A page in a context of its own (its own sessionStorage, like another machine);
    uncaught script errors and CSP refusals are collected in ``errors``."""
    context = await browser.new_context(locale="ja-JP", reduced_motion="reduce", **options)
    page = await context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"{url}: {exc}"))
    page.on(
        "console",
        lambda msg: (
            errors.append(f"{url}: {msg.text}") if "Content Security Policy" in msg.text else None
        ),
    )
    await page.goto(url)
    return page
