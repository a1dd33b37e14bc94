"""Choosing and showing the support that fits: an explainable ranking, then cards.

Every point an entry earns has a named reason, so a reviewer (or a test) can read why
an entry came first: ``rank(...)[0].reasons`` → ``[("category", 100), ("open_now", 15)]``.
Entries that are not meant for the person (a children's line for an adult, an
adults-only window for a child) are left out rather than ranked low.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.catalog import TOKYO, Entry, HoursKind
from bot.engine.registry import Services
from bot.messages import Card, CardAction

MAX_RESULTS = 5

# Points per reason. Category fit dominates; the rest orders entries that fit equally.
POINTS = {
    "category": 100,  # the person's worry is what the entry is for
    "main_category": 40,  # ...and it is the entry's main theme (listed first)
    "information_only": -20,  # a site to read, no one to talk to
    "related_category": 35,  # one of the other likely worries (typed text)
    "also_related": 15,  # fits the worry and a related one (rent and money)
    "for_children": 40,  # a child, and a children's window (children's lines first)
    "language": 30,  # speaks the person's language
    "japanese_only": -25,  # the person writes another language; Japanese only
    "reach": 20,  # can be reached the way the person prefers
    "open_now": 15,
    "open_late_night": 40,  # open now, and it is late at night
    "always_open": 10,  # 24 hours: there when they need it
    "crisis_line": 30,  # a crisis line, for suicidal thoughts
    "unconfirmed": -20,  # hours or number not confirmed from a current source
    "periodic": -40,  # runs only in announced periods (#9999)
    "local_with_place": 10,  # a local window, and we know the person's municipality
}

AGE_RANGES = {  # age groups the flow asks about, as (min, max) years
    "child": (6, 18),
    "young": (19, 29),
    "adult": (30, 64),
    "senior": (65, 120),
}

REACH_CONTACTS = {
    "phone": {"phone"},
    "chat": {"line", "chat", "mail"},
    "visit": {"local"},
}


@dataclass(frozen=True)
class Ranked:
    entry: Entry
    score: int
    reasons: tuple[tuple[str, int], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Need:
    """What we know of the person's need, from their answers."""

    categories: tuple[str, ...]
    age_group: str = "unknown"
    reach: str = "any"
    language: str = "ja"
    has_place: bool = False

    @classmethod
    def from_answers(cls, answers: dict[str, Any], locale: str) -> Need:
        cats: list[str] = []
        if answers.get("category"):
            cats.append(str(answers["category"]))
        related = answers.get("related", [])
        related = [related] if isinstance(related, str) else related
        cats.extend(c for c in related if c not in cats)
        return cls(
            categories=tuple(cats),
            age_group=str(answers.get("age_group", "unknown")),
            reach=str(answers.get("reach", "any")),
            language=locale.split("-")[0],
            has_place=bool(answers.get("lg_code")),
        )


def late_night(at: dt.datetime) -> bool:
    hour = at.astimezone(TOKYO).hour
    return hour >= 22 or hour < 6


def fits_age(entry: Entry, age_group: str) -> bool:
    if age_group not in AGE_RANGES:
        return True
    low, high = AGE_RANGES[age_group]
    a = entry.audience
    if a.age_min is not None and a.age_min > high:
        return False
    if a.age_max is not None and a.age_max < low:
        return False
    return not (entry.for_children and age_group != "child")


def score(entry: Entry, need: Need, at: dt.datetime) -> Ranked | None:
    if not need.categories or entry.emergency:
        return None
    if not fits_age(entry, need.age_group):
        return None
    reasons: list[tuple[str, int]] = []

    def add(reason: str) -> None:
        reasons.append((reason, POINTS[reason]))

    primary, related = need.categories[0], need.categories[1:]
    if primary in entry.categories:
        add("category")
        if entry.categories[0] == primary:
            add("main_category")
        if any(c in entry.categories for c in related):
            add("also_related")
    elif any(c in entry.categories for c in related):
        add("related_category")
    else:
        return None
    if need.age_group == "child" and entry.for_children:
        add("for_children")
    langs = entry.audience.languages
    if need.language != "ja":
        if need.language in langs:
            add("language")
        elif set(langs) <= {"ja"}:
            add("japanese_only")
    kinds = {c.kind for c in entry.contacts}
    if need.reach in REACH_CONTACTS and kinds & REACH_CONTACTS[need.reach]:
        add("reach")
    is_open = entry.hours.is_open(at)
    if is_open:
        add("open_late_night" if late_night(at) else "open_now")
    if entry.hours.is_always():
        add("always_open")
    if primary == "suicidal" and entry.crisis:
        add("crisis_line")
    if entry.status != "active":
        add("unconfirmed")
    if entry.hours.kind is HoursKind.PERIODIC:
        add("periodic")
    if need.has_place and "local" in kinds:
        add("local_with_place")
    if kinds <= {"url"}:
        add("information_only")
    return Ranked(entry, sum(p for _, p in reasons), tuple(reasons))


