"""Sources over HTTP: conditional GET, updates, de-duplication, pages, config loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from channel import keys, schemas, store
from channel.config import Settings, read_channel_config
from channel.sources import folder, refresh, rss
from channel.sources.ids import story_id
from tests.conftest import run_worker
from tests.httpserver import serve
from tests.newsroom import load_newsroom
from workers import queues

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><guid isPermaLink="false">w-1</guid><title>{title}</title>
<description>Ministers met on Monday to agree the budget.</description>
<pubDate>Mon, 23 Nov 2026 10:00:00 +0000</pubDate></item></channel></rss>"""


@pytest.fixture
def wire(r, tmp_path, monkeypatch):
    """A local RSS upstream that honours If-None-Match; its title can be changed."""
    monkeypatch.setenv("NEWSDESK_ALLOW_LOOPBACK", "1")
    load_newsroom(r, tmp_path)
    state = {"title": "Budget agreed", "etag": '"v1"'}

    def handler(request):
        if request.headers.get("if-none-match") == state["etag"]:
            return 304, {"ETag": state["etag"]}, b""
        body = FEED.format(title=state["title"]).encode()
        return 200, {"Content-Type": "application/rss+xml", "ETag": state["etag"]}, body

    with serve({"/rss": handler}) as server:
        store.save_source(r, {"id": "http-wire", "kind": "rss", "url": server.url("/rss"),
                              "category": "world"})
        yield state, server


def test_conditional_get_costs_nothing_downstream(r, wire):
    state, server = wire
    settings = Settings.from_env()  # as the wire fixture set it: loopback allowed
    first = refresh.refresh(r, settings, store.get_source(r, "http-wire"))
    assert len(first.changed) == 1 and not first.not_modified
    second = refresh.refresh(r, settings, store.get_source(r, "http-wire"))
    assert second.not_modified and second.changed == [] and second.unchanged == 0
    assert server.requests[-1].headers["if-none-match"] == '"v1"'
    assert server.requests[-1].headers["user-agent"].startswith("Newsdesk/")


def test_changed_entry_updates_the_story_and_unchanged_is_skipped(settings, r, client, wire):
    state, _ = wire
    queues.enqueue_refresh(r, settings, "http-wire")
    run_worker(r)
    state["etag"] = '"v2"'  # the upstream changed, but not this entry: skipped without work
    job = queues.enqueue_refresh(r, settings, "http-wire")
    run_worker(r)
    assert job.return_value()["changed"] == [] and job.return_value()["unchanged"] == 1
    state.update(title="Budget agreed after all-night talks", etag='"v3"')
    job = queues.enqueue_refresh(r, settings, "http-wire")
    run_worker(r)
    changed = job.return_value()["changed"]
    assert len(changed) == 1
    detail = client.get(f"/v1/articles/{changed[0]}.json").get_json()
    assert detail["card"]["title"] == "Budget agreed after all-night talks"


def test_the_same_guid_in_two_feeds_is_two_stories():
    assert story_id("a", guid="1") != story_id("b", guid="1")
    # A GUID that is a URL names one story wherever it comes from (a feed, the CMS's push).
    assert story_id("a", guid="https://x.example/s") == story_id("push", guid="https://x.example/s")


