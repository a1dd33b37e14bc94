"""The counsellor console at /console: server-rendered page shells and their script.

The pages hold no conversation data: ``console.js`` signs in through ``/api/login``,
keeps the bearer token in sessionStorage and reads everything through ``/api/...``,
live updates included (``/api/events`` with a one-time ticket). What the server does
put in is the console's words (``locales/<lang>/console.yaml``), the close form's lists
from the handoff configuration, the catalogue's names for "results shown", and the
statistics' charts, drawn as SVG here (``GET /console/stats/charts``, bearer token).

Templates live in ``handoff/templates/``: ``{{console.key}}`` is a text from the locale,
``{{name}}`` a value, both escaped; ``{{!name}}`` is HTML built in this module, where
every piece of text is escaped as it is put in.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from aiohttp import web

from bot.appkeys import locales_key, services_key
from bot.categories import CATEGORY_IDS as ALL_CATEGORY_IDS
from bot.i18n import Locales
from handoff.appkeys import handoff_service_key, staff_key
from handoff.model import Counsellor
from handoff.records import ESCALATION_BASES, ESCALATION_TARGETS, URGENCIES
from handoff.routing import TOKYO
from handoff.service import TICKET_ID
from handoff.stats_page import MAX_DAYS, Words, figures_by_day, render_demo, render_live

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
_SLOT = re.compile(r"\{\{(!?)([a-z_][a-z0-9_.]*)\}\}")
# Category order in forms: the one list's order (the bot's menus), not alphabetical.
CATEGORY_ORDER = ALL_CATEGORY_IDS

# As strict as the web chat page: nothing from elsewhere, no inline script or style.
CONSOLE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


# --- templates -------------------------------------------------------------------------------


@cache
def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def fill(template: str, locales: Locales, code: str, values: Mapping[str, str]) -> str:
    def slot(match: re.Match[str]) -> str:
        raw, name = match.groups()
        if raw:
            return values[name]
        if name in values:
            return html.escape(values[name])
        return html.escape(locales.text(code, name))

    return _SLOT.sub(slot, template)


def console_strings(locales: Locales, code: str) -> dict[str, str]:
    """Every console word, for the script (it renders rows, badges and messages)."""
    keys = sorted(k for k in locales.get(locales.default).strings if k.startswith("console."))
    return {k: locales.text(code, k) for k in keys}


def _json_for_script(value: object) -> str:
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def _locale(request: web.Request) -> tuple[Locales, str]:
    """The console's language: ``?lang=`` when that locale exists, else the default."""
    locales = request.app[locales_key]
    asked = request.query.get("lang", "")
    return locales, asked if asked and locales.has(asked) else locales.default


def render_page(
    request: web.Request, page: str, title_key: str, values: Mapping[str, str] | None = None
) -> web.Response:
    locales, code = _locale(request)
    values = dict(values or {})
    content = fill(_template(f"{page}.html"), locales, code, values)
    now_ms = int(request.app[handoff_service_key].clock() * 1000)
    lang_param = code if request.query.get("lang") == code else ""
    document = fill(
        _template("layout.html"),
        locales,
        code,
        {
            **values,
            "lang": code.split("-")[0],
            "page": page,
            "title": f"{locales.text(code, title_key)}｜{locales.text(code, 'console.title')}",
            "server_now": str(now_ms),
            "lang_param": lang_param,
            "content": content,
            "ui_json": _json_for_script(console_strings(locales, code)),
        },
    )
    return web.Response(text=document, content_type="text/html", headers=CONSOLE_HEADERS)


# --- form pieces -----------------------------------------------------------------------------


def _label(words: Words, group: str, value: str) -> str:
    return html.escape(words.label(group, value))


def choice_boxes(
    words: Words, name: str, values: Iterable[str], group: str, kind: str = "checkbox"
) -> str:
    """Checkboxes (or radios) for one form field, each labelled from ``console.<group>``."""
    return "".join(
        f'<label class="pick"><input type="{kind}" name="{html.escape(name)}" '
        f'value="{html.escape(v)}"> {_label(words, group, v)}</label>'
        for v in values
    )


def select_options(words: Words, values: Iterable[str], group: str, empty: str) -> str:
    first = f'<option value="">{html.escape(empty)}</option>'
    return first + "".join(
        f'<option value="{html.escape(v)}">{_label(words, group, v)}</option>' for v in values
    )


