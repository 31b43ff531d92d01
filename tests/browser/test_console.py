"""The console in headless Chromium: log in, see the preview rows, queue a refresh, pull a story.

Jobs the page queues are run by a real RQ worker in the test (run_jobs, in-process), as in the
other tests; the page finds out the way it does in production, by polling /v1/ops and the feed.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import run_jobs
from tests.conftest import TOKEN
from tests.newsroom import load_newsroom
from workers import queues

pytestmark = pytest.mark.timeout(60)
SCREENSHOT = "/tmp/newsdesk-console-preview.png"


@pytest.fixture
def published(settings, r, live_server, tmp_path):
    """The test newsroom refreshed, processed and published (thumbnails on the live server)."""
    load_newsroom(r, tmp_path)
    queues.enqueue_refresh_all(r, settings)
    run_jobs(r)
    return live_server


def login(page, base: str, target: str = "/console/preview") -> None:
    page.goto(base + target)
    assert "/console/login" in page.url  # no session yet: sent to the login page
    page.fill("#token", TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(base + target) + r"$"))


def test_log_in_see_the_rows_and_pull_a_story(page, published, r, js_errors):
    from playwright.sync_api import expect

    base = published.url
    page.goto(base + "/console/login")
    page.fill("#token", "not-the-token")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    assert js_errors == ["console: Failed to load resource: the server responded with a status "
                         "of 401 (UNAUTHORIZED)"]  # the refused login's page
    js_errors.clear()
    login(page, base)

    rows = page.locator("#rows .row")
    expect(rows).to_have_count(3)
    assert [rows.nth(i).get_attribute("data-row") for i in range(3)] == ["top", "world", "local"]
    top_cards = page.locator('[data-row="top"] .card')
    expect(top_cards).to_have_count(4)
    feed = page.request.get(base + "/v1/feed.json").json()
    first = feed["rows"][0]["items"][0]
    card = page.locator(f'[data-row="top"] [data-story="{first["id"]}"]')
    expect(card.locator(".headline")).to_have_text(first["title"])
    expect(card.locator(".ticker")).to_have_text(first["ticker"])
    # The placeholder colour is the frame's background; the image fades in once loaded.
    red, green, blue = (int(first["placeholderColor"][i:i + 2], 16) for i in (1, 3, 5))
    expect(card.locator(".poster")).to_have_css("background-color", f"rgb({red}, {green}, {blue})")
    expect(card.locator(".poster")).to_have_class(re.compile(r"\bloaded\b"))
    width = card.locator(".poster").bounding_box()
    assert abs(width["width"] / width["height"] - 16 / 9) < 0.02
    expect(page.locator("#crawl")).to_contain_text(first["ticker"])
    page.screenshot(path=SCREENSHOT, full_page=True)

    victim = feed["rows"][1]["items"][0]  # a world story: it is in Top stories and World
    assert len(page.locator(f'#rows [data-story="{victim["id"]}"]').all()) == 2
    page.locator(f'[data-row="world"] [data-story="{victim["id"]}"] [data-action="pull"]').click()
    expect(page.locator("#tray [data-job]")).to_have_count(1)  # the publish it queued
    run_jobs(r)
    expect(page.locator(f'#rows [data-story="{victim["id"]}"]')).to_have_count(0)
    expect(page.locator("#tray [data-job-status]")).to_have_text("finished")
    expect(page.locator(f'#off-air [data-story="{victim["id"]}"]')).to_contain_text("pulled")
    assert int(page.locator("#screen").get_attribute("data-version")) > feed["version"]
    assert page.request.get(f"{base}/v1/articles/{victim['id']}.json").status == 404


def test_queue_refreshes_from_the_sources_page(page, live_server, r, tmp_path):
    from playwright.sync_api import expect

    base = live_server.url
    load_newsroom(r, tmp_path)
    login(page, base, "/console/sources")
    desk = page.locator('#sources tr[data-source="desk"]')
    expect(desk).to_contain_text("never refreshed")
    expect(page.locator('#sources tr[data-source="wire"]')).to_be_visible()
    desk.locator("[data-refresh]").click()
    tray = page.locator('#tray [data-job="refresh-desk"]')
    expect(tray).to_contain_text("queued")
    page.get_by_role("button", name="Refresh everything").click()
    expect(page.locator('#tray [data-job="refresh-all"]')).to_contain_text("queued")
    page.goto(base + "/console/jobs?status=queued")
    expect(page.locator('#jobs tr[data-job="refresh-desk"]')).to_be_visible()
    page.goto(base + "/console/sources")
    desk.locator("[data-refresh]").click()  # the same queued job: refreshes are de-duplicated
    expect(page.locator("#tray [data-job]")).to_have_count(1)
    run_jobs(r)
    expect(page.locator('#tray [data-job="refresh-desk"] [data-job-status]')).to_have_text(
        "finished")
    expect(desk).to_contain_text("healthy")
    page.goto(base + "/console/preview")
    expect(page.locator("#rows .row")).not_to_have_count(0)


def test_story_detail_pin_and_the_audit_log(page, published, r):
    from playwright.sync_api import expect

    base = published.url
    login(page, base)
    local = page.locator('[data-row="local"] .card').first
    story_id = local.get_attribute("data-story")
    title = local.locator(".headline").inner_text()
    local.locator(".card-link").click()
    page.wait_for_url(f"{base}/console/stories/{story_id}")
    detail = page.locator("#detail")
    expect(detail.locator("h1")).to_have_text(title)
    assert detail.locator(".detail-text > p").count() > 3  # summary, ticker and the body
    expect(page.locator("#story-state")).to_contain_text("ready")
    page.locator('#story-actions [data-action="pin"]').click()
    expect(page.locator("#story-state")).to_contain_text("pinned (0)")
    run_jobs(r)
    page.goto(base + "/console/preview")
    expect(page.locator('[data-row="local"] .card').first.locator(".badge")).to_have_text("Pinned")
    expect(page.locator('[data-row="top"] .card').first).to_have_attribute("data-story", story_id)
    page.goto(base + "/console/audit")
    first = page.locator("#audit tbody tr").first
    expect(first).to_contain_text("pin")
    expect(first).to_contain_text(story_id)
    expect(page.locator("#audit tbody")).to_contain_text("console login")


def test_a_failed_job_is_retried_from_the_jobs_page(page, live_server, r, tmp_path):
    from playwright.sync_api import expect

    from channel import store

    base = live_server.url
    missing = tmp_path / "missing"
    store.save_source(r, {"id": "gone", "kind": "folder", "path": str(missing),
                          "category": "world"})
    # A refresh that has used up its retries: queued without any, so it fails for good at once.
    queues.queue(r, queues.FETCH).enqueue("workers.jobs.refresh_source", "gone",
                                          job_id="refresh-gone", description="refresh gone")
    run_jobs(r)
    login(page, base, "/console/jobs")
    failed = page.locator('#jobs tr[data-job="refresh-gone"]')
    expect(failed).to_contain_text("does not exist")
    fetch = page.locator('#queues tr[data-queue="fetch"]')
    expect(fetch.locator("td").nth(4)).to_have_text("1")  # failed
    expect(page.locator("#workers")).to_contain_text("No worker is running")
    failed.get_by_role("link", name="refresh gone").click()
    page.wait_for_url(f"{base}/console/jobs/refresh-gone")
    expect(page.locator("#job-traceback")).to_contain_text("Traceback")
    expect(page.locator("#job-fields")).to_contain_text("does not exist")
    page.go_back()
    missing.mkdir()
    failed.locator("[data-retry]").click()
    expect(page.locator('#tray [data-job="refresh-gone"]')).to_contain_text("queued")
    expect(page.locator('#jobs tr[data-job="refresh-gone"]')).to_have_count(0)  # not failed now
    run_jobs(r)
    expect(page.locator('#tray [data-job="refresh-gone"] [data-job-status]')).to_have_text(
        "finished")
    page.goto(base + "/console/audit")
    expect(page.locator("#audit tbody tr").first).to_contain_text("retry job")
