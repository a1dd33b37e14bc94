"""The actions, conditions, choice providers and text handlers flows may name.

Each is small and returns an outcome (or a state to go to), never text: what the
person reads is a locale key added to the reply. ``REGISTRY`` is the allow-list the
machine builder and the flow validation use.
"""

from __future__ import annotations

from typing import Any

from bot.engine.conversation import Conversation
from bot.engine.registry import ActionContext, Registry
from bot.messages import Choice, Link
from bot.places import MYNAPORTAL_URL
from bot.results import Need, card_for, late_night, rank
from bot.safety import say_lines_open_now

REGISTRY = Registry()

MAX_SUGGESTIONS = 3
MAX_PLACE_CANDIDATES = 10


def _child(conv: Conversation) -> bool:
    return conv.answers().get("age_group") == "child"


# --- start, language, children's route ------------------------------------------------------


@REGISTRY.action("reset_answers")
async def reset_answers(ctx: ActionContext) -> str | None:
    ctx.conv.data.pop("answers", None)
    ctx.conv.data.pop("suggested", None)
    base = ctx.conv.data.pop("base_locale", None)
    if base:
        ctx.conv.locale = base  # leave the children's wording when starting over
    return None


@REGISTRY.provider("locales")
def locale_choices(ctx: ActionContext) -> list[Choice]:
    locales = ctx.services.locales
    return [
        Choice(f"lang_{code.replace('-', '_')}", "locale.name", {"name": locales.get(code).name})
        for code in locales.selectable()
    ]


@REGISTRY.action("apply_locale")
async def apply_locale(ctx: ActionContext) -> str | None:
    picked = str(ctx.conv.answers().get("locale", ""))
    code = picked.removeprefix("lang_").replace("_", "-")
    if ctx.services.locales.has(code):
        ctx.conv.locale = code
        ctx.conv.data.pop("base_locale", None)
        ctx.conv.reply.say("guide.language_set")
    return "done"


@REGISTRY.action("use_children_wording")
async def use_children_wording(ctx: ActionContext) -> str | None:
    kids = f"{ctx.conv.locale}-kids"
    if ctx.services.locales.has(kids):
        ctx.conv.data["base_locale"] = ctx.conv.locale
        ctx.conv.locale = kids
    return "done"


# --- results ----------------------------------------------------------------------------------


@REGISTRY.condition("place_not_set")
def place_not_set(ctx: ActionContext) -> bool:
    return not ctx.conv.answers().get("lg_code")


@REGISTRY.action("show_results")
async def show_results(ctx: ActionContext) -> str | None:
    conv, services = ctx.conv, ctx.services
    at = services.clock()
    need = Need.from_answers(conv.answers(), conv.locale)
    ranked = rank(services.catalog.entries, need, at)
    if not ranked:
        return "none"
    place = _place(ctx)
    if _child(conv):
        conv.reply.say("results.intro_children")
    elif late_night(at):
        conv.reply.say("results.intro_late")
    else:
        conv.reply.say("results.intro")
    for r in ranked:
        conv.reply.parts.append(card_for(r.entry, services, conv.locale, at, place))
    conv.data["shown"] = [r.entry.id for r in ranked]
    if place is not None:
        hint = next((r.entry.search_hint for r in ranked if r.entry.search_hint), "")
        conv.reply.say(
            "results.local_hint",
            place=place.name,
            url=place.homepage,
            hint=hint or services.locales.text(conv.locale, f"category.{need.categories[0]}"),
            myna=MYNAPORTAL_URL,
        )
    return None


def _place(ctx: ActionContext) -> Any:
    code = ctx.conv.answers().get("lg_code")
    return ctx.services.places.by_code(str(code)) if code else None


@REGISTRY.text_handler("find_place")
async def find_place(ctx: ActionContext) -> str | None:
    name = (ctx.text or "").strip()[:40]
    found = ctx.services.places.search(name)[:MAX_PLACE_CANDIDATES] if name else []
    if len(found) == 1:
        ctx.conv.set_answer("lg_code", found[0].code)
        ctx.conv.reply.say("place.set", place=found[0].name)
        return "place_found"
    ctx.conv.data["place_candidates"] = [p.code for p in found]
    if found:
        ctx.conv.reply.say("place.candidates")
    else:
        ctx.conv.reply.say("place.not_found", name=name)
    return None


