"""Freshness: a maximum age per category (Top stories its own), embargoes, "Updated" cards."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from channel import schemas, store
from channel.feed import due, freshness
from tests.conftest import run_worker
from tests.newsroom import load_newsroom
from workers import queues
from workers.scheduler import Scheduler

BODY = ("The harbour authority said on Monday that the new quay would open in spring.\n\n"
        "Work on the quay began two years ago and cost more than planned.")


def ago(**delta: float) -> str:
    return store.iso(datetime.now(UTC) - timedelta(**delta))


def push(client, auth, guid: str, title: str, category: str = "local", **fields) -> str:
    body = {"guid": guid, "title": title, "category": category, "body": f"{title}. {BODY}",
            **fields}
    response = client.post("/v1/ops/articles", json=body, headers=auth)
    assert response.status_code in (200, 202), response.get_json()
    return response.get_json()["story"]


def on_air(client) -> dict[str, list[str]]:
    return {row["id"]: [c["id"] for c in row["items"]]
            for row in client.get("/v1/feed.json").get_json()["rows"]}


@pytest.fixture
def newsroom(settings, r, tmp_path):
    load_newsroom(r, tmp_path)
    return settings


def test_each_category_has_its_maximum_age_and_top_stories_its_own(newsroom, client, r, auth):
    fresh = push(client, auth, "a", "Quay opens", published=ago(hours=1))
    day_old = push(client, auth, "b", "Ferry timetable changes", published=ago(hours=30))
    world_old = push(client, auth, "c", "Summit ends", category="world", published=ago(hours=30))
    run_worker(r)
    rows = on_air(client)
    assert {fresh, day_old} <= set(rows["local"]) and world_old in rows["world"]

    categories = [{"id": "world", "title": "World", "maxAgeHours": 48},
                  {"id": "local", "title": "Local", "maxAgeHours": 24}]
    assert client.put("/v1/ops/categories", json={"categories": categories},
                      headers=auth).status_code == 200
    channel = store.load_channel(r)
    store.save_channel(r, {**channel, "topStoriesMaxAgeHours": 6})
    queues.publish_now(r, newsroom)
    run_worker(r)
    rows = on_air(client)
    assert rows["local"] == [fresh]  # 30 hours is past Local's 24
    assert world_old in rows["world"]  # and within World's 48
    assert rows["top"] == [fresh]  # Top stories: 6 hours
    schemas.validate("channel-feed", client.get("/v1/feed.json").get_json())

    # An editor's pin keeps an old story on air.
    assert client.put(f"/v1/ops/stories/{day_old}/pin", json={}, headers=auth).status_code == 200
    run_worker(r)
    rows = on_air(client)
    assert rows["local"][0] == day_old and rows["top"][0] == day_old


def test_bad_maximum_ages_are_refused(newsroom, client, auth):
    bad = client.put("/v1/ops/categories", json={"categories": [
        {"id": "local", "title": "Local", "maxAgeHours": 0}]}, headers=auth)
    assert bad.status_code == 422 and "maxAgeHours" in bad.get_json()["error"]


def test_an_embargoed_push_appears_at_publish_at_not_before(newsroom, client, r, auth):
    push(client, auth, "now", "Quay opens", published=ago(hours=1))
    at = datetime.now(UTC) + timedelta(seconds=3)
    embargoed = push(client, auth, "later", "Budget announced",
                     publishAt=at.isoformat(timespec="seconds").replace("+00:00", "Z"))
    run_worker(r)  # processed now: ready, but not on air
    assert store.get_article(r, embargoed)["status"] == "ready"
    rows = on_air(client)
    assert all(embargoed not in ids for ids in rows.values())
    assert client.get("/v1/search?q=budget").get_json()["results"] == []
    scheduler = Scheduler(r, newsroom)
    scheduler.last_publish = time.time()  # only the embargo's publish
    scheduler.run_once()
    assert queues.queue(r, queues.PUBLISH).count == 0
    time.sleep(max(0.0, at.timestamp() - time.time()) + 0.1)
    scheduler.run_once()  # the embargo lifted: an urgent publish
    assert queues.queue(r, queues.PUBLISH).count == 1
    run_worker(r)
    rows = on_air(client)
    assert rows["local"][0] == embargoed and rows["top"][0] == embargoed
    card = next(c for row in client.get("/v1/feed.json").get_json()["rows"]
                for c in row["items"] if c["id"] == embargoed)
    assert freshness.timestamp(card["publishedAt"]) == int(at.timestamp())
    assert due.take_due(r) == []


def test_a_fetched_story_dated_in_the_future_waits_too(newsroom, client, r, auth):
    """A folder/RSS entry's future date is its embargo: the same rule as a push's publishAt."""
    push(client, auth, "now", "Quay opens", published=ago(hours=1))
    future = push(client, auth, "wire-future", "Election results due",
                  published=store.iso(datetime.now(UTC) + timedelta(hours=2)))
    run_worker(r)
    assert all(future not in ids for ids in on_air(client).values())
    assert r.zscore("nd:feed:due", freshness.embargo_reason(future)) is not None


def test_a_story_changed_after_it_went_on_air_carries_updated_at(newsroom, client, r, auth):
    story = push(client, auth, "u", "Quay opens", published=ago(hours=1))
    run_worker(r)
    card = client.get(f"/v1/articles/{story}.json").get_json()["card"]
    assert "updatedAt" not in card
    client.post("/v1/ops/articles", json={"guid": "u", "title": "Quay opens", "category": "local",
                                          "body": "Quay opens. " + BODY + "\n\nA correction.",
                                          "published": card["publishedAt"]}, headers=auth)
    run_worker(r)
    updated = client.get(f"/v1/articles/{story}.json").get_json()["card"]
    assert freshness.timestamp(updated["updatedAt"]) > freshness.timestamp(card["publishedAt"])
    assert updated["publishedAt"] == card["publishedAt"]
    feed_card = next(c for row in client.get("/v1/feed.json").get_json()["rows"]
                     for c in row["items"] if c["id"] == story)
    assert feed_card["updatedAt"] == updated["updatedAt"]
