"""Logging and error reporting that never carry what a person wrote.

Log records hold event kinds, channels, levels and reason codes, never message
text (秘密保持義務). Sentry, when configured, gets no request bodies, no local
variables (a frame's locals can hold a message) and no personal data.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from bot.settings import Settings

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        data.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def setup_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    if settings.sentry_dsn:
        init_sentry(settings.sentry_dsn)


def scrub_event(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
    """Drop anything that could hold a person's words before an event leaves."""
    request = event.get("request")
    if isinstance(request, dict):
        for field in ("data", "query_string", "cookies", "headers"):
            request.pop(field, None)
    event.pop("breadcrumbs", None)
    for exc in (event.get("exception") or {}).get("values", []):
        for frame in (exc.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    event.pop("extra", None)
    return event


def init_sentry(dsn: str) -> None:
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,  # type: ignore[arg-type]
        before_breadcrumb=lambda crumb, hint: None,
    )