def test_single_page_source(settings, r, client, monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSDESK_ALLOW_LOOPBACK", "1")
    load_newsroom(r, tmp_path)
    page = (b"<html lang='en'><head><title>Port strike ends</title>"
            b"<meta property='article:section' content='Europe'></head><body><article>"
            b"<h1>Port strike ends after deal on pay</h1>"
            b"<p>Dock workers ended a week-long strike on Friday after a deal on pay.</p>"
            b"<p>Ships queued outside the harbour are expected to dock over the weekend.</p>"
            b"<p>Union leaders said members voted by a large margin to accept.</p>"
            b"</article></body></html>")
    with serve({"/story": (200, {"Content-Type": "text/html", "ETag": '"p1"'}, page)}) as srv:
        store.save_source(r, {"id": "one-page", "kind": "page", "url": srv.url("/story"),
                              "category": "local"})
        job = queues.enqueue_refresh(r, settings, "one-page")
        run_worker(r)
    story = job.return_value()["changed"][0]
    card = client.get(f"/v1/articles/{story}.json").get_json()["card"]
    assert card["title"] == "Port strike ends after deal on pay"
    assert card["category"] == "world"  # the page's section "Europe" is a World alias
    assert card["summary"].startswith("Dock workers ended a week-long strike")


def test_refused_address_is_a_permanent_recorded_failure(settings, r, tmp_path):
    load_newsroom(r, tmp_path)
    store.save_source(r, {"id": "internal", "kind": "rss",
                          "url": "http://169.254.169.254/latest/meta-data", "category": "world"})
    job = queues.enqueue_refresh(r, settings, "internal")
    run_worker(r)
    assert job.get_status() == "failed"  # not retried: it would be refused again
    assert "169.254.169.254" in store.source_state(r, "internal")["last_error"]


def test_config_file_errors_name_the_field(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("provider: X\nlanguage: en\ncategories: []\nsources:\n"
                      "  - {id: a, kind: rss, url: 'ftp://x', category: world}\n")
    with pytest.raises(schemas.DocumentInvalid) as caught:
        read_channel_config(config)
    assert any(e.startswith("categories:") for e in caught.value.errors)
    assert any(e.startswith("sources/0") for e in caught.value.errors)


def test_folder_html_keeps_its_declared_charset(tmp_path):
    page = Path(__file__).parent / "fixtures" / "pages" / "cafe_cp1252.html"
    (tmp_path / "cafe.html").write_bytes(page.read_bytes())
    entry = folder.read_file({"id": "desk", "category": "local"}, tmp_path, tmp_path / "cafe.html")
    assert "Le café du port" in entry["raw"]["html"] and "\ufffd" not in entry["raw"]["html"]


def test_content_hash_tracks_what_processing_reads(tmp_path):
    """The one content hash is make_entry's: the same entry again is a skip, a change is not."""
    feed = tmp_path / "feed.xml"
    source = {"id": "wire", "kind": "rss", "path": str(feed), "category": "world"}

    def entry(title: str, date: str, image: str) -> str:
        feed.write_text(
            '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T'
            f"</title><item><title>{title}</title><guid>g</guid><pubDate>{date}</pubDate>"
            f'<media:thumbnail url="{image}"/></item></channel></rss>')
        (pending,) = rss.read(source, {}, Settings()).entries
        return pending["content_hash"]

    base = entry("A", "Tue, 10 Jun 2025 04:00:00 GMT", "https://i/1.jpg")
    assert entry("A", "Wed, 11 Jun 2025 04:00:00 GMT", "https://i/1.jpg") == base
    assert entry("B", "Tue, 10 Jun 2025 04:00:00 GMT", "https://i/1.jpg") != base
    assert entry("A", "Tue, 10 Jun 2025 04:00:00 GMT", "https://i/2.jpg") != base


def test_a_guidless_entry_keeps_its_id_whatever_tracking_its_link_carries(r, settings,
                                                                          monkeypatch):
    """A feed that decorates its links differently on every poll must not make new stories."""
    monkeypatch.setenv("NEWSDESK_ALLOW_LOOPBACK", "1")
    state = {"campaign": "morning"}

    def handler(request):
        link = f"https://news.example/world/budget?id=7&amp;utm_source={state['campaign']}#top"
        body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
                f"<item><title>Budget agreed</title><link>{link}</link>"
                f"<description>{state['campaign']} edition</description></item>"
                "</channel></rss>")
        return 200, {"Content-Type": "application/rss+xml"}, body.encode()

    with serve({"/rss": handler}) as server:
        store.save_source(r, {"id": "wire", "kind": "rss", "url": server.url("/rss"),
                              "category": "world"})
        first = refresh.refresh(r, Settings.from_env(), store.get_source(r, "wire"))
        state["campaign"] = "evening"
        second = refresh.refresh(r, Settings.from_env(), store.get_source(r, "wire"))
    assert first.changed == second.changed  # the same story, updated (its text changed)
    assert r.zcard(keys.ARTICLES) == 1
    assert first.changed == [story_id("wire", url="https://news.example/world/budget?id=7")]

