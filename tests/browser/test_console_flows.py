"""Console flows in headless Chromium: sources (add, try, edit, disable, enable, delete, with
field-named errors), searching stories, and a story's versions with splitting a wrong match."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LiveServer, run_jobs
from tests.browser.test_console import login
from tests.conftest import TOKEN
from tests.newsroom import load_newsroom
from workers import queues

pytestmark = pytest.mark.timeout(90)
SOURCES_SHOT = "/tmp/newsdesk-console-sources.png"
STORIES_SHOT = "/tmp/newsdesk-console-stories.png"
VERSIONS_SHOT = "/tmp/newsdesk-console-versions.png"
ERRORS_SHOT = "/tmp/newsdesk-console-source-errors.png"


@pytest.fixture
def local_server(settings, r, tmp_path, monkeypatch):
    """The live app with local sources allowed under tmp_path, the test newsroom loaded."""
    monkeypatch.setenv("NEWSDESK_LOCAL_ROOTS", str(tmp_path))
    load_newsroom(r, tmp_path)
    server = LiveServer(monkeypatch)
    yield server
    server.stop()


@pytest.fixture
def page_on(browser, local_server, js_errors):
    """As tests/browser/conftest.py's page fixture, on local_server."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    origin = local_server.url + "/"
    context.route("**/*", lambda route: route.continue_()
                  if route.request.url.startswith(origin) else route.abort())
    tab = context.new_page()
    tab.on("pageerror", lambda exc: js_errors.append(f"page error: {exc}"))
    tab.on("console", lambda msg: js_errors.append(f"console: {msg.text}")
           if msg.type == "error" else None)
    tab.on("dialog", lambda dialog: dialog.accept())
    yield tab
    context.close()
    assert [e for e in js_errors if "status of 4" not in e] == []  # refusals are on purpose


def test_sources_add_try_edit_disable_enable_delete(page_on, local_server, r, tmp_path):
    from playwright.sync_api import expect

    page, base = page_on, local_server.url
    login(page, base, "/console/sources")
    form = page.locator("#source-form")
    feed = str(tmp_path / "newsroom" / "rss" / "feed.xml")
    form.locator('[name="id"]').fill("city-wire")
    form.locator('[name="kind"]').select_option("rss")
    form.locator('[name="url"]').fill("ftp://example.org/feed.xml")
    form.locator('[name="category"]').fill("world")
    form.locator('[name="interval"]').fill("5")
    page.click('[data-action="save-source"]')
    expect(page.locator('[data-error-for="interval"]')).to_contain_text("minimum of 30")
    expect(page.locator('[data-error-for="url"]')).to_contain_text("does not match")
    assert r.get("nd:source:city-wire") is None
    page.locator("#source-editor").screenshot(path=ERRORS_SHOT)

    form.locator('[name="url"]').fill("")
    form.locator('[name="path"]').fill(feed)
    form.locator('[name="interval"]').fill("120")
    page.click('[data-action="try-source"]')
    results = page.locator("#try-entries li")
    expect(results.first).to_be_visible()
    assert results.count() >= 1
    expect(results.first.locator(".try-summary")).not_to_be_empty()
    expect(results.first.locator(".try-ticker")).to_contain_text("Ticker:")
    expect(results.first.locator(".try-image")).to_contain_text("Image:")
    expect(page.locator('[data-error-for="interval"]')).to_have_text("")
    assert r.get("nd:source:city-wire") is None  # trying stores nothing
    page.screenshot(path=SOURCES_SHOT, full_page=True)

    page.click('[data-action="save-source"]')
    row = page.locator('#sources tr[data-source="city-wire"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("never refreshed")

    row.locator('[data-action="edit"]').click()
    expect(page.locator("#source-form-title")).to_have_text("Edit city-wire")
    form.locator('[name="category"]').fill("nope!")
    page.click('[data-action="save-source"]')
    expect(page.locator('[data-error-for="category"]')).to_contain_text("does not match")
    form.locator('[name="category"]').fill("local")
    page.click('[data-action="save-source"]')
    expect(row.locator("td").nth(2)).to_have_text("local")

    row.locator('[data-action="disable"]').click()
    expect(row).to_contain_text("disabled")
    row.locator('[data-action="enable"]').click()
    expect(row).to_contain_text("never refreshed")
    row.locator('[data-action="delete"]').click()
    expect(row).to_have_count(0)
    assert r.get("nd:source:city-wire") is None
    page.goto(base + "/console/audit")
    audit = page.locator("#audit tbody")
    for action in ("create source", "update source", "delete source"):
        expect(audit).to_contain_text(action)


def test_search_stories(page_on, local_server, r, settings):
    from playwright.sync_api import expect

    queues.enqueue_refresh_all(r, settings)
    run_jobs(r)
    page, base = page_on, local_server.url
    login(page, base, "/console/stories")
    expect(page.locator("#stories tbody tr")).not_to_have_count(0)
    page.fill("#story-query", "library")
    page.click("#story-search button[type=submit]")
    expect(page.locator("#story-count")).to_have_text("1 story matches “library”")
    rows = page.locator("#stories tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("library")
    assert page.url.endswith("?q=library")
    page.screenshot(path=STORIES_SHOT, full_page=True)
    page.fill("#story-query", "no such words at all")
    page.click("#story-search button[type=submit]")
    expect(rows).to_have_count(0)
    page.goto(base + "/console/stories?q=ferry")
    expect(page.locator("#stories tbody tr").first).to_contain_text(re.compile("ferry", re.I))


def test_versions_and_splitting_a_wrong_match(page_on, local_server, r, settings):
    from playwright.sync_api import expect

    from tests.test_dedup import wire_story

    queues.enqueue_refresh_all(r, settings)
    run_jobs(r)
    page, base = page_on, local_server.url
    wire = wire_story(r)
    paragraphs = ["Our correspondent reports: " + wire["paragraphs"][0], *wire["paragraphs"][1:]]
    pushed = page.request.post(base + "/v1/ops/articles", headers={
        "Authorization": f"Bearer {TOKEN}"}, data={
        "guid": "own-1", "title": "Our own take: " + wire["title"], "category": "local",
        "body": "\n\n".join(paragraphs)})
    assert pushed.status == 202
    own = pushed.json()["story"]
    run_jobs(r)
    login(page, base, f"/console/stories/{own}")
    expect(page.locator("#versions-state")).to_contain_text("This version leads")
    version = page.locator(f'#versions [data-version="{wire["id"]}"]')
    expect(version).to_contain_text("from wire")
    expect(page.locator("#detail .also-from")).to_contain_text("wire")
    page.screenshot(path=VERSIONS_SHOT, full_page=True)

    page.goto(base + f"/console/stories/{wire['id']}")
    expect(page.locator("#versions-state")).to_contain_text("Another version leads")
    expect(page.locator(f'#versions [data-version="{own}"] .leads')).to_have_text("leads")

    page.goto(base + f"/console/stories/{own}")
    version.locator('[data-action="split"]').click()
    expect(page.locator("#versions-state")).to_contain_text("No other source")
    run_jobs(r)
    feed = page.request.get(base + "/v1/feed.json").json()
    shown = {c["id"] for row in feed["rows"] for c in row["items"]}
    assert {own, wire["id"]} <= shown
