"""Raise and clear a breaking alert from the console, in headless Chromium."""

from __future__ import annotations

import pytest

from tests.browser.test_console import login, published  # noqa: F401 (a fixture)

pytestmark = pytest.mark.timeout(60)
SCREENSHOT = "/tmp/newsdesk-console-breaking.png"


def test_raise_and_clear_a_breaking_alert(page, published, r, js_errors):  # noqa: F811
    from playwright.sync_api import expect

    base = published.url
    login(page, base)
    expect(page.locator("#rows .row")).not_to_have_count(0)
    banner = page.locator("#breaking")
    expect(banner).to_be_hidden()
    story_id = page.locator('[data-row="top"] .card').first.get_attribute("data-story")

    # A refused alert names the field; nothing goes on air.
    page.fill("#breaking-text", "Ferry service suspended")
    page.fill("#breaking-story", "not-an-id")
    page.click('[data-action="raise-alert"]')
    expect(page.locator("#flash")).to_contain_text("story:")
    js_errors.clear()  # the 422 is logged by the browser
    expect(banner).to_be_hidden()

    page.fill("#breaking-story", story_id)
    page.fill("#breaking-minutes", "15")
    page.click('[data-action="raise-alert"]')
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Ferry service suspended")
    expect(page.locator("#breaking-state")).to_contain_text(story_id)
    feed = page.request.get(base + "/v1/feed.json").json()
    assert feed["breaking"]["text"] == "Ferry service suspended"
    assert feed["breaking"]["storyId"] == story_id
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.click('[data-action="clear-alert"]')
    expect(banner).to_be_hidden()
    expect(page.locator("#breaking-state")).to_have_text("No breaking alert.")
    assert "breaking" not in page.request.get(base + "/v1/feed.json").json()
    page.goto(base + "/console/audit")
    expect(page.locator("#audit tbody tr").first).to_contain_text("clear breaking alert")
    expect(page.locator("#audit tbody")).to_contain_text("raise breaking alert")


def test_markup_in_an_alert_is_shown_as_text(page, published, r):  # noqa: F811
    from playwright.sync_api import expect

    base = published.url
    login(page, base)
    page.fill("#breaking-text", "<img src=x onerror=alert(1)> <b>bold</b>")
    page.click('[data-action="raise-alert"]')
    banner = page.locator("#breaking-banner-text")
    expect(banner).to_have_text("<img src=x onerror=alert(1)> <b>bold</b>")
    assert page.locator("#breaking img, #breaking b").count() == 0
