"""Every platform export of a version, through the real pipeline: valid from the first start,
the last good one kept, URLs that follow the configuration, ETag/304/gzip, and the demo's media.

Real Redis and a real RQ worker; the newsroom is tests/fixtures/newsroom (one story with video)
or the bundled demo channel (four stories with video and a live stream).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import feedparser
import orjson
import pytest

from channel import actions, keys, store
from channel.config import DEMO_DIR, Settings
from channel.feed import exports, mrss, publish
from channel.feed.publish import FeedVersion
from tests.conftest import run_worker
from tests.newsroom import load_newsroom
from workers import queues
from workers.scheduler import Scheduler

EXPORT_ROUTES = {"roku": "/v1/roku.json", "roku-search": "/v1/roku-search.json",
                 "mrss": "/v1/mrss.xml"}


def _version_problems(r) -> list[str]:
    """Every problem of every document of the live version, by the export's own checker."""
    version = FeedVersion.load(r, int(r.get(keys.FEED_CURRENT)))
    return [f"{name}: {e}" for name, doc in version.documents.items()
            for e in exports.check_document(name, doc.body)]


def _live(r) -> FeedVersion:
    return FeedVersion.load(r, int(r.get(keys.FEED_CURRENT)))


def _refresh(r, source_id: str) -> None:
    queues.enqueue_refresh(r, Settings.from_env(), source_id)
    run_worker(r)


def test_first_start_before_any_video_story_publishes_no_export(r, client, tmp_path):
    """Right after the first start only the folder story (no video) is ready: the feed goes
    live, every document in the version is valid, and each export answers a JSON 503."""
    load_newsroom(r, tmp_path)
    _refresh(r, "desk")
    assert r.get(keys.FEED_CURRENT) is not None
    assert set(_live(r).documents).isdisjoint(exports.NAMES)
    assert _version_problems(r) == []
    for route in EXPORT_ROUTES.values():
        answer = client.get(route)
        assert answer.status_code == 503, route
        assert answer.is_json and "story with video" in answer.get_json()["error"]
    assert client.get("/v1/feed.json").status_code == 200


def test_exports_go_live_with_the_first_video_and_the_last_good_one_stays(r, client, tmp_path,
                                                                          settings):
    load_newsroom(r, tmp_path)
    _refresh(r, "desk")
    _refresh(r, "wire")  # the story with video
    version = _live(r)
    assert set(exports.NAMES) <= set(version.documents)
    assert _version_problems(r) == []
    video_story = orjson.loads(client.get("/v1/roku.json").data)["shortFormVideos"][0]["id"]
    good = {name: client.get(route).headers["ETag"] for name, route in EXPORT_ROUTES.items()}

    # The only story with video is hidden: no export has anything valid to say, and a new
    # feed version is published with the last good exports carried over, still valid.
    actions.hide(r, settings, video_story, who="test")
    run_worker(r)
    assert _live(r).version > version.version
    assert _version_problems(r) == []
    for name, route in EXPORT_ROUTES.items():
        answer = client.get(route)
        assert answer.status_code == 200 and answer.headers["ETag"] == good[name], name
    assert "export not published" in orjson.loads(r.get(keys.FEED_LAST_ERROR))["reason"]


