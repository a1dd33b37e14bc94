"""The result sheet: its signed, expiring link, what it stores, and the PDF itself.

The PDF is checked as a person and a counter would meet it: poppler renders it
(pdftoppm), reads its text (pdftotext) and lists its fonts (pdffonts). Those come from
Debian's poppler-utils; without them the PDF tests skip and say so.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.catalog import TOKYO, Catalog
from bot.engine.conversation import Address, Conversation
from bot.engine.registry import Services
from bot.i18n import Locales
from bot.pdf_sheet import NO_LINE_END, NO_LINE_START, render, wrap
from bot.places import Places
from bot.settings import Settings
from bot.sheets import SHEET_TTL_HOURS, SheetService, SheetWriter, Snapshot
from bot.store import keys

POPPLER = ("pdftotext", "pdftoppm", "pdffonts")
needs_poppler = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in POPPLER),
    reason="poppler-utils is not installed (pdftotext, pdftoppm, pdffonts): "
    "apt-get install poppler-utils",
)

SECRET = b"tsunagari-test-secret-for-sheets"
LINE_USER = "U0123456789abcdef0123456789abcdef"
CONV_ID = "c7f3e2d1b0a9"
TYPED = "家賃が払えなくて大家さんに怒られました"  # something the person typed
# Entries of different shapes: a phone line, a hotline with several numbers, a local
# window derived from the national chatbot's data, a system.
SHOWN = ("yorisoi_hotline", "kokoro_unified_dial", "jidou_soudanjo", "shugaku_enjo")
YOKOHAMA = "141003"


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 18, 15, 0, tzinfo=TOKYO)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture(scope="module")
def locales() -> Locales:
    return Locales.load()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="module")
def places() -> Places:
    return Places.load()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def services(locales: Locales, catalog: Catalog, places: Places, clock: Clock) -> Services:
    return Services(locales=locales, clock=clock, catalog=catalog, places=places)


def sheet_service(redis: aioredis.Redis, services: Services, **settings: Any) -> SheetService:
    return SheetService(redis, SECRET, services, Settings(**settings))


def conversation(channel: str = "web", locale: str = "ja", **answers: Any) -> Conversation:
    conv = Conversation(CONV_ID, Address(channel, LINE_USER), "results", locale)
    conv.data["answers"] = {
        "category": "money",
        "related": ["loneliness"],
        "age_group": "young",
        "typed": TYPED,
        **answers,
    }
    conv.data["shown"] = list(SHOWN)
    conv.data["last_text"] = TYPED
    return conv


# --- the link and what it stores ------------------------------------------------------------


async def test_link_stores_only_what_the_sheet_needs(
    redis_client: aioredis.Redis, services: Services
) -> None:
    sheets = sheet_service(redis_client, services)
    url, hours = await sheets.link_for(conversation("line", lg_code=YOKOHAMA))
    assert hours == SHEET_TTL_HOURS

    sheet_id = urlsplit(url).path.rsplit("/", 1)[1]
    raw = await redis_client.get(keys.result_sheet(sheet_id))
    assert raw is not None
    assert json.loads(raw) == {
        "v": 1,
        "date": "2026-11-18",
        "locale": "ja",
        "categories": ["money", "loneliness"],
        "age_group": "young",
        "shown": list(SHOWN),
        "lg_code": YOKOHAMA,
    }
    for personal in (LINE_USER, CONV_ID, TYPED):
        assert personal.encode() not in raw
        assert personal not in url.replace("/sheet/", "")
    ttl = await redis_client.ttl(keys.result_sheet(sheet_id))
    assert SHEET_TTL_HOURS * 3600 - 5 < ttl <= SHEET_TTL_HOURS * 3600


async def test_link_is_relative_on_the_web_and_absolute_on_line(
    redis_client: aioredis.Redis, services: Services
) -> None:
    sheets = sheet_service(redis_client, services, host="127.0.0.1", port=8123)
    web_url, _ = await sheets.link_for(conversation("web"))
    line_url, _ = await sheets.link_for(conversation("line"))
    assert web_url.startswith("/sheet/")
    assert line_url.startswith("http://127.0.0.1:8123/sheet/")

    public = sheet_service(redis_client, services, public_base_url="https://tsunagari.example/")
    for channel in ("web", "line"):
        url, _ = await public.link_for(conversation(channel))
        assert url.startswith("https://tsunagari.example/sheet/")
    query = parse_qs(urlsplit(url).query)
    assert set(query) == {"exp", "sig"}
    assert int(query["exp"][0]) == int(services.clock().timestamp()) + SHEET_TTL_HOURS * 3600


async def test_each_link_gets_its_own_random_id(
    redis_client: aioredis.Redis, services: Services
) -> None:
    sheets = sheet_service(redis_client, services)
    urls = {(await sheets.link_for(conversation()))[0].split("?")[0] for _ in range(5)}
    assert len(urls) == 5


# --- the download ---------------------------------------------------------------------------


@pytest.fixture
async def client(
    aiohttp_client: Callable[..., Any], redis_client: aioredis.Redis, services: Services
) -> tuple[TestClient, SheetService]:
    sheets = sheet_service(redis_client, services)
    app = web.Application()
    app.router.add_get("/sheet/{sheet_id}", sheets.download)
    return await aiohttp_client(app), sheets


async def test_download_gives_the_pdf(client: tuple[TestClient, SheetService]) -> None:
    http, sheets = client
    url, _ = await sheets.link_for(conversation())
    resp = await http.get(url)
    assert resp.status == 200
    assert resp.content_type == "application/pdf"
    assert (
        resp.headers["Content-Disposition"]
        == 'attachment; filename="tsunagari-result-20261118.pdf"'
    )
    assert resp.headers["Cache-Control"] == "no-store"
    body = await resp.read()
    assert body.startswith(b"%PDF-")
    assert len(body) < 200 * 1024


async def test_a_changed_signature_or_expiry_is_refused(
    client: tuple[TestClient, SheetService],
) -> None:
    http, sheets = client
    url, _ = await sheets.link_for(conversation())
    path, query = url.split("?")
    params = parse_qs(query)
    exp, sig = params["exp"][0], params["sig"][0]
    bad_sig = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    for attempt in (
        f"{path}?exp={exp}&sig={bad_sig}",
        f"{path}?exp={int(exp) + 3600}&sig={sig}",  # a longer life, same signature
        f"{path}?exp={exp}",
        f"{path}?exp=soon&sig={sig}",
        path,
        f"{path[:-1]}x?exp={exp}&sig={sig}",  # another sheet id
    ):
        resp = await http.get(attempt)
        assert resp.status == 403, attempt
    assert "期限が切れています" in await resp.text()
    assert "has expired" in await resp.text()


async def test_an_expired_link_is_refused(
    client: tuple[TestClient, SheetService], clock: Clock
) -> None:
    http, sheets = client
    url, _ = await sheets.link_for(conversation())
    clock.now += dt.timedelta(hours=SHEET_TTL_HOURS, seconds=1)
    resp = await http.get(url)
    assert resp.status == 403


async def test_a_sheet_that_is_gone_is_not_found(
    client: tuple[TestClient, SheetService], redis_client: aioredis.Redis
) -> None:
    http, sheets = client
    exp = int(sheets.services.clock().timestamp()) + 3600
    sig = sheets.signature("neverstored", exp)
    resp = await http.get(f"/sheet/neverstored?exp={exp}&sig={sig}")
    assert resp.status == 404
    assert "この結果シートはもう開けません" in await resp.text()

    url, _ = await sheets.link_for(conversation())
    sheet_id = urlsplit(url).path.rsplit("/", 1)[1]
    await redis_client.delete(keys.result_sheet(sheet_id))
    assert (await http.get(url)).status == 404


# --- the PDF --------------------------------------------------------------------------------


def snapshot(locale: str = "ja", **changes: Any) -> Snapshot:
    fields: dict[str, Any] = {
        "date": dt.date(2026, 11, 18),
        "locale": locale,
        "categories": ("money", "loneliness"),
        "age_group": "young",
        "shown": SHOWN,
        "lg_code": YOKOHAMA,
    }
    return Snapshot(**{**fields, **changes})


def pdf_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    )
    # Table cells wrap: compare without line breaks.
    return out.stdout.replace("\n", "")


@pytest.fixture(scope="module")
def sheets_dir(
    tmp_path_factory: pytest.TempPathFactory, locales: Locales, catalog: Catalog, places: Places
) -> Path:
    """One rendered sheet per locale, shared by the PDF tests (rendering costs ~0.5 s)."""
    folder = tmp_path_factory.mktemp("sheets")
    services = Services(locales=locales, clock=Clock(), catalog=catalog, places=places)
    for locale in ("ja", "en", "ja-kids"):
        content = SheetWriter(services, snapshot(locale)).content()
        (folder / f"{locale}.pdf").write_bytes(render(content))
    return folder


@needs_poppler
def test_the_sheet_reads_as_the_national_one(sheets_dir: Path, catalog: Catalog) -> None:
    text = pdf_text(sheets_dir / "ja.pdf")
    for label in ("相談内容", "支援制度・相談窓口", "結果", "対象者・申請先／相談先", "その他"):
        assert text.count(label) >= len(SHOWN), label
    for entry_id in SHOWN:
        assert catalog.get(entry_id).name in text
    assert "お金・生活のこと" in text and "年齢：19〜29歳" in text
    assert "2026年11月18日" in text
    assert "0120-279-338" in text
    assert "支援制度・相談窓口のご担当者さまへ" in text
    assert "より合う制度や窓口があれば" in text
    assert "神奈川県横浜市" in text and "https://www.city.yokohama.lg.jp/" in text
    # jidou_soudanjo comes from the national chatbot's data: its CC BY credit is printed.
    assert catalog.datasets["notalone-2021"]["credit"] in text
    assert "個人情報は書かれていません" in text


@needs_poppler
def test_the_english_sheet_has_both_languages(sheets_dir: Path, catalog: Catalog) -> None:
    text = pdf_text(sheets_dir / "en.pdf")
    for label in (
        "What you asked about",
        "相談内容",
        "What it offers",
        "結果",
        "To the staff at the support window",
        "支援制度・相談窓口のご担当者さまへ",
        "where to get support",
        "相談先の案内",
    ):
        assert label in text, label
    assert "Money, daily life / お金・生活のこと" in text
    assert catalog.get("yorisoi_hotline").name in text  # entry data stays Japanese


@needs_poppler
def test_the_childrens_sheet_speaks_simply_to_the_child(sheets_dir: Path) -> None:
    kids = pdf_text(sheets_dir / "ja-kids.pdf")
    adult = pdf_text(sheets_dir / "ja.pdf")
    assert "相談できるところのメモだよ" in kids
    assert "相談できるところのメモだよ" not in adult
    # The rest is what the counter reads: the same as the Japanese sheet.
    assert "支援制度・相談窓口のご担当者さまへ" in kids and "相談内容" in kids


@needs_poppler
@pytest.mark.parametrize("locale", ["ja", "en", "ja-kids"])
def test_the_font_is_embedded_and_the_sheet_renders(sheets_dir: Path, locale: str) -> None:
    pdf = sheets_dir / f"{locale}.pdf"
    assert pdf.stat().st_size < 200 * 1024
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    assert fonts, "the PDF names no font"
    for line in fonts:  # columns: name type encoding emb sub uni object ID
        assert line.split()[-5] == "yes", f"font not embedded: {line}"
    prefix = sheets_dir / f"{locale}-page"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", str(pdf), str(prefix)], check=True, capture_output=True
    )
    pages = sorted(sheets_dir.glob(f"{locale}-page*.png"))
    assert pages and all(p.stat().st_size > 1000 for p in pages)


def test_entries_gone_from_the_catalogue_are_left_out(services: Services) -> None:
    content = SheetWriter(services, snapshot(shown=("no_such_entry", "yorisoi_hotline"))).content()
    assert [s.heading for s in content.sections] == ["相談先 1"]
    assert "よりそいホットライン" in content.sections[0].rows[1].value


def test_no_credit_line_without_derived_entries(services: Services, catalog: Catalog) -> None:
    own = tuple(e.id for e in catalog.entries if e.derived_from is None)[:2]
    assert SheetWriter(services, snapshot(shown=own)).content().credit == ()


# --- line breaking --------------------------------------------------------------------------

TEXTS = (
    "相談員が話を聴き、一緒に解決の方法を探します。必要なときは地域の支援団体につなぎます。",
    "【申請先・相談先】電話 0120-279-338（フリーダイヤル）「はい。」と答えてください。",
    "Who it is for / where to apply (every day)",
)


@pytest.mark.parametrize("width", [7, 10, 13, 20])
@pytest.mark.parametrize("text", TEXTS)
def test_lines_keep_the_japanese_rules_and_whole_words(text: str, width: int) -> None:
    lines = wrap(text, width, len)  # one unit of width per character
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for before, line in zip(lines, lines[1:], strict=False):
        assert line[0] not in NO_LINE_START, lines
        assert before[-1] not in NO_LINE_END, lines
    assert all(len(line) <= width for line in lines), lines
    words = [
        w
        for w in ("Who", "where", "apply", "every", "0120-279-338")
        if w in text and len(w) <= width
    ]
    assert all(any(word in line for line in lines) for word in words), lines


def test_a_piece_longer_than_a_line_is_cut_to_fit() -> None:
    url = "https://www.city.yokohama.lg.jp/kurashi/sumai/a.html"
    lines = wrap(f"ホームページ：{url}", 12, len)
    assert all(len(line) <= 12 for line in lines), lines
    assert "".join(lines) == f"ホームページ：{url}"