def rank(
    entries: Iterable[Entry], need: Need, at: dt.datetime, limit: int = MAX_RESULTS
) -> list[Ranked]:
    ranked = [r for e in entries if (r := score(e, need, at)) is not None]
    # Ties: 24-hour before the rest, then catalogue order (stable sort).
    ranked.sort(key=lambda r: (-r.score, not r.entry.hours.is_always()))
    return distinct_numbers(ranked, key=lambda r: r.entry)[:limit]


def distinct_numbers(items: list[Any], key: Callable[[Any], Entry] = lambda e: e) -> list[Any]:
    """One card per phone number: lines of one service that share a number (a hotline and
    its specialist menu) would show the same button twice."""
    seen: set[str] = set()
    out = []
    for item in items:
        phones = [c.value for c in key(item).phones()]
        if phones and phones[0] in seen:
            continue
        seen.update(phones[:1])
        out.append(item)
    return out


def services_for_categories(
    catalog: Any, categories: Sequence[str], at: dt.datetime | None = None
) -> list[str]:
    """Catalogue ids for triaged categories (``tsunagari triage``): the ranking's best."""
    if not categories:
        return []
    at = at or dt.datetime.now(TOKYO)
    need = Need(categories=tuple(categories))
    return [r.entry.id for r in rank(catalog.entries, need, at)]


# --- cards ----------------------------------------------------------------------------


def card_for(
    entry: Entry, services: Services, locale: str, at: dt.datetime, place: Any = None
) -> Card:
    locales = services.locales
    hours = " ".join(locales.resolve(locale, s) for s in entry.hours.describe())
    badges: list[str] = []
    if entry.hours.is_always():
        badges.append("card.badge.always")
    elif entry.hours.is_open(at):
        badges.append("card.badge.open_now")
    if entry.cost == "free":
        badges.append("card.badge.free")
    if entry.for_children:
        badges.append("card.badge.children")
    actions: list[CardAction] = []
    for contact in entry.contacts:
        if contact.kind == "phone" and contact.href:
            actions.append(
                CardAction(
                    "tel", "card.action.call_number", contact.value, {"number": contact.value}
                )
            )
        elif contact.kind == "line" and contact.href:
            actions.append(CardAction("url", "card.action.line", contact.href))
        elif contact.kind in ("chat", "mail") and contact.href:
            actions.append(CardAction("url", f"card.action.{contact.kind}", contact.href))
        elif contact.kind == "url" and contact.href:
            actions.append(CardAction("url", "card.action.open", contact.href))
        elif contact.kind == "local" and place is not None and place.homepage:
            actions.append(
                CardAction("url", "card.action.city_site", place.homepage, {"place": place.name})
            )
    body = entry.summary
    if entry.apply_at:
        body = f"{body}\n{locales.text(locale, 'card.apply_at', {'where': entry.apply_at})}"
    return Card(
        title=entry.name,
        body=body,
        hours=hours,
        badges=tuple(badges),
        actions=tuple(_first_per_kind(actions)[:3]),
    )


def _first_per_kind(actions: Sequence[CardAction]) -> list[CardAction]:
    """At most one button of each kind and target, phones first (tap-to-call)."""
    seen: set[tuple[str, str]] = set()
    out: list[CardAction] = []
    for action in sorted(actions, key=lambda a: a.kind != "tel"):
        key = (action.kind, action.label)
        if key in seen:
            continue
        seen.add(key)
        out.append(action)
    return out


def crisis_cards(services: Services, child: bool, locale: str, limit: int = 4) -> list[Card]:
    """The crisis lines to show now: open ones first, children's lines first for a child."""
    at = services.clock()
    entries = [e for e in services.catalog.crisis_entries() if not e.emergency]
    if not child:
        entries = [e for e in entries if not e.for_children]

    def key(e: Entry) -> tuple[int, int, int]:
        is_open = e.hours.is_open(at)
        return (
            0 if (child and e.for_children) else 1,
            0 if is_open else (1 if is_open is None and e.hours.kind is HoursKind.WEEKLY else 2),
            0 if e.hours.is_always() else 1,
        )

    chosen = distinct_numbers([e for e in sorted(entries, key=key) if e.hours.is_open(at)])[:limit]
    return [card_for(e, services, locale, at) for e in chosen]
