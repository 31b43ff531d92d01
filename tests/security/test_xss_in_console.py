"""Finding 1: text from outside (feeds, CMS pushes, upstream errors, job exceptions) never runs
as script on any console page. Real Chromium; every payload sets a sentinel global or creates
a marked element if it ever becomes markup, and the page fixture fails on any CSP violation.
"""

from __future__ import annotations

import pytest

from channel import actions, store
from tests.browser.conftest import run_jobs
from tests.browser.test_console import login
from tests.httpserver import serve
from workers import queues

pytestmark = pytest.mark.timeout(90)

PAYLOAD = ('<img src=x onerror="window.__xss=1" data-xss>'
           '<script>window.__xss=1</script>"><svg onload="window.__xss=1" data-xss>')


def _assert_inert(page, where: str) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined", where
    assert page.locator("[data-xss]").count() == 0, where
    assert page.locator("main script").count() == 0, where


def test_payloads_everywhere_stay_text_on_every_console_page(page, live_server, r, settings,
                                                             monkeypatch, tmp_path):
    from playwright.sync_api import expect

    monkeypatch.setenv("NEWSDESK_ALLOW_LOOPBACK", "1")  # the jobs' fetches reach our server
    actions.replace_categories(r, settings, [{"id": "world", "title": PAYLOAD[:60]}],
                               who="test")
    story_id, _, _ = actions.push_article(r, settings, {
        "guid": "xss-1", "title": "Headline " + PAYLOAD, "byline": "By " + PAYLOAD[:150],
        "category": "world",
        "body": f"First paragraph says {PAYLOAD} plainly.\n\nA second paragraph of the story "
                "with enough words to be a body worth summarising for the television screen."},
        who="cms")
    # An upstream error carrying markup: a redirect to a hostile "host name".
    hostile = {"/feed.xml": (302, {"Location": "http://" + PAYLOAD.replace(" ", "") + "/"}, b"")}
    with serve(hostile) as upstream:
        actions.create_source(r, {"id": "upstream", "kind": "rss", "url": upstream.url(
            "/feed.xml"), "category": "world"}, who="test")
        # A job whose exception carries markup: a folder whose path holds the payload.
        actions.create_source(r, {"id": "folder-x", "kind": "folder",
                                  "path": str(tmp_path / PAYLOAD.replace("/", "")),
                                  "category": "world"}, who="test")
        for source in ("upstream", "folder-x"):
            queues.queue(r, queues.FETCH).enqueue(  # no retries: it fails for good at once
                "workers.jobs.refresh_source", source, job_id=f"refresh-{source}")
        run_jobs(r)
    assert store.get_article(r, story_id)["status"] == "ready"
    assert store.source_state(r, "upstream").get("last_error")
    base = live_server.url
    login(page, base, "/console/preview")
    expect(page.locator(f'[data-story="{story_id}"]').first).to_contain_text("Headline <img")
    _assert_inert(page, "preview")
    pages = {
        f"/console/stories/{story_id}": "By <img",
        "/console/sources": "<img",
        "/console/jobs?status=failed": "<img",
        "/console/jobs?status=finished": "process article",
        "/console/jobs/refresh-folder-x": "Traceback",
        "/console/jobs/refresh-upstream": "<img",
        "/console/audit": "push article",
    }
    for path, visible in pages.items():
        page.goto(base + path)
        expect(page.locator("main")).to_contain_text(visible)
        page.wait_for_timeout(300)  # let the page's own script fill in everything it fetched
        _assert_inert(page, path)
    headers = page.request.get(base + "/console/jobs").headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and headers["x-content-type-options"] == "nosniff"
