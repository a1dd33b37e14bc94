"""The counsellor console (1280 px) with the person's web chat (390 px), in a real browser.

Each test runs the real app on loopback; people are made with the staff directory, as
``tsunagari counsellor add`` makes them. A person and a counsellor use two browser
contexts (two separate sessions), as two machines would.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser_support import DESK, PASSWORD, PHONE, LiveServer, open_page
from playwright.async_api import expect


async def person_page(browser: Any, live_server: LiveServer, errors: list[str]) -> Any:
    page = await open_page(browser, errors, live_server.url + "/", viewport=PHONE)
    await expect(page.locator("#log")).to_contain_text("こんにちは")
    return page


async def tap(page: Any, label: str) -> None:
    await page.locator("#choices").get_by_role("button", name=label, exact=True).click()


async def write(page: Any, text: str) -> None:
    await page.fill("#input", text)
    await page.press("#input", "Enter")


async def sign_in(browser: Any, live_server: LiveServer, errors: list[str], login: str) -> Any:
    page = await open_page(browser, errors, live_server.url + "/console", viewport=DESK)
    await page.get_by_label("ログインID").fill(login)
    await page.get_by_label("パスワード").fill(PASSWORD)
    await page.get_by_role("button", name="ログイン").click()
    await expect(page).to_have_url(re.compile(r"/console/queue$"))
    await expect(page.locator("#live")).to_have_text("ライブ更新中")
    return page


async def ask_for_a_person_in_distress(
    browser: Any, live_server: LiveServer, errors: list[str]
) -> Any:
    person = await person_page(browser, live_server, errors)
    await write(person, "死にたい")  # medium risk: the crisis lines and an offer of a person
    await tap(person, "いま人と話したい")
    await expect(person.locator("#log")).to_contain_text("相談員につなぎます")
    return person


async def test_a_person_and_a_counsellor_talk_and_the_bot_comes_back(
    browser: Any,
    live_server: LiveServer,
    add_staff: Any,
    page_errors: list[str],
    screenshots: Path,
) -> None:
    await add_staff("npo-a", "alice")
    console = await sign_in(browser, live_server, page_errors, "alice")
    person = await ask_for_a_person_in_distress(browser, live_server, page_errors)

    row = console.locator("#queue-rows tr")  # arrives live, without a reload
    await expect(row).to_have_count(1)
    await expect(row.locator(".risk")).to_have_text("中")
    await expect(row.locator(".risk")).to_have_attribute("aria-label", "リスク 中")
    await expect(row).to_contain_text("Webチャット")
    await expect(row).to_contain_text("1分未満")
    await expect(row).to_contain_text("日本語")
    await console.screenshot(path=screenshots / "console-queue-1280.png")

    await row.get_by_role("button", name="対応する").click()
    await expect(console).to_have_url(re.compile(r"/console/c/[0-9a-f]{20}$"))
    await expect(console.locator("#chat-status")).to_have_text("状態：対応中")
    await expect(console.locator("#context")).to_contain_text("希死念慮")
    await expect(person.locator("#log")).to_contain_text("相談員が入りました")

    await console.get_by_label("相談者へのメッセージ").fill(
        "はじめまして。相談員です。よければ、お話を聞かせてください。"
    )
    await console.keyboard.press("Enter")
    await expect(person.locator("#log")).to_contain_text("はじめまして。相談員です。")
    await write(person, "ありがとうございます。最近ずっと眠れなくて")
    transcript = console.locator("#transcript")
    await expect(transcript).to_contain_text("最近ずっと眠れなくて")
    await expect(transcript.locator(".entry-counsellor")).to_contain_text("はじめまして")

    await console.get_by_label("メモ（相談者には送られません）").fill("睡眠の相談先を案内する予定")
    await console.get_by_role("button", name="メモを残す").click()
    await expect(transcript.locator(".entry-note")).to_contain_text("睡眠の相談先")
    await console.screenshot(path=screenshots / "console-chat-1280.png", full_page=True)

    # A wrong municipality code: the API's 422 is shown next to that field.
    close = console.locator("#close-form")
    await close.get_by_label("相談の要約").fill(
        "眠れない日が続き、死にたい気持ちがある。話を聴き、相談先を伝えた。"
    )
    await close.get_by_label("こころの不調").check()
    await close.get_by_label("要注意").check()
    await close.get_by_label("市区町村コード（6桁）").fill("131015")
    await close.get_by_role("button", name="記録して終了する").click()
    await expect(console.locator("#close-lg-code-err")).to_have_text("形式が正しくありません。")
    await expect(console.locator("#close-lg-code")).to_have_attribute("aria-invalid", "true")
    await expect(console.locator("#close-lg-code")).to_be_focused()
    await close.screenshot(path=screenshots / "console-close-error-1280.png")

    await close.get_by_label("市区町村コード（6桁）").fill("131016")  # 千代田区
    await close.get_by_role("button", name="記録して終了する").click()
    await expect(console.locator("#chat-msg")).to_have_text(
        "相談を終了しました。記録を保存しました。"
    )
    await expect(console.locator("#chat-status")).to_have_text("状態：終了")

    await expect(person.locator("#log")).to_contain_text("相談員との会話はここまでです")
    await tap(person, "相談先をさがす")  # the bot answers again
    await expect(person.locator("#log")).to_contain_text("あなたの年齢を教えてください")
    await person.screenshot(path=screenshots / "webchat-after-handoff-390.png")


TWO_ORGANISATIONS = """
version: 1
canned_replies:
  - {id: greeting, title: はじめのあいさつ, text: はじめまして。相談員です。}
