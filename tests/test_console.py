"""The counsellor console's server side, over HTTP on the real app (no browser here: see
tests/browser/ for the pages at work): page shells, words, the stream ticket, the
statistics' charts, and the #9999 demo figures."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
import yaml
from aiohttp.test_utils import TestClient
from argon2 import PasswordHasher

from bot.i18n import Locales
from bot.paths import flows_dir
from handoff.appkeys import handoff_service_key
from handoff.charts import Series, axis_top, bar_chart, column_chart, heatmap
from handoff.console import TEMPLATES
from handoff.staff import StaffDirectory
from handoff.stats_page import DEMO_FILE

PASSWORD = "correct horse battery"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
CONSOLE_JS = Path(__file__).parent.parent / "handoff" / "static" / "console.js"
TICKET = "0000000001abcdef0123"


@pytest.fixture
async def client(make_app: Any, redis_client: aioredis.Redis) -> TestClient:
    staff = StaffDirectory(redis_client, hasher=FAST_HASHER)
    for org, login, role in (
        ("npo-a", "alice", "counsellor"),
        ("npo-a", "sora", "supervisor"),
        ("npo-b", "bob", "counsellor"),
        ("platform", "kaori", "coordinator"),
    ):
        await staff.add_org(org, f"{org} の名前")
        await staff.add_counsellor(login, org, PASSWORD, role=role)
    return await make_app()


async def bearer(client: TestClient, login: str) -> dict[str, str]:
    response = await client.post("/api/login", json={"login": login, "password": PASSWORD})
    assert response.status == 200
    return {"Authorization": "Bearer " + (await response.json())["token"]}


def context(**overrides: Any) -> dict[str, Any]:
    return {
        "age_group": "young",
        "category": "loneliness",
        "lang": "ja",
        "risk": "none",
        **overrides,
    }


# --- pages -------------------------------------------------------------------------------


async def test_pages_are_shells_with_their_words_and_a_strict_csp(client: TestClient) -> None:
    for path in ("/console", "/console/queue", f"/console/c/{TICKET}", "/console/stats"):
        response = await client.get(path)
        page = await response.text()
        assert response.status == 200, path
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe" not in csp
        assert response.headers["Cache-Control"] == "no-store"
        shell = page.split('id="ui-strings"')[0]
        assert "{{" not in page and not re.search(r'[>"]console\.[a-z]', shell)  # no raw keys
        assert "つながり 相談員コンソール" in page
        # No inline script: only JSON data blocks and the one script file.
        scripts = re.findall(r"<script([^>]*)>", page)
        assert all(
            'type="application/json"' in s or 'src="/console/static/console.js"' in s
            for s in scripts
        ), path
        assert " style=" not in page and "onclick" not in page

    for path in ("/console/static/console.js", "/console/static/console.css"):
        response = await client.get(path)
        assert response.status == 200
        text = await response.text()
        assert "http://" not in text and "https://" not in text and "@import" not in text

    english = await (await client.get("/console?lang=en")).text()
    assert "tsunagari counsellor console" in english and 'data-lang="en"' in english
    odd = await (await client.get('/console?lang="><b>x</b>')).text()
    assert "相談員コンソール" in odd and 'data-lang=""' in odd and "<b>x" not in odd


async def test_the_chat_page_carries_the_record_lists_and_catalogue_names(
    client: TestClient,
) -> None:
    page = await (await client.get(f"/console/c/{TICKET}")).text()
    assert f'data-ticket="{TICKET}"' in page
    assert 'value="suicidal_ideation"> 希死念慮' in page
    assert '<option value="jido_sodanjo">児童相談所</option>' in page
    assert 'value="emergency"> 緊急' in page
    assert "よりそいホットライン" in page  # the catalogue's names, for "results shown"
    assert (await client.get("/console/c/not-a-ticket")).status == 404


def test_every_console_word_in_the_templates_and_script_exists_in_each_full_locale() -> None:
    locales = Locales.load()
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used.update(re.findall(r"\{\{(console\.[a-z0-9_.]+)\}\}", template.read_text()))
    script = CONSOLE_JS.read_text(encoding="utf-8")
    # label("console.category", code) and t("console.login." + notice) name groups.
    prefixes = {k.rstrip(".") for k in re.findall(r'"(console\.[a-z0-9_.]+\.)"', script)}
    prefixes.update(re.findall(r'label\("(console\.[a-z0-9_.]+)"', script))
    used.update(
        k
        for k in re.findall(r'"(console\.[a-z0-9_.]+)"', script)
        if not k.endswith(".") and k not in prefixes
    )
    assert len(used) > 60
    for locale in locales.full_locales():
        missing = sorted(k for k in used if k not in locale.strings)
        assert not missing, (locale.code, missing)
        for prefix in prefixes:
            assert any(k.startswith(prefix + ".") for k in locale.strings), (locale.code, prefix)


def test_console_words_were_not_cut_by_yaml_comments() -> None:
    # A " #" in an unquoted YAML value starts a comment: "…応答率は #9999 …" lost its end.
    for code in ("ja", "en"):
        text = (Path(__file__).parent.parent / "locales" / code / "console.yaml").read_text()
        for line in text.splitlines():
            body = (
                line.split(":", 1)[1] if ":" in line and not line.lstrip().startswith("#") else ""
            )
            assert " #" not in body or body.strip().startswith(('"', "'")), line


# --- the statistics' charts ----------------------------------------------------------------


async def test_charts_are_for_supervisors_and_coordinators(client: TestClient) -> None:
    url = "/console/stats/charts?from=2026-11-12&to=2026-11-18"
    assert (await client.get(url)).status == 401
    assert (await client.get(url, headers=await bearer(client, "alice"))).status == 403
    supervisor = await bearer(client, "sora")
    for bad in (
        "from=2026-11-18&to=2026-11-12",
        "from=2026-10-01&to=2026-11-18",
        "from=yesterday&to=2026-11-18",
        "",
    ):
        response = await client.get(f"/console/stats/charts?{bad}", headers=supervisor)
        assert response.status == 422, bad
    response = await client.get(url, headers=supervisor)
    assert response.status == 200
    assert "この期間のデータはありません" in await response.text()


async def test_charts_count_each_day_and_hour_of_the_week(client: TestClient) -> None:
    service = client.app[handoff_service_key]
    alice = await service.staff.counsellor("alice")
    answered = await service.request("conv-1", "web", context())
    await service.claim(answered.id, alice)
    await service.request(
        "conv-2", "line", context(category="money", risk="high", risk_reasons=["overdose"])
    )
    await service.request("conv-3", "web", context(lang="en"))  # npo-a and npo-b both take it

    html = await (
        await client.get(
            "/console/stats/charts?from=2026-11-12&to=2026-11-18",
            headers=await bearer(client, "sora"),
        )
    ).text()
    assert "npo-a の名前の相談" in html
    summary = re.search(r'<dl class="figures" id="stats-summary">(.*?)</dl>', html)
    assert summary and "<dt>呼出件数</dt><dd>3</dd>" in summary.group(1)
    assert "<dt>接続完了</dt><dd>1</dd>" in summary.group(1)
    assert "<dt>応答率</dt><dd>33.3%</dd>" in summary.group(1)
    # Per day: only the test clock's day (Wednesday 18 November) has requests.
    assert '<th scope="row">11/18</th><td>3</td><td>1</td><td>33.3%</td>' in html
    assert '<th scope="row">11/17</th><td>0</td><td>0</td><td>—</td>' in html
    assert html.count('class="heat-5"') == 1
    assert "<title>水 15時台：3件（応答率 33.3%）</title>" in html
    assert "アラート（高）: 1" in html  # the desc of the risk chart
    assert "生活困窮・お金" in html
    for svg in re.findall(r"<svg.*?</svg>", html, flags=re.S):
        ET.fromstring(svg)  # well-formed

    everyone = await (
        await client.get(
            "/console/stats/charts?from=2026-11-18&to=2026-11-18",
            headers=await bearer(client, "kaori"),
        )
    ).text()
    assert "すべての団体の相談" in everyone


def test_charts_escape_what_they_are_given() -> None:
    evil = '<script>alert("x")</script>'
    svg = column_chart("c", evil, evil, [evil], [Series(evil, [1], "s-requests")])
    svg += bar_chart("b", evil, evil, [(evil, 2)], css="s-rate")
    svg += heatmap("h", evil, evil, [evil], ["00"], [[1.0]], lambda r, c: evil)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    for part in re.findall(r"<svg.*?</svg>", svg, flags=re.S):
        ET.fromstring(part)


def test_axes_end_on_round_whole_steps() -> None:
    assert axis_top([1]) == 4
    assert axis_top([0, None]) == 4
    assert axis_top([14678, 34315]) == 40000
    assert axis_top([38]) == 40
    assert axis_top([3.5], top=100) == 100


# --- the #9999 demo -----------------------------------------------------------------------


def test_demo_figures_add_up_and_every_label_exists() -> None:
    data = yaml.safe_load((flows_dir() / DEMO_FILE).read_text(encoding="utf-8"))
    assert "孤独・孤立相談ダイヤル" in data["source"]
    header = (flows_dir() / DEMO_FILE).read_text(encoding="utf-8").split("\nsource:")[0]
    assert "002_34fa671a05a90f71.txt" in header and "DEMO" in header
    locales = Locales.load()
    for period in data["periods"]:
        assert round(100 * period["connected"] / period["requests"], 1) == pytest.approx(
            period["response_rate"], abs=0.05
        ), period["id"]
        assert period["start"] <= period["end"]
        for code in ("ja", "en"):
            assert locales.lookup(code, f"console.stats.demo.period.{period['id']}")
            for line in period.get("line_rates") or {}:
                assert locales.lookup(code, f"console.stats.demo.line.{line}"), line


async def test_the_stats_page_holds_the_demo_clearly_labelled(client: TestClient) -> None:
    page = await (await client.get("/console/stats")).text()
    demo = page.split('id="demo-charts"')[1]
    assert "デモ表示です" in demo and "このシステムの実績ではありません" in demo
    assert "14,678" in demo and "26.0%" in demo
    assert 'value="2026-11-12"' in page and 'value="2026-11-18"' in page  # the app's clock


async def test_the_detected_risk_is_set_against_the_counsellors_record(
    client: TestClient,
) -> None:
    """A high alert the counsellor closed as normal with no risk flag shows as such: the
    production measure of false alarms, counted without any message content."""
    service = client.app[handoff_service_key]
    alice = await service.staff.counsellor("alice")
    for conv, risk, urgency in (("conv-1", "high", "normal"), ("conv-2", "high", "emergency")):
        ticket = await service.request(conv, "web", context(risk=risk, risk_reasons=["overdose"]))
        await service.claim(ticket.id, alice)
        record = {"summary": "話を聴いた。", "topics": ["loneliness"], "urgency": urgency}
        if urgency == "emergency":
            record["risk_flags"] = ["suicide_plan"]
        await service.close(ticket.id, alice, record)

    html = await (
        await client.get(
            "/console/stats/charts?from=2026-11-12&to=2026-11-18",
            headers=await bearer(client, "sora"),
        )
    ).text()
    box = re.search(r'<figure class="chart-box" id="stats-detected">(.*?)</figure>', html, re.S)
    assert box, "the table is shown"
    assert "<details open>" in box.group(1)
    assert (
        '<th scope="row">高</th><td>2</td><td>1</td><td>0</td><td>1</td><td>1</td>' in box.group(1)
    )
    assert "判定が外れた可能性" in box.group(1)
