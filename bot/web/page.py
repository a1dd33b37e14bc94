"""The web chat page: ``index.html`` with its words filled in from ``locales/``.

The page's own words (``webchat.*`` keys) are put in on the server, so the page works
before its script runs; the same words for every selectable language travel with it
as JSON, so the script can switch language without another request.
"""

from __future__ import annotations

import html
import json
import re
from functools import cache

from bot.i18n import Locales
from bot.paths import static_dir

_SLOT = re.compile(r"\{\{([a-z_][a-z0-9_.]*)\}\}")


@cache
def _template() -> str:
    return (static_dir() / "index.html").read_text(encoding="utf-8")


def ui_strings(locales: Locales) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for code in locales.codes:
        keys = {k for k in locales.get(locales.default).strings if k.startswith("webchat.")}
        out[code] = {k: locales.text(code, k) for k in sorted(keys)}
    return out


def render_page(locales: Locales, code: str) -> str:
    ui_json = json.dumps(ui_strings(locales), ensure_ascii=False).replace("<", "\\u003c")

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "lang":
            return code.split("-")[0]
        if name == "ui_json":
            return ui_json
        return html.escape(locales.text(code, name))

    return _SLOT.sub(fill, _template())