def chat_values(request: web.Request, words: Words, ticket_id: str) -> dict[str, str]:
    lists = request.app[handoff_service_key].config.record
    catalog = request.app[services_key].catalog
    names = {e.id: e.name for e in catalog.entries} if catalog is not None else {}
    not_answered = words("close.not_answered")
    return {
        "ticket_id": ticket_id,
        "topics_boxes": choice_boxes(words, "topics", CATEGORY_ORDER, "category"),
        "urgency_radios": choice_boxes(
            words, "urgency", URGENCIES, "close.urgency_value", "radio"
        ),
        "age_band_options": select_options(
            words, lists.age_bands, "close.age_band_value", not_answered
        ),
        "gender_options": select_options(words, lists.genders, "close.gender_value", not_answered),
        "risk_flag_boxes": choice_boxes(
            words, "risk_flags", lists.risk_flags, "close.risk_flag_value"
        ),
        "escalation_to_options": select_options(
            words, ESCALATION_TARGETS, "close.escalation_to_value", words("close.none")
        ),
        "escalation_basis_options": select_options(
            words, ESCALATION_BASES, "close.escalation_basis_value", not_answered
        ),
        "transfer_category_options": select_options(
            words, CATEGORY_ORDER, "category", words("transfer.keep")
        ),
        "catalog_json": _json_for_script(names),
    }


# --- pages -----------------------------------------------------------------------------------


def _words(request: web.Request) -> Words:
    locales, code = _locale(request)
    return Words(locales, code)


async def login_page(request: web.Request) -> web.Response:
    return render_page(request, "login", "console.login.heading")


async def queue_page(request: web.Request) -> web.Response:
    return render_page(request, "queue", "console.queue.heading")


async def chat_page(request: web.Request) -> web.Response:
    ticket_id = request.match_info["id"]
    if not TICKET_ID.match(ticket_id):
        raise web.HTTPNotFound()
    return render_page(
        request, "chat", "console.chat.heading", chat_values(request, _words(request), ticket_id)
    )


def _today(request: web.Request) -> date:
    return datetime.fromtimestamp(request.app[handoff_service_key].clock(), TOKYO).date()


async def stats_page(request: web.Request) -> web.Response:
    today = _today(request)
    return render_page(
        request,
        "stats",
        "console.stats.heading",
        {
            "default_from": (today - timedelta(days=6)).isoformat(),
            "default_to": today.isoformat(),
            "max_days": str(MAX_DAYS),
            "demo_html": render_demo(_words(request)),
        },
    )


# --- the statistics' charts ------------------------------------------------------------------


def _error(status: int, code: str) -> web.Response:
    return web.json_response({"error": code}, status=status, headers={"Cache-Control": "no-store"})


async def _caller(request: web.Request) -> Counsellor | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return await request.app[staff_key].authenticate(token.strip())


def _range(request: web.Request) -> tuple[date, date] | None:
    try:
        first = date.fromisoformat(request.query.get("from") or "")
        last = date.fromisoformat(request.query.get("to") or "")
    except ValueError:
        return None
    if first > last or (last - first).days >= MAX_DAYS:
        return None
    return first, last


async def stats_charts(request: web.Request) -> web.Response:
    """The charts of a range (``from``/``to``, dates, both included) as an HTML fragment,
    for the caller's bearer token: supervisors see their organisation's figures,
    coordinators and admins everyone's."""
    who = await _caller(request)
    if who is None:
        return _error(401, "unauthorized")
    if not who.sees_statistics:
        return _error(403, "forbidden")
    span = _range(request)
    if span is None:
        return _error(422, "invalid_range")
    service = request.app[handoff_service_key]
    words = _words(request)
    total, days = await figures_by_day(service, who, *span)
    scope = (
        words("stats.all_scope")
        if who.sees_every_queue
        else words("stats.org_scope", org=await service.org_name(who.org))
    )
    return web.Response(
        text=render_live(words, total, days, scope),
        content_type="text/html",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


def setup_console_routes(app: web.Application) -> None:
    """Mount the console on ``app`` (which must be the full app of ``create_app``)."""
    app.router.add_get("/console", login_page, name="console_login")
    app.router.add_get("/console/queue", queue_page, name="console_queue")
    app.router.add_get("/console/c/{id}", chat_page, name="console_chat")
    app.router.add_get("/console/stats", stats_page, name="console_stats")
    app.router.add_get("/console/stats/charts", stats_charts, name="console_stats_charts")
    app.router.add_static("/console/static/", STATIC, name="console_static")
