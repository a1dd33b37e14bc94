"""The person's web chat in a real browser (Chromium, a 390 px wide phone screen)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from browser_support import PHONE, LiveServer, open_page
from playwright.async_api import expect


async def open_chat(browser: Any, live_server: LiveServer, errors: list[str]) -> tuple[Any, Any]:
    page = await open_page(
        browser, errors, live_server.url + "/", viewport=PHONE, device_scale_factor=2
    )
    await expect(page.locator("#log")).to_contain_text("こんにちは")
    return page.context, page


async def tap(page: Any, label: str) -> None:
    await page.locator("#choices").get_by_role("button", name=label, exact=True).click()


async def test_taps_lead_to_cards_with_a_phone_link_and_a_reload_keeps_both_sides(
    browser: Any, live_server: LiveServer, screenshots: Path, page_errors: list[str]
) -> None:
    context, page = await open_chat(browser, live_server, page_errors)
    log = page.locator("#log")
    await expect(log).to_contain_text("110番（警察）か119番（救急）")
    await expect(page.locator('header a[href="tel:110"]')).to_be_visible()
    await expect(page.locator('header a[href="tel:119"]')).to_be_visible()
    await page.screenshot(path=screenshots / "webchat-greeting-390.png")

    for label in ("相談先をさがす", "19〜29歳", "ひとりぼっち・孤独", "電話"):
        await tap(page, label)
    cards = page.locator("#log .cards .card")
    await expect(cards.first).to_be_visible()
    phone_links = page.locator('#log .card a[href^="tel:"]')
    await expect(phone_links.first).to_be_visible()
    assert (await phone_links.first.get_attribute("href") or "")[4:].isdigit()
    shown = await cards.count()
    # Regression: the card row (a horizontal scroller) was squeezed to a sliver in the log.
    row = await page.locator("#log .cards").last.bounding_box()
    card = await cards.first.bounding_box()
    assert row and card and row["height"] >= card["height"] > 100
    assert 1 <= shown <= 5
    # The page fits the phone: nothing wider than the screen but the swipeable card row.
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await cards.first.scroll_into_view_if_needed()
    await page.screenshot(path=screenshots / "webchat-results-390.png")

    await page.reload()
    await expect(page.locator("#log .cards .card").first).to_be_visible()
    await expect(page.locator("#log")).to_contain_text("こんにちは")
    assert await page.locator("#log .cards .card").count() == shown
    # Both sides come back: the person's own taps too, in their places, none left pending.
    mine = page.locator("#log .msg.me")
    await expect(mine).to_have_count(4)
    await expect(mine.nth(2)).to_have_text("ひとりぼっち・孤独")
    assert await page.locator("#log .msg.me.pending").count() == 0
    await context.close()


async def test_enter_that_confirms_a_japanese_conversion_does_not_send(
    browser: Any, live_server: LiveServer, page_errors: list[str]
) -> None:
    context, page = await open_chat(browser, live_server, page_errors)
    box = page.locator("#input")
    await box.click()
    ime = await context.new_cdp_session(page)
    # An IME converting: Enter here confirms the conversion (isComposing), it must not send.
    await ime.send(
        "Input.imeSetComposition", {"text": "ねむれない", "selectionStart": 5, "selectionEnd": 5}
    )
    await page.keyboard.press("Enter")
    await ime.send("Input.insertText", {"text": "眠れない"})  # the conversion is confirmed
    assert await page.locator("#log .msg.me").count() == 0
    await page.keyboard.press("Enter")  # now it sends, once

    mine = page.locator("#log .msg.me")
    await expect(mine).to_have_count(1)
    await expect(mine).to_have_text("眠れない")
    await expect(page.locator("#log .msg.me.pending")).to_have_count(0)  # acknowledged
    await expect(box).to_have_value("")
    await page.wait_for_timeout(300)  # a second send would have shown by now
    await expect(mine).to_have_count(1)
    await context.close()
