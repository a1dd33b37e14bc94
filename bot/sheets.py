"""Result sheets: an expiring, signed link to a PDF of the support a person was shown.

``link_for`` stores a snapshot of what the sheet needs and nothing that identifies the
person: the date, the locale, the worry categories, the age group, the ids of the
entries shown and the municipality code if they gave one. No conversation id, no
channel user id, no typed text. The link is ``/sheet/<random id>?exp=...&sig=...``;
the snapshot expires with it, so an old link finds nothing.

``download`` checks the signature and expiry, then words the sheet from the snapshot
(locale texts and the current catalogue) and renders it with ``bot.pdf_sheet``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from redis.asyncio import Redis

from bot.catalog import TOKYO, Entry
from bot.engine.conversation import Conversation
from bot.engine.registry import Services
from bot.messages import Say
from bot.pdf_sheet import Row, Section, SheetContent, render
from bot.settings import Settings
from bot.store import keys

SHEET_TTL_HOURS = 72
# Sheets rendered at once. Rendering is pure Python (~0.5 s of CPU) in a worker thread
# holding the GIL most of the time: one at a time leaves the event loop at least half.
RENDER_SLOTS = 1
SNAPSHOT_VERSION = 1
# Space left in the その他 row for the person to write by hand.
NOTES_SPACE_MM = 22.0
AGE_GROUPS = ("child", "young", "adult", "senior")  # answers with a label in guide.age.*
JAPANESE = "ja"
HOURS_NOTE = "catalog.hours.note"  # see bot.catalog.Hours.describe
NOTICE_SECOND_LANGUAGE = "en"  # a refused link is explained in the default locale and this


@dataclass(frozen=True)
class Snapshot:
    """What a sheet is made from. Deliberately nothing that points to a person."""

    date: dt.date
    locale: str
    categories: tuple[str, ...]  # the chosen worry first, then related ones
    age_group: str
    shown: tuple[str, ...]  # catalogue entry ids, in the order shown
    lg_code: str | None = None

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "v": SNAPSHOT_VERSION,
                "date": self.date.isoformat(),
                "locale": self.locale,
                "categories": list(self.categories),
                "age_group": self.age_group,
                "shown": list(self.shown),
                "lg_code": self.lg_code,
            },
            ensure_ascii=False,
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> Snapshot:
        data = json.loads(raw)
        return cls(
            date=dt.date.fromisoformat(data["date"]),
            locale=data["locale"],
            categories=tuple(data["categories"]),
            age_group=data["age_group"],
            shown=tuple(data["shown"]),
            lg_code=data.get("lg_code"),
        )

    @classmethod
    def of(cls, conv: Conversation, today: dt.date) -> Snapshot:
        answers = conv.answers()
        categories = [str(answers["category"])] if answers.get("category") else []
        categories += [str(c) for c in answers.get("related", []) if c not in categories]
        code = answers.get("lg_code")
        return cls(
            date=today,
            locale=conv.locale,
            categories=tuple(categories),
            age_group=str(answers.get("age_group", "unknown")),
            shown=tuple(str(i) for i in conv.data.get("shown", [])),
            lg_code=str(code).removeprefix("lg_") if code else None,
        )


class SheetService:
    def __init__(
        self, redis: Redis, secret: bytes, services: Services, settings: Settings
    ) -> None:
        self.redis = redis
        # A key of its own, so a sheet signature can never stand in for another HMAC
        # made with the app secret (conversation ids).
        self._key = hmac.new(secret, b"tsunagari result sheet", hashlib.sha256).digest()
        self.services = services
        self.settings = settings
        self._render_slots = asyncio.Semaphore(RENDER_SLOTS)

    # --- the link ------------------------------------------------------------------------

    async def link_for(self, conv: Conversation) -> tuple[str, int]:
        now = self.services.clock()
        snapshot = Snapshot.of(conv, now.astimezone(TOKYO).date())
        sheet_id = secrets.token_urlsafe(16)
        ttl = SHEET_TTL_HOURS * 3600
        await self.redis.set(keys.result_sheet(sheet_id), snapshot.to_json(), ex=ttl)
        exp = int(now.timestamp()) + ttl
        url = f"{self._base(conv)}/sheet/{sheet_id}?exp={exp}&sig={self.signature(sheet_id, exp)}"
        return url, SHEET_TTL_HOURS

    def signature(self, sheet_id: str, exp: int) -> str:
        return hmac.new(self._key, f"{sheet_id}.{exp}".encode(), hashlib.sha256).hexdigest()

    def _base(self, conv: Conversation) -> str:
        if self.settings.public_base_url:
            return self.settings.public_base_url.rstrip("/")
        if conv.address.channel == "line":  # a LINE message needs an absolute link
            return f"http://{self.settings.host}:{self.settings.port}"
        return ""  # the web chat is served from here: a relative link works

    # --- the download --------------------------------------------------------------------

    async def download(self, request: web.Request) -> web.StreamResponse:
        sheet_id = request.match_info["sheet_id"]
        if not self._valid(sheet_id, request.query.get("exp", ""), request.query.get("sig", "")):
            raise web.HTTPForbidden(text=self._notice("sheet_link.invalid"))
        raw = await self.redis.get(keys.result_sheet(sheet_id))
        if raw is None:
            raise web.HTTPNotFound(text=self._notice("sheet_link.gone"))
        snapshot = Snapshot.from_json(raw)
        async with self._render_slots:
            pdf = await asyncio.to_thread(render, self.content(snapshot))
        filename = f"tsunagari-result-{snapshot.date:%Y%m%d}.pdf"
        return web.Response(
            body=pdf,
            content_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )

    def _notice(self, key: str) -> str:
        """A refusal in Japanese and English: the link carries no locale."""
        locales = self.services.locales
        codes = [
            c for c in dict.fromkeys((locales.default, NOTICE_SECOND_LANGUAGE)) if locales.has(c)
        ]
        return "\n".join(locales.text(code, key) for code in codes)

    def _valid(self, sheet_id: str, exp: str, sig: str) -> bool:
        try:
            expires = int(exp)
        except ValueError:
            return False
        expected = self.signature(sheet_id, expires)
        if not hmac.compare_digest(expected.encode(), sig.encode()):
            return False
        return expires > self.services.clock().timestamp()

    # --- the words -------------------------------------------------------------------------

    def content(self, snapshot: Snapshot) -> SheetContent:
        return SheetWriter(self.services, snapshot).content()


class SheetWriter:
    """Words one sheet from its snapshot: in Japanese, or in the person's language and
    Japanese (labels and notes; catalogue data is Japanese on every sheet)."""

    def __init__(self, services: Services, snapshot: Snapshot) -> None:
        self.services = services
        self.locales = services.locales
        self.snapshot = snapshot
        self.code = snapshot.locale if self.locales.has(snapshot.locale) else self.locales.default
        self.bilingual = self.code.split("-")[0] != JAPANESE

    def content(self) -> SheetContent:
        entries = self._entries()
        d = self.snapshot.date
        date = {"year": d.year, "month": d.month, "day": d.day}
        return SheetContent(
            lang=self.code.split("-")[0],  # ja-kids is Japanese
            title=self.both("sheet_pdf.title", sep="\n"),
            date_line=self.both(
                "sheet_pdf.made_on", {"date": Say("sheet_pdf.date", date)}, sep="  /  "
            ),
            intro=self.paragraphs("sheet_pdf.intro"),
            place_line=self._place_line(),
            sections=tuple(self._section(i, e) for i, e in enumerate(entries, start=1)),
            caution=self.paragraphs("sheet_pdf.caution"),
            counter_heading=self.both("sheet_pdf.counter.heading", sep=" / "),
            counter_note=self.paragraphs("sheet_pdf.counter.note"),
            credit=self._credit(entries),
            footer=self.own("sheet_pdf.footer", self.code),
            created=dt.datetime.combine(d, dt.time(), TOKYO),
        )

    # --- text helpers ---------------------------------------------------------------------

    def own(self, key: str, code: str, params: dict[str, Any] | None = None) -> str:
        return self.locales.resolve(code, Say(key, params or {}))

    def both(self, key: str, params: dict[str, Any] | None = None, *, sep: str) -> str:
        """The person's words and the Japanese, or only the Japanese on a Japanese
        sheet (or where the person's language has no text of its own yet)."""
        ja = self.own(key, self.code if not self.bilingual else JAPANESE, params)
        if not self.bilingual:
            return ja
        theirs = self.own(key, self.code, params)
        return ja if theirs == ja else f"{theirs}{sep}{ja}"

    def paragraphs(self, key: str) -> tuple[str, ...]:
        text = self.both(key, sep="\n")
        return tuple(p for p in text.split("\n") if p.strip())

    # --- parts ------------------------------------------------------------------------------

    def _entries(self) -> list[Entry]:
        catalog = self.services.catalog
        found: list[Entry] = []
        for entry_id in self.snapshot.shown:
            try:
                found.append(catalog.get(entry_id))
            except KeyError:
                continue  # removed from the catalogue since the sheet was made
        return found

    def _section(self, number: int, entry: Entry) -> Section:
        return Section(
            heading=self.both("sheet_pdf.entry_heading", {"number": number}, sep=" / "),
            rows=(
                Row(self.both("sheet_pdf.row.topic", sep="\n"), self._topic(entry)),
                Row(self.both("sheet_pdf.row.support", sep="\n"), self._support(entry)),
                Row(self.both("sheet_pdf.row.result", sep="\n"), entry.offers or entry.summary),
                Row(self.both("sheet_pdf.row.whom", sep="\n"), self._whom(entry)),
                # The hint is for the person, who writes here: in their language only.
                Row(
                    self.both("sheet_pdf.row.other", sep="\n")
                    + "\n"
                    + self.own("sheet_pdf.row.other_hint", self.code),
                    blank_mm=NOTES_SPACE_MM,
                ),
            ),
        )

    def _topic(self, entry: Entry) -> str:
        """The person's worries this entry is for (the chosen one if none match)."""
        cats = [c for c in self.snapshot.categories if c in entry.categories]
        cats = cats or list(self.snapshot.categories[:1])
        lines = [self.both(f"category.{c}", sep=" / ") for c in cats]
        if self.snapshot.age_group in AGE_GROUPS:
            lines.append(
                self.both(
                    "sheet_pdf.value.age",
                    {"age": Say(f"guide.age.{self.snapshot.age_group}")},
                    sep=" / ",
                )
            )
        return "\n".join(lines)

    def _support(self, entry: Entry) -> str:
        if not entry.provider:
            return entry.name
        return f"{entry.name}\n" + self.own(
            "sheet_pdf.value.provider", JAPANESE, {"provider": entry.provider}
        )

    def _whom(self, entry: Entry) -> str:
        lines: list[str] = []
        if entry.audience.description:
            lines.append(
                self.own(
                    "sheet_pdf.value.audience", JAPANESE, {"text": entry.audience.description}
                )
            )
        if entry.apply_at:
            lines.append(self.own("sheet_pdf.value.apply_at", JAPANESE, {"text": entry.apply_at}))
        # apply_at often names the number already ("電話 0120-…"): don't print it twice.
        phones = [p for p in entry.phones() if p.value not in entry.apply_at]
        if phones:
            numbers = "、".join(f"{p.value}（{p.label}）" if p.label else p.value for p in phones)
            lines.append(self.own("sheet_pdf.value.phones", JAPANESE, {"numbers": numbers}))
        hours = entry.hours.describe()
        if hours:
            lines.append(
                self.own("sheet_pdf.value.hours", JAPANESE, {"text": self._hours(hours, JAPANESE)})
            )
            # Hours are data, so the person can read them too; a note is Japanese text
            # from the catalogue, already printed above.
            theirs = tuple(s for s in hours if s.key != HOURS_NOTE)
            if self.bilingual and theirs:
                line = self.own(
                    "sheet_pdf.value.hours", self.code, {"text": self._hours(theirs, self.code)}
                )
                if line != lines[-1]:
                    lines.append(line)
        return "\n".join(lines)

    def _hours(self, parts: tuple[Say, ...], code: str) -> str:
        text = ""
        for part in (self.locales.resolve(code, s) for s in parts):
            # Japanese sentences follow 。 with no space; others take one.
            text += part if not text or text.endswith(("。", "）", "」")) else f" {part}"
        return text

    def _place_line(self) -> str:
        places = self.services.places
        code = self.snapshot.lg_code
        if not code or places is None:
            return ""
        place = places.by_code(code)
        if place is None:
            return ""
        if place.homepage:
            return self.both(
                "sheet_pdf.place_homepage",
                {"place": place.full_name, "url": place.homepage},
                sep="\n",
            )
        return self.both("sheet_pdf.place", {"place": place.full_name}, sep="\n")

    def _credit(self, entries: list[Entry]) -> tuple[str, ...]:
        datasets = self.services.catalog.datasets
        used = sorted({e.derived_from.dataset for e in entries if e.derived_from is not None})
        credits = [str(datasets[name]["credit"]) for name in used if name in datasets]
        if not credits:
            return ()
        return (*self.paragraphs("sheet_pdf.credit"), *credits)