organisations:
  - {id: npo-a, name: つながり相談A}
  - {id: npo-b, name: 外国語の相談B, skills: {languages: [en]}}
"""


@pytest.mark.handoff_config(TWO_ORGANISATIONS)
async def test_another_organisation_does_not_see_the_conversation(
    browser: Any, live_server: LiveServer, add_staff: Any, page_errors: list[str]
) -> None:
    await add_staff("npo-a", "alice")
    await add_staff("npo-b", "bob")
    # A Japanese conversation: routed to npo-a only.
    person = await ask_for_a_person_in_distress(browser, live_server, page_errors)
    bob = await sign_in(browser, live_server, page_errors, "bob")
    await expect(bob.locator("#queue-empty")).to_be_visible()  # waiting: not routed to npo-b
    alice = await sign_in(browser, live_server, page_errors, "alice")
    await expect(alice.locator("#queue-rows tr")).to_have_count(1)
    ticket = await alice.locator("#queue-rows tr").get_attribute("data-ticket")
    await alice.locator("#queue-rows tr").get_by_role("button", name="対応する").click()
    await expect(person.locator("#log")).to_contain_text("相談員が入りました")
    await expect(alice.locator("#canned")).to_contain_text("はじめのあいさつ")

    await bob.reload()
    await expect(bob.locator("#queue-empty")).to_be_visible()
    await expect(bob.locator("#active-empty")).to_be_visible()
    await bob.goto(f"{live_server.url}/console/c/{ticket}")
    await expect(bob.locator("#chat-msg")).to_contain_text("この相談は見つかりません")
    await expect(bob.locator("#chat-grid")).to_be_hidden()


async def test_a_supervisor_sees_charts_and_the_labelled_demo(
    browser: Any,
    live_server: LiveServer,
    add_staff: Any,
    page_errors: list[str],
    screenshots: Path,
) -> None:
    await add_staff("npo-a", "alice")
    await add_staff("npo-a", "sora", role="supervisor")
    await ask_for_a_person_in_distress(browser, live_server, page_errors)

    page = await sign_in(browser, live_server, page_errors, "sora")
    await page.get_by_role("link", name="統計").click()
    await expect(page).to_have_url(re.compile(r"/console/stats$"))
    charts = page.locator("#live-charts")
    await expect(charts.locator("svg#chart-per-day")).to_be_visible()
    await expect(charts.locator("svg#chart-heatmap rect")).to_have_count(7 * 24)
    await expect(charts.locator("#stats-summary")).to_contain_text("呼出件数")
    await expect(charts).to_contain_text("npo-aの相談窓口の相談")
    busiest = charts.locator("svg#chart-heatmap rect.heat-5")
    await expect(busiest).to_have_count(1)  # Wednesday 15:00, the test clock's hour
    assert "水 15時台：1件" in (await busiest.locator("title").text_content() or "")
    await page.screenshot(path=screenshots / "console-stats-1280.png", full_page=True)

    await page.get_by_label("デモデータを表示する（#9999 試行事業の公表値）").check()
    demo = page.locator("#demo-charts")
    await expect(demo.locator("#demo-banner")).to_contain_text("デモ表示です")
    await expect(demo.locator("svg#demo-periods")).to_be_visible()
    await expect(charts).to_be_hidden()
    await page.screenshot(path=screenshots / "console-stats-demo-1280.png", full_page=True)


async def test_a_coordinator_is_alerted_to_high_risk_at_once(
    browser: Any,
    live_server: LiveServer,
    add_staff: Any,
    page_errors: list[str],
    screenshots: Path,
) -> None:
    await add_staff("npo-a", "alice")
    await add_staff("platform", "kaori", role="coordinator")
    coordinator = await sign_in(browser, live_server, page_errors, "kaori")
    await expect(coordinator.locator("#alerts")).to_be_visible()
    await expect(coordinator.locator("#alert-banner")).to_be_hidden()

    person = await person_page(browser, live_server, page_errors)
    await write(person, "今から飛び降りる")  # high risk: queued at once, at the top
    await expect(person.locator("#log")).to_contain_text("110")

    banner = coordinator.locator("#alert-banner")
    await expect(banner).to_be_visible()
    await expect(banner).to_contain_text("高リスクの相談があります")
    await expect(coordinator.locator("#alert-list li").first).to_contain_text("自殺の計画")
    await expect(coordinator.locator("#queue-rows tr.row-high .risk")).to_have_text("高")
    await coordinator.screenshot(path=screenshots / "console-coordinator-alert-1280.png")
