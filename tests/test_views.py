"""Most viewed: detail views counted per story per day in a HyperLogLog, nothing personal kept,
and the "Most viewed" row when the channel config asks for it."""

from __future__ import annotations

import time

import pytest

from channel import keys, schemas, store, views
from tests.conftest import run_worker
from tests.newsroom import load_newsroom
from workers import queues


@pytest.fixture(autouse=True)
def fresh_salt():
    """Each test's Redis starts empty: so does this process's copy of the day's salt."""
    views.salts.forget()


@pytest.fixture
def on_air(settings, r, tmp_path):
    load_newsroom(r, tmp_path)
    queues.enqueue_refresh_all(r, settings)
    run_worker(r)
    return settings


def view(client, story_id: str, address: str, agent: str = "Roku/DVP-12.0") -> None:
    response = client.get(f"/v1/articles/{story_id}.json",
                          environ_base={"REMOTE_ADDR": address}, headers={"User-Agent": agent})
    assert response.status_code == 200


def stories(client) -> list[str]:
    feed = client.get("/v1/feed.json").get_json()
    return list(dict.fromkeys(c["id"] for row in feed["rows"] for c in row["items"]))


def test_views_are_counted_per_story_and_day_without_anything_personal(on_air, client, r):
    first, second = stories(client)[:2]
    for n in range(30):
        view(client, first, f"203.0.113.{n}")
    view(client, first, "203.0.113.1")  # the same viewer again: counted once
    view(client, first, "203.0.113.1", "Another TV/1.0")  # another device at that address
    view(client, second, "198.51.100.7")
    today = views.day_of(time.time())
    assert r.pfcount(keys.views(today, first)) == 31
    assert r.pfcount(keys.views(today, second)) == 1
    assert 0 < r.ttl(keys.views(today, first)) <= views.KEEP
    # Nothing in Redis holds an address or a User-Agent.
    dump = b"".join(r.dump(k) or b"" for k in r.scan_iter("nd:views:*"))
    assert b"203.0.113" not in dump and b"Roku/DVP" not in dump
    # The token rotates with the day's salt: tomorrow the same viewer is not linkable.
    salt_today = views.salts.get(r, today)
    assert len(salt_today) == 16 and r.ttl(keys.views_salt(today)) > 0
    tomorrow = views.day_of(time.time() + views.DAY)
    assert views.visitor(salt_today, "203.0.113.1", "x") != \
        views.visitor(views.salts.get(r, tomorrow), "203.0.113.1", "x")
    # A 404 is not a view.
    assert client.get("/v1/articles/0000000000000000.json").status_code == 404
    assert r.pfcount(keys.views(today, "0000000000000000")) == 0


def test_the_last_24_hours_weigh_yesterday_by_what_is_left_of_it(r, settings):
    noon = 1796212800.0  # 2026-12-02T12:00:00Z
    for n in range(10):
        views.count(r, "a" * 16, f"10.0.0.{n}", "tv", now=noon - views.DAY)
    for n in range(4):
        views.count(r, "a" * 16, f"10.0.0.{n}", "tv", now=noon)
    assert views.last_day(r, ["a" * 16], now=noon)["a" * 16] == pytest.approx(4 + 10 * 0.5)


def test_most_viewed_row_when_the_channel_asks(on_air, client, r):
    assert all(row["id"] != "most-viewed"
               for row in client.get("/v1/feed.json").get_json()["rows"])
    ids = stories(client)
    popular, runner_up = ids[-1], ids[0]
    for n in range(5):
        view(client, popular, f"192.0.2.{n}")
    for n in range(2):
        view(client, runner_up, f"192.0.2.{n}")
    channel = store.load_channel(r)
    store.save_channel(r, {**channel, "mostViewed": {"items": 5}})
    queues.publish_now(r, on_air)
    run_worker(r)
    feed = client.get("/v1/feed.json").get_json()
    schemas.validate("channel-feed", feed)
    assert [row["id"] for row in feed["rows"]][:2] == ["top", "most-viewed"]
    row = feed["rows"][1]
    assert row["title"] == "Most viewed"
    assert [c["id"] for c in row["items"]] == [popular, runner_up]  # unviewed stories left out
    assert "feedUrl" not in row
    assert client.get("/v1/categories/most-viewed.json").status_code == 404


def test_the_channel_config_may_name_the_row(settings, r, tmp_path):
    from channel.config import read_channel_config
    from tests.newsroom import make_newsroom

    path = make_newsroom(tmp_path)
    path.write_text(path.read_text() + "mostViewed: {title: Popular now, items: 3}\n"
                    "topStoriesMaxAgeHours: 12\n")
    doc = read_channel_config(path)
    store.save_channel_config(r, doc)
    assert store.load_channel(r)["mostViewed"] == {"title": "Popular now", "items": 3}
    assert store.load_channel(r)["topStoriesMaxAgeHours"] == 12
