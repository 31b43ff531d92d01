"""The feed contract: valid documents, variants, budget, atomic switch, Redis down, editorial."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import orjson
import pytest

from channel import keys, schemas, store
from channel.config import Settings
from channel.feed import publish
from channel.feed.build import FEED_BUDGET, build_feed
from channel.sources.ids import stable_id
from tests.conftest import run_worker
from tests.newsroom import load_newsroom
from workers import queues

BASE = "http://newsdesk.test"


def _ready_newsroom(r, tmp_path: Path) -> None:
    load_newsroom(r, tmp_path)
    queues.enqueue_refresh_all(r, Settings.from_env())
    run_worker(r)


def _cards(client, path="/v1/feed.json"):
    doc = orjson.loads(client.get(path).data)
    return doc, [c for row in doc["rows"] for c in row["items"]]


def _synthetic_cards(r, count: int, category: str = "world", summary_len: int = 280) -> None:
    """Ready stories written straight into the store, as processing would leave them."""
    store.save_categories(r, [{"id": category, "title": category.title()}])
    with r.pipeline() as p:
        for n in range(count):
            story = stable_id(f"synthetic-{n}")
            card = {
                "id": story, "title": f"Story number {n}",
                "summary": "Words. " * (summary_len // 7),
                "ticker": f"Story number {n}", "publishedAt": f"2026-11-{1 + n % 27:02d}T10:00:00Z",
                "category": category, "tags": ["news", "test"],
                "thumbnails": {s: {"url": f"{BASE}/v1/thumbnails/{'0' * 32}.jpg", "width": w,
                                   "height": h}
                               for s, (w, h) in {"hero": (1280, 720), "hd": (320, 180)}.items()},
                "placeholderColor": "#123456", "detailUrl": f"{BASE}/v1/articles/{story}.json",
            }
            p.hset(keys.CARDS, story, orjson.dumps(card))
            p.zadd(keys.category_index(category), {story: n})
        p.execute()


def test_every_document_of_a_version_is_valid(r, client, tmp_path):
    _ready_newsroom(r, tmp_path)
    feed, cards = _cards(client)
    schemas.validate("channel-feed", feed)
    for row in feed["rows"][1:]:
        category = client.get(f"/v1/categories/{row['id']}.json")
        assert category.status_code == 200
        doc = orjson.loads(category.data)
        schemas.validate("channel-feed", doc)
        assert [r_["id"] for r_ in doc["rows"]] == [row["id"]]
    roku = client.get("/v1/roku.json")
    assert roku.status_code == 200
    export = orjson.loads(roku.data)
    schemas.validate("roku-direct-publisher", export)
    assert export["shortFormVideos"] and export["liveFeeds"]
    assert all(v["content"]["videos"][0]["url"].startswith("http") for v in
               export["shortFormVideos"])
    for card in cards:
        detail = client.get(f"/v1/articles/{card['id']}.json")
        schemas.validate("article-detail", orjson.loads(detail.data))


def test_low_end_variants_are_prebuilt(r, client, tmp_path):
    _ready_newsroom(r, tmp_path)
    small = client.get("/v1/feed.json?items=5&thumb=hd")
    assert small.status_code == 200
    doc = orjson.loads(small.data)
    schemas.validate("channel-feed", doc)
    for row in doc["rows"]:
        assert len(row["items"]) <= 5
        assert all(set(c["thumbnails"]) == {"hd"} for c in row["items"])
    assert client.get("/v1/feed.json?items=7").status_code == 400
    assert client.get("/v1/feed.json?thumb=huge").status_code == 404
    assert client.get("/v1/feed.json?colour=red").status_code == 400
    etag = small.headers["ETag"]
    assert client.get("/v1/feed.json?items=5&thumb=hd",
                      headers={"If-None-Match": etag}).status_code == 304


def test_feed_is_trimmed_to_the_budget_never_broken(r, settings):
    _synthetic_cards(r, 3000, summary_len=280)
    big = Settings(**{**settings.__dict__, "items_per_row": 3000})
    doc, body = build_feed(r, big, version=1)
    assert len(body) <= FEED_BUDGET
    assert orjson.loads(body) == doc
    schemas.validate("channel-feed", doc)
    assert 100 < len(doc["rows"][1]["items"]) < 3000


def test_atomic_switch_under_concurrent_reads(r, app, settings, tmp_path):
    _ready_newsroom(r, tmp_path)
    errors: list[str] = []
    stop = threading.Event()

    def poll():
        client = app.test_client()
        while not stop.is_set():
            response = client.get("/v1/feed.json")
            doc = orjson.loads(response.data)
            if response.headers["X-Feed-Version"] != str(doc["version"]):
                errors.append("version header and body disagree")
            if schemas.errors("channel-feed", doc):
                errors.append("invalid document served")

    pollers = [threading.Thread(target=poll) for _ in range(4)]
    for t in pollers:
        t.start()
    try:
        for n in range(15):
            editorial_ids = [k.decode() for k in r.hkeys(keys.CARDS)]
            r.zadd(keys.PINS, {editorial_ids[n % len(editorial_ids)]: n})  # a real change
            publish.publish(r, settings)
    finally:
        stop.set()
        for t in pollers:
            t.join()
    assert not errors, errors[:3]
    assert int(r.get(keys.FEED_CURRENT)) > 15
    assert r.llen(keys.FEED_VERSIONS) == settings.feed_versions_kept


def test_a_lock_left_by_a_dead_publisher_delays_publishing_by_its_ttl_only(r, settings, tmp_path,
                                                                          monkeypatch):
    """A worker killed mid-publish, or Redis restarting with the lock key saved, leaves the lock
    held by nobody. The next publish waits for it to expire, not for minutes."""
    _ready_newsroom(r, tmp_path)
    before = int(r.get(keys.FEED_CURRENT))
    monkeypatch.setattr(publish, "LOCK_TTL", 1)
    assert publish.publish_lock(r).acquire(blocking=False)  # and its holder dies
    r.zadd(keys.PINS, {r.hkeys(keys.CARDS)[0].decode(): 1})  # a real change to publish
    started = time.monotonic()
    assert publish.publish(r, settings) > before
    assert 0.5 < time.monotonic() - started < 1 + 3


def test_a_publish_that_finishes_late_never_puts_an_older_version_live(r, settings, tmp_path):
    _ready_newsroom(r, tmp_path)
    late = int(r.incr(keys.FEED_SEQ))  # a slow publish numbered its version, then stalled
    r.zadd(keys.PINS, {r.hkeys(keys.CARDS)[0].decode(): 1})
    newer = publish.publish(r, settings)
    assert newer > late
    assert publish._switch(r, late, {"digest": "stale"}, settings.feed_versions_kept) == newer
    assert int(r.get(keys.FEED_CURRENT)) == newer
    assert not r.exists(keys.feed_version(late))
    assert int(r.lindex(keys.FEED_VERSIONS, 0)) == newer


def test_last_copy_is_served_while_redis_is_down(tmp_path, monkeypatch):
    """A Redis of its own, stopped for real while the web tier holds the feed."""
    from app import create_app
    from channel.redisconn import EmbeddedRedis, connect
    from channel.web import public

    server = EmbeddedRedis(tmp_path / "redis").start(persist=False)
    try:
        monkeypatch.setenv("REDIS_URL", server.url)
        monkeypatch.setenv("NEWSDESK_PUBLIC_URL", BASE)
        monkeypatch.setenv("NEWSDESK_POINTER_TTL", "0")
        settings = Settings.from_env()
        r = connect(server.url)
        _ready_newsroom(r, tmp_path)
        public.live_feed.current = None
        client = create_app(settings).test_client()
        live = client.get("/v1/feed.json")
        assert live.status_code == 200
    finally:
        server.stop()
    down = client.get("/v1/feed.json")
    assert down.status_code == 200
    assert down.data == live.data
    assert "Stale" in down.headers["Warning"]
    assert client.get("/v1/feed.json", headers={"If-None-Match": live.headers["ETag"]}
                      ).status_code == 304


def test_search_finds_titles_summaries_and_tags(r, client, tmp_path):
    _ready_newsroom(r, tmp_path)
    found = client.get("/v1/search?q=ferry levy").get_json()["results"]
    assert [c["title"] for c in found] == [
        "‘Not negotiable’: Baltic ferry operators reject new port levy"]
    assert client.get("/v1/search?q=zzzzqqq").get_json()["results"] == []
    assert client.get("/v1/search").status_code == 400


@pytest.mark.parametrize("action", ["hide", "pull"])
def test_hide_and_pull_take_a_story_out_of_the_feed(r, client, auth, tmp_path, action):
    _ready_newsroom(r, tmp_path)
    _, cards = _cards(client)
    target = next(c for c in cards if c["title"].startswith("City library"))
    thumb = target["thumbnails"]["hd"]["url"].removeprefix(BASE)
    if action == "hide":
        response = client.put(f"/v1/ops/stories/{target['id']}/hidden", headers=auth)
    else:
        response = client.post(f"/v1/ops/stories/{target['id']}/pull", headers=auth)
    assert response.status_code == 200
    assert client.get(f"/v1/articles/{target['id']}.json").status_code == 404
    run_worker(r)
    _, after = _cards(client)
    assert target["id"] not in {c["id"] for c in after}
    assert client.get(thumb).status_code == (404 if action == "pull" else 200)
    entry = client.get("/v1/ops/audit", headers=auth).get_json()["entries"][0]
    assert (entry["action"], entry["target"], entry["who"]) == (action, target["id"], "admin")


def test_pinned_story_leads_its_row_and_top_stories(r, client, auth, tmp_path):
    _ready_newsroom(r, tmp_path)
    feed, _ = _cards(client)
    local = next(row for row in feed["rows"] if row["id"] == "local")
    oldest = local["items"][-1]
    response = client.put(f"/v1/ops/stories/{oldest['id']}/pin", json={"order": 1}, headers=auth)
    assert response.status_code == 200
    run_worker(r)
    feed, _ = _cards(client)
    local = next(row for row in feed["rows"] if row["id"] == "local")
    assert local["items"][0]["id"] == oldest["id"] and local["items"][0]["pinned"] is True
    assert feed["rows"][0]["items"][0]["id"] == oldest["id"]
    assert client.put("/v1/ops/stories/ffffffffffffffff/pin", headers=auth).status_code == 404
    bad = client.put(f"/v1/ops/stories/{oldest['id']}/pin", json={"order": -1}, headers=auth)
    assert bad.status_code == 422 and bad.get_json()["error"].startswith("order:")


BROKEN = {
    "summary over 300": lambda d: d["rows"][0]["items"][0].update(summary="x" * 301),
    "ticker with a newline": lambda d: d["rows"][0]["items"][0].update(ticker="a\nb"),
    "bad colour": lambda d: d["rows"][0]["items"][0].update(placeholderColor="red"),
    "not a date-time": lambda d: d.update(generatedAt="yesterday"),
    "relative detail url": lambda d: d["rows"][0]["items"][0].update(detailUrl="/v1/a.json"),
    "extra field": lambda d: d["rows"][0]["items"][0].update(colour="#000000"),
    "missing tags": lambda d: d["rows"][0]["items"][0].pop("tags"),
    "empty rows": lambda d: d.update(rows=[]),
    "empty row": lambda d: d["rows"][0].update(items=[]),
    "bad id": lambda d: d["rows"][0]["items"][0].update(id="XYZ"),
    "version zero": lambda d: d.update(version=0),
    "bad video type": lambda d: d["rows"][0]["items"][0].update(
        video={"url": "http://x.test/v.mp4", "videoType": "AVI"}),
    "thumbnail too small": lambda d: d["rows"][0]["items"][0]["thumbnails"].update(
        hd={"url": "http://x.test/t.jpg", "width": 1, "height": 1}),
}


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_fast_and_full_validators_agree_on_every_broken_rule(rule):
    """The publish path's compiled validator must refuse whatever jsonschema refuses."""
    import copy

    import fastjsonschema

    fixture = Path(__file__).resolve().parents[1] / "roku" / "tests" / "fixtures" / "feed.json"
    doc = orjson.loads(fixture.read_bytes())
    schemas.validate("channel-feed", doc)
    broken = copy.deepcopy(doc)
    BROKEN[rule](broken)
    assert schemas.errors("channel-feed", broken)
    with pytest.raises(fastjsonschema.JsonSchemaException):
        schemas._fast("channel-feed")(broken)
    with pytest.raises(schemas.DocumentInvalid):
        schemas.validate("channel-feed", broken)