@pytest.mark.parametrize("name", sorted(EXPORT_ROUTES))
def test_each_export_has_etag_304_and_gzip(r, client, tmp_path, name):
    load_newsroom(r, tmp_path)
    queues.enqueue_refresh_all(r, Settings.from_env())
    run_worker(r)
    route = EXPORT_ROUTES[name]
    plain = client.get(route)
    assert plain.status_code == 200
    assert plain.headers["Content-Type"] == (
        "application/rss+xml; charset=utf-8" if name == "mrss" else "application/json")
    assert "max-age" in plain.headers["Cache-Control"]
    zipped = client.get(route, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    again = client.get(route, headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_mrss_parses_back_with_every_item_and_its_media(r, client, tmp_path):
    load_newsroom(r, tmp_path)
    queues.enqueue_refresh_all(r, Settings.from_env())
    run_worker(r)
    feed = orjson.loads(client.get("/v1/feed.json").data)
    with_video = {c["id"]: c for row in feed["rows"] for c in row["items"] if c.get("video")}
    parsed = feedparser.parse(client.get("/v1/mrss.xml").data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert {e.id for e in parsed.entries} == set(with_video)
    for entry in parsed.entries:
        card = with_video[entry.id]
        assert entry.title == card["title"] and entry.published
        (content,) = entry.media_content
        assert content["url"] == card["video"]["url"]
        assert content["type"] == "video/mp4" and int(content["duration"]) >= 1
        (thumb,) = entry.media_thumbnail
        assert int(thumb["width"]) >= 800 and int(thumb["height"]) >= 450
        assert thumb["url"] in {t["url"] for t in card["thumbnails"].values()}
        # feedparser folds media:title into the title and media:description into content.
        assert entry.title == card["title"]
        assert {"type": "text/plain", "value": card["summary"]}.items() \
            <= entry.content[0].items()
        assert any(t["scheme"] == "http://search.yahoo.com/mrss/category_schema"
                   for t in entry.tags)
        assert entry.media_keywords
    # media:title and friends are there as elements too (feedparser merges them).
    assert mrss.check_mrss(client.get("/v1/mrss.xml").data) == []
    assert client.get("/v1/mrss.xml").data.count(b"<media:title>") == len(with_video)


def _urls(doc) -> list[str]:
    found, stack = [], [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and node.startswith(("http://", "https://")):
            found.append(node)
    return found


def test_a_new_public_url_republishes_at_the_next_start(r, client, tmp_path, monkeypatch):
    """Restarting on another address (a port, a CDN name) publishes at once, with no story
    changed: every URL of this server in every document moves to the new base."""
    config = load_newsroom(r, tmp_path)
    store.save_channel(r, {**store.load_channel(r), "liveStream": {
        **config["liveStream"], "thumbnail": "/live/poster.jpg"}})
    queues.enqueue_refresh_all(r, Settings.from_env())
    run_worker(r)
    before = _live(r).version
    assert Scheduler(r, Settings.from_env()).follow_config() == []

    monkeypatch.setenv("NEWSDESK_PUBLIC_URL", "https://cdn.newsdesk.test")
    restarted = Settings.from_env()
    assert Scheduler(r, restarted).follow_config() == ["publicUrl"]
    run_worker(r)
    version = _live(r)
    assert version.version > before
    assert _version_problems(r) == []
    for name, document in version.documents.items():
        if name == "mrss":
            text = document.body.decode()
            assert "newsdesk.test/" not in text.replace("cdn.newsdesk.test/", ""), name
            continue
        for url in _urls(orjson.loads(document.body)):
            assert url.startswith(("https://cdn.newsdesk.test/", "https://media.test.example/")), \
                (name, url)
    feed = orjson.loads(version.documents["feed"].body)
    assert feed["liveStream"]["thumbnail"] == "https://cdn.newsdesk.test/live/poster.jpg"
    # The thumbnails themselves are served under their digest, whatever the base.
    card = feed["rows"][0]["items"][0]
    path = card["thumbnails"]["hd"]["url"].removeprefix("https://cdn.newsdesk.test")
    assert client.get(path).status_code == 200
    # The article detail (built per request from the stored card) follows too.
    from app import create_app

    moved = create_app(restarted).test_client()
    detail = moved.get(f"/v1/articles/{card['id']}.json").get_json()
    assert detail["card"]["detailUrl"].startswith("https://cdn.newsdesk.test/v1/articles/")
    assert all(u.startswith(("https://cdn.newsdesk.test/", "https://media.test.example/"))
               for u in _urls(detail["card"]))
    # Started again with the same address: nothing to do.
    assert Scheduler(r, restarted).follow_config() == []


def test_new_thumbnail_sizes_reprocess_every_story(r, tmp_path, monkeypatch):
    load_newsroom(r, tmp_path)
    queues.enqueue_refresh_all(r, Settings.from_env())
    run_worker(r)
    monkeypatch.setenv("NEWSDESK_THUMBNAIL_SIZES", "hero=1280x720,dp=800x450,sd=240x135")
    settings = Settings.from_env()
    assert Scheduler(r, settings).follow_config() == ["thumbnailSizes"]
    run_worker(r)
    feed = orjson.loads(_live(r).documents["feed"].body)
    for card in (c for row in feed["rows"] for c in row["items"]):
        assert set(card["thumbnails"]) == {"hero", "dp", "sd"}
        assert (card["thumbnails"]["sd"]["width"], card["thumbnails"]["sd"]["height"]) \
            == (240, 135)
    assert Scheduler(r, settings).follow_config() == []


# -- the bundled demo channel -----------------------------------------------------------------


def _demo(r) -> None:
    actions.load_config(r, DEMO_DIR / "channel.yaml", who="test")
    queues.enqueue_refresh_all(r, Settings.from_env())
    run_worker(r)


MEDIA_TYPES = {"video/mp4", "application/vnd.apple.mpegurl"}


def test_every_demo_media_url_plays(r, client):
    """Each video and the live stream the demo advertises answers 200 with a video or HLS
    type from this server, and so do the segments of every HLS playlist."""
    _demo(r)
    feed = orjson.loads(client.get("/v1/feed.json").data)
    media = {c["video"]["url"] for row in feed["rows"] for c in row["items"] if c.get("video")}
    assert len(media) == 4
    media.add(feed["liveStream"]["url"])
    base = "http://newsdesk.test"
    for url in sorted(media):
        assert url.startswith(base + "/demo/"), url
        answer = client.get(url.removeprefix(base))
        assert answer.status_code == 200, url
        assert answer.headers["Content-Type"].split(";")[0] in MEDIA_TYPES, url
        if url.endswith(".m3u8"):
            text = answer.data.decode()
            assert text.startswith("#EXTM3U") and "#EXT-X-ENDLIST" in text
            folder = url.removeprefix(base).rsplit("/", 1)[0]
            segments = [line for line in text.splitlines() if line and not line.startswith("#")]
            assert len(segments) >= 2
            for segment in segments:
                part = client.get(f"{folder}/{segment}")
                assert part.status_code == 200
                assert part.headers["Content-Type"] == "video/mp2t"
                assert part.data[0] == 0x47  # an MPEG-TS sync byte
        else:
            assert answer.data[4:8] == b"ftyp"  # an MP4, not a placeholder
    poster = client.get(feed["liveStream"]["thumbnail"].removeprefix(base))
    assert poster.status_code == 200 and poster.headers["Content-Type"] == "image/jpeg"


def test_demo_media_is_small_and_only_media_is_served(client):
    total = sum(p.stat().st_size for d in ("media", "live")
                for p in (DEMO_DIR / d).rglob("*") if p.is_file())
    assert total < 1_000_000
    for path in ("/demo/media/../channel.yaml", "/demo/media/%2e%2e/channel.yaml",
                 "/demo/live/nothing.mp4", "/demo/media/probe/index.txt"):
        answer = client.get(path)
        assert answer.status_code == 404 and answer.is_json, path


def test_demo_exports_are_valid_and_descriptions_are_not_headlines(r, client):
    _demo(r)
    assert _version_problems(r) == []
    roku = orjson.loads(client.get("/v1/roku.json").data)
    assert len(roku["shortFormVideos"]) == 4 and len(roku["liveFeeds"]) == 1
    assert roku["liveFeeds"][0]["thumbnail"].endswith("/demo/live/poster.jpg")
    for item in roku["shortFormVideos"]:
        assert item["shortDescription"] != item["title"]
        assert len(item["shortDescription"]) <= 200
        long = item.get("longDescription")
        assert long and len(long) > len(item["shortDescription"]) and len(long) <= 500
    search = orjson.loads(client.get("/v1/roku-search.json").data)
    assert {a["id"] for a in search["assets"]} == {v["id"] for v in roku["shortFormVideos"]}


def test_demo_media_paths_follow_the_configured_port(r, client, monkeypatch):
    """The demo's videos were written for port 8000; started on another port they follow."""
    monkeypatch.setenv("NEWSDESK_PUBLIC_URL", "http://127.0.0.1:8123")
    _demo(r)
    feed = orjson.loads(client.get("/v1/feed.json").data)
    urls = [c["video"]["url"] for row in feed["rows"] for c in row["items"] if c.get("video")]
    assert urls and all(u.startswith("http://127.0.0.1:8123/demo/media/") for u in urls)
    assert feed["liveStream"]["url"] == "http://127.0.0.1:8123/demo/live/index.m3u8"


def test_check_document_names_problems(tmp_path: Path):
    assert exports.check_document("mrss", b"<rss") != []
    assert exports.check_document("roku-search", b"{}") != []
    assert exports.check_document("roku", orjson.dumps({"providerName": "x"})) != []
    assert publish.FEED == "feed"


def test_thumbnail_sizes_setting_is_checked(monkeypatch):
    monkeypatch.setenv("NEWSDESK_THUMBNAIL_SIZES", "hero=1280x720, hd=320x180")
    assert Settings.from_env().sizes() == {"hero": (1280, 720), "hd": (320, 180)}
    monkeypatch.setenv("NEWSDESK_THUMBNAIL_SIZES", "hero=1280by720")
    with pytest.raises(ValueError, match="NEWSDESK_THUMBNAIL_SIZES: 'hero=1280by720'"):
        Settings.from_env()
