"""The whole path: a source refresh through a real RQ worker to the feed TVs poll."""

from __future__ import annotations

import gzip
import io

import orjson
from PIL import Image

from channel import keys, schemas, store
from channel.config import Settings
from channel.process import thumbnails_or_title_card
from tests.conftest import run_worker
from tests.newsroom import load_newsroom
from workers import queues


def _refresh_everything(r) -> None:
    queues.enqueue_refresh_all(r, Settings.from_env())
    run_worker(r)


def test_refresh_to_feed_200_and_304(r, client, tmp_path):
    load_newsroom(r, tmp_path)
    _refresh_everything(r)

    response = client.get("/v1/feed.json")
    assert response.status_code == 200
    doc = orjson.loads(response.data)
    schemas.validate("channel-feed", doc)
    assert doc["provider"] == "Test Channel"
    assert doc["rows"][0]["id"] == "top"
    assert [row["id"] for row in doc["rows"][1:]] == ["world", "local"]
    titles = {c["title"] for row in doc["rows"] for c in row["items"]}
    assert "River levels fall after a week of floods" in titles
    assert "City library opens its doors at night" in titles
    assert doc["liveStream"]["url"] == "http://newsdesk.test/live/index.m3u8"
    etag = response.headers["ETag"]
    assert "max-age=" in response.headers["Cache-Control"]
    assert "stale-if-error" in response.headers["Cache-Control"]

    again = client.get("/v1/feed.json", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""

    zipped = client.get("/v1/feed.json", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == response.data


def test_every_card_has_thumbnails_detail_and_video(r, client, tmp_path):
    load_newsroom(r, tmp_path)
    _refresh_everything(r)
    doc = orjson.loads(client.get("/v1/feed.json").data)
    cards = {c["id"]: c for row in doc["rows"] for c in row["items"]}
    assert len(cards) == 4
    for card in cards.values():
        assert len(card["summary"]) <= 300 and len(card["ticker"]) <= 110
        hero = card["thumbnails"]["hero"]
        assert (hero["width"], hero["height"]) == (1280, 720)
        image = client.get(hero["url"].removeprefix("http://newsdesk.test"))
        assert image.status_code == 200 and image.data[:2] == b"\xff\xd8"
        assert "immutable" in image.headers["Cache-Control"]
        detail = client.get(card["detailUrl"].removeprefix("http://newsdesk.test"))
        assert detail.status_code == 200
        schemas.validate("article-detail", orjson.loads(detail.data))
    river = next(c for c in cards.values() if c["title"].startswith("River levels"))
    assert river["video"] == {"url": "https://media.test.example/rivers.mp4", "videoType": "MP4"}
    assert river["category"] == "world"


def test_seed_shaped_page_becomes_a_clean_story(r, client, tmp_path):
    load_newsroom(r, tmp_path)
    _refresh_everything(r)
    doc = orjson.loads(client.get("/v1/feed.json").data)
    ferry = next(c for row in doc["rows"] for c in row["items"] if "ferry" in c["title"].lower())
    assert ferry["title"] == "‘Not negotiable’: Baltic ferry operators reject new port levy"
    assert ferry["category"] == "world"  # the breadcrumb "News / EU" maps onto World
    assert ferry["summary"].startswith("Ferry operators across the Baltic have rejected")
    detail = orjson.loads(client.get(f"/v1/articles/{ferry['id']}.json").data)
    body = "\n".join(detail["paragraphs"])
    assert detail["paragraphs"][0].startswith("Ferry operators across the Baltic")
    for debris in ("News   /   EU", "Photo by", "alternate addresses", "www.testchannel",
                   "SHARE THIS ARTICLE", "Test Channel News Roku"):
        assert debris not in body
    assert store.get_article(r, ferry["id"])["section"] == "EU"


def test_unchanged_refresh_queues_no_processing(settings, r, tmp_path):
    load_newsroom(r, tmp_path)
    _refresh_everything(r)
    job = queues.enqueue_refresh(r, settings, "desk")
    run_worker(r)
    assert job.return_value()["changed"] == []
    assert job.return_value()["unchanged"] == 2


def test_changed_article_is_reprocessed(settings, r, client, tmp_path):
    config = load_newsroom(r, tmp_path)
    _refresh_everything(r)
    path = tmp_path / "newsroom" / "articles" / "02-library.json"
    doc = orjson.loads(path.read_bytes())
    doc["title"] = "City library will open at night"
    path.write_bytes(orjson.dumps(doc))
    job = queues.enqueue_refresh(r, settings, "desk")
    run_worker(r)
    assert len(job.return_value()["changed"]) == 1
    feed = orjson.loads(client.get("/v1/feed.json").data)
    titles = {c["title"] for row in feed["rows"] for c in row["items"]}
    assert "City library will open at night" in titles
    assert "City library opens its doors at night" not in titles
    assert config["provider"] == "Test Channel"


def test_invalid_build_is_never_published(r, client, tmp_path, settings):
    from channel.feed import publish

    load_newsroom(r, tmp_path)
    _refresh_everything(r)
    live = client.get("/v1/feed.json")
    version = int(r.get(keys.FEED_CURRENT))
    # A card that breaks the contract (summary over 300 characters) sneaks into the store.
    some_id = next(iter(r.hkeys(keys.CARDS))).decode()
    card = orjson.loads(r.hget(keys.CARDS, some_id))
    card["summary"] = "x" * 400
    r.hset(keys.CARDS, some_id, orjson.dumps(card))
    try:
        publish.publish(r, settings)
        raise AssertionError("an invalid feed was published")
    except publish.PublishRefused as exc:
        assert "summary" in str(exc)
    assert int(r.get(keys.FEED_CURRENT)) == version
    assert b"summary" in r.get(keys.FEED_LAST_ERROR)
    served = client.get("/v1/feed.json")
    assert served.status_code == 200 and served.data == live.data


def test_feed_is_503_before_first_publish(client):
    response = client.get("/v1/feed.json")
    assert response.status_code == 503
    assert response.get_json()["error"] == "no feed has been published yet"


def test_a_burst_of_ready_stories_makes_one_publish(r, tmp_path, settings):
    """Stories that become ready while a publish waits for quiet all go into that one publish."""
    import threading
    import time

    from channel import process

    load_newsroom(r, tmp_path)
    queues.enqueue_refresh_all(r, settings)
    fetch_only = queues.queue(r, queues.FETCH)
    from rq import SimpleWorker

    SimpleWorker([fetch_only], connection=r).work(burst=True)
    pending = queues.queue(r, queues.PROCESS).get_job_ids()
    assert len(pending) == 4
    queues.queue(r, queues.PROCESS).empty()

    def ready_them_slowly():
        for job_id in pending:
            process.process_article(r, settings, job_id.removeprefix("process-"))
            queues.request_publish(r, settings)
            time.sleep(0.05)

    r.set(keys.LAST_READY, time.time())
    queues.request_publish(r, settings)
    helper = threading.Thread(target=ready_them_slowly)
    helper.start()
    run_worker(r)
    helper.join()
    run_worker(r)
    publishes = queues.queue(r, queues.PUBLISH).finished_job_registry.get_job_ids()
    doc = orjson.loads(r.hget(keys.feed_version(int(r.get(keys.FEED_CURRENT))), "feed.json"))
    assert sum(len(row["items"]) for row in doc["rows"][1:]) == 4
    assert len(publishes) <= 2, publishes


def test_thumbnails_or_title_card_always_gives_a_picture() -> None:
    tset, reason = thumbnails_or_title_card(b"<html>oops</html>", "Headline", "World")
    assert tset.kind == "titlecard" and "looks like HTML" in (reason or "")
    tset, reason = thumbnails_or_title_card(None, "Headline", "World")
    assert tset.kind == "titlecard" and reason == "no image"
    png = io.BytesIO()
    Image.new("RGB", (1280, 720), (220, 30, 30)).save(png, "PNG")
    tset, reason = thumbnails_or_title_card(png.getvalue(), "H", "W")
    assert tset.kind == "image" and reason is None and tset.crop_box == (0, 0, 1280, 720)