def test_concurrent_publishes_never_move_the_pointer_back(r, settings, tmp_path):
    _ready_newsroom(r, tmp_path)
    ids = [k.decode() for k in r.hkeys(keys.CARDS)]
    seen: list[int] = []

    def publisher(offset: int) -> None:
        for n in range(6):
            r.zadd(keys.PINS, {ids[(n + offset) % len(ids)]: n * 10 + offset})
            publish.publish(r, settings)
            seen.append(int(r.get(keys.FEED_CURRENT)))

    threads = [threading.Thread(target=publisher, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    kept = [int(v) for v in r.lrange(keys.FEED_VERSIONS, 0, -1)]
    assert kept == sorted(kept, reverse=True)  # newest first, always
    assert int(r.get(keys.FEED_CURRENT)) == kept[0] == max(seen)


def test_fast_path_answers_like_the_flask_route(r, client, tmp_path):
    """/v1/feed.json skips Flask; /v1/categories/<id>.json goes through it: same rules."""
    _ready_newsroom(r, tmp_path)
    fast = client.get("/v1/feed.json", headers={"Accept-Encoding": "gzip"})
    routed = client.get("/v1/categories/world.json", headers={"Accept-Encoding": "gzip"})
    for response in (fast, routed):
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.headers["Content-Length"] == str(len(response.data))
        assert response.headers["Vary"] == "Accept-Encoding"
    assert {k for k, _ in fast.headers} == {k for k, _ in routed.headers} - {"X-Request-Id"}
    head = client.head("/v1/feed.json")
    assert head.status_code == 200 and head.data == b""
    assert client.get("/v1/feed.json", headers={"If-None-Match": "*"}).status_code == 304
    assert client.post("/v1/feed.json").status_code == 405  # only GET/HEAD take the fast path


def test_an_empty_build_is_news_at_start_and_an_error_once_a_feed_is_live(r, settings, tmp_path,
                                                                          caplog):
    """On-call engineers are paged on errors: the first publish of a fresh install, before any
    story is ready, is refused quietly; a live channel that would go empty is refused loudly."""
    store.save_categories(r, [{"id": "world", "title": "World"}])
    with caplog.at_level("INFO", logger=publish.__name__), \
            pytest.raises(publish.PublishRefused) as refused:
        publish.publish(r, settings)
    assert refused.value.empty
    assert _levels(caplog) == ["INFO"]
    assert b"no ready, visible story" in r.get(keys.FEED_LAST_ERROR)
    _ready_newsroom(r, tmp_path)
    live = int(r.get(keys.FEED_CURRENT))
    caplog.clear()
    for story in r.hkeys(keys.CARDS):
        r.sadd(keys.HIDDEN, story)
    with caplog.at_level("INFO", logger=publish.__name__), pytest.raises(publish.PublishRefused):
        publish.publish(r, settings)
    assert _levels(caplog) == ["ERROR"]
    assert int(r.get(keys.FEED_CURRENT)) == live


def _levels(caplog) -> list[str]:
    return [rec.levelname for rec in caplog.records
            if rec.name == publish.__name__ and rec.getMessage().startswith("publish refused")]