@REGISTRY.provider("place_candidates")
def place_candidates(ctx: ActionContext) -> list[Choice]:
    places = ctx.services.places
    out = []
    for code in ctx.conv.data.get("place_candidates", []):
        place = places.by_code(code)
        if place is not None:
            out.append(Choice(str(code), "place.choice", {"name": place.full_name}))
    return out


@REGISTRY.action("offer_sheet")
async def offer_sheet(ctx: ActionContext) -> str | None:
    sheets = ctx.services.sheets
    if sheets is None or not ctx.conv.data.get("shown"):
        ctx.conv.reply.say("sheet.unavailable")
        return "done"
    url, hours = await sheets.link_for(ctx.conv)
    ctx.conv.reply.say("sheet.ready")
    ctx.conv.reply.parts.append(Link("sheet.link_label", url, download=True))
    ctx.conv.reply.say("sheet.link_expires", hours=hours)
    return "done"


@REGISTRY.action("show_story")
async def show_story(ctx: ActionContext) -> str | None:
    stories = ctx.services.extra.get("stories", [])
    if not stories:
        ctx.conv.reply.say("stories.none")
        return None
    index = int(ctx.conv.data.get("story_index", 0)) % len(stories)
    ctx.conv.data["story_index"] = index + 1
    if index == 0:
        ctx.conv.reply.say("stories.intro")
    ctx.conv.reply.say(stories[index])
    ctx.conv.reply.say("stories.sample_notice")
    return None


# --- typed text ---------------------------------------------------------------------------


@REGISTRY.text_handler("triage")
async def triage_text(ctx: ActionContext) -> str | None:
    conv, text = ctx.conv, ctx.text or ""
    triage = ctx.services.triage
    intents = triage.detect_intents(text, conv.locale.split("-")[0])
    for intent in ("human", "delete_data", "restart"):
        if intent in intents:
            return intent
    scored = triage.classify(text, conv.locale.split("-")[0])
    if not scored:
        if conv.is_new:
            return None  # the greeting with its choices has just been shown
        conv.reply.say("triage.not_understood")
        return "unclear_child" if _child(conv) else "unclear"
    conv.data["suggested"] = [c for c, _ in scored[:MAX_SUGGESTIONS]]
    return "suggest"


@REGISTRY.provider("suggested_categories")
def suggested_categories(ctx: ActionContext) -> list[Choice]:
    return [Choice(c, f"category.{c}") for c in ctx.conv.data.get("suggested", [])]


@REGISTRY.action("forget_suggestions")
async def forget_suggestions(ctx: ActionContext) -> str | None:
    ctx.conv.data.pop("suggested", None)
    return "done"


# --- crisis and handoff -----------------------------------------------------------------------


@REGISTRY.action("show_crisis_lines")
async def show_crisis_lines(ctx: ActionContext) -> str | None:
    say_lines_open_now(ctx.conv, ctx.services)
    return None


@REGISTRY.action("request_handoff")
async def request_handoff(ctx: ActionContext) -> str | None:
    return str(await ctx.services.handoff.request(ctx.conv, reason="asked"))


@REGISTRY.action("cancel_handoff")
async def cancel_handoff(ctx: ActionContext) -> str | None:
    await ctx.services.handoff.cancel(ctx.conv)
    return "done"


@REGISTRY.text_handler("to_counsellor")
async def to_counsellor(ctx: ActionContext) -> str | None:
    await ctx.services.handoff.person_said(ctx.conv, ctx.text or "")
    return None


@REGISTRY.text_handler("leave_message")
async def leave_message(ctx: ActionContext) -> str | None:
    if await ctx.services.handoff.leave_message(ctx.conv, ctx.text or ""):
        ctx.conv.reply.say("handoff.leave_message_thanks")
        return "message_left"
    # Never thank for a message that was not kept: say so, and how to reach someone.
    ctx.conv.reply.say("handoff.leave_message_not_kept")
    return "message_not_kept"


# --- privacy --------------------------------------------------------------------------------


@REGISTRY.action("delete_data")
async def delete_data(ctx: ActionContext) -> str | None:
    await ctx.services.handoff.forget(ctx.conv)
    ctx.conv.forget = True
    ctx.conv.reply.say("privacy.deleted")
    return None
