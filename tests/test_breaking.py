"""The breaking news alert: API, CLI, feed object within a second, expiry by the scheduler."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from channel import audit, schemas
from channel.feed import breaking, due
from tests.conftest import run_worker
from tests.newsroom import load_newsroom
from workers import queues
from workers.scheduler import Scheduler


@pytest.fixture
def on_air(settings, r, tmp_path):
    """The test newsroom refreshed, processed and published by a real worker."""
    load_newsroom(r, tmp_path)
    queues.enqueue_refresh_all(r, settings)
    run_worker(r)
    return settings


def test_raise_shows_in_the_feed_within_a_second_and_is_audited(on_air, client, r, auth):
    feed = client.get("/v1/feed.json").get_json()
    assert "breaking" not in feed
    story_id = feed["rows"][0]["items"][0]["id"]
    started = time.monotonic()
    raised = client.put("/v1/ops/breaking", json={"text": "Bridge closed after collision",
                                                   "story": story_id}, headers=auth)
    assert raised.status_code == 200
    after = client.get("/v1/feed.json").get_json()
    assert time.monotonic() - started < 1.0
    alert = after["breaking"]
    assert alert["text"] == "Bridge closed after collision"
    assert alert["storyId"] == story_id
    assert alert["detailUrl"] == f"http://newsdesk.test/v1/articles/{story_id}.json"
    assert after["version"] == raised.get_json()["version"] > feed["version"]
    schemas.validate("channel-feed", after)
    # Default expiry: 30 minutes after it was raised.
    lifetime = (breaking._parse(alert["expiresAt"]) - breaking._parse(alert["raisedAt"]))
    assert timedelta(minutes=29, seconds=59) <= lifetime <= timedelta(minutes=30, seconds=1)
    # Every derived document carries it too (variants, category feeds).
    assert client.get("/v1/feed.json?items=5").get_json()["breaking"]["id"] == alert["id"]
    assert client.get("/v1/categories/world.json").get_json()["breaking"]["id"] == alert["id"]
    entry = audit.entries(r, 1)[0]
    assert (entry["who"], entry["action"], entry["target"]) == \
        ("admin", "raise breaking alert", alert["id"])
    assert client.get("/v1/ops/breaking", headers=auth).get_json()["alert"]["id"] == alert["id"]

    cleared = client.delete("/v1/ops/breaking", headers=auth)
    assert cleared.get_json()["cleared"]["id"] == alert["id"]
    assert "breaking" not in client.get("/v1/feed.json").get_json()
    assert audit.entries(r, 1)[0]["action"] == "clear breaking alert"
    assert client.get("/v1/ops/breaking", headers=auth).get_json()["alert"] is None


def test_bad_alerts_are_refused_with_the_field_named(on_air, client, auth):
    long = client.put("/v1/ops/breaking", json={"text": "x" * 111}, headers=auth)
    assert long.status_code == 422 and long.get_json()["error"].startswith("text:")
    two_lines = client.put("/v1/ops/breaking", json={"text": "a\nb"}, headers=auth)
    assert two_lines.status_code == 422 and two_lines.get_json()["error"].startswith("text:")
    blank = client.put("/v1/ops/breaking", json={"text": "   "}, headers=auth)
    assert blank.status_code == 422
    unknown = client.put("/v1/ops/breaking", json={"text": "x", "story": "0" * 16}, headers=auth)
    assert unknown.status_code == 404
    forever = client.put("/v1/ops/breaking", json={"text": "x", "expiresInMinutes": 0},
                         headers=auth)
    assert forever.status_code == 422
    assert client.put("/v1/ops/breaking", json={"text": "x"}).status_code == 401
    assert "breaking" not in client.get("/v1/feed.json").get_json()


def test_an_alert_leaves_the_feed_at_expiry_through_the_scheduler_and_a_worker(on_air, client,
                                                                                r):
    breaking.raise_alert(r, "Polls close in ten minutes", who="tester",
                         lifetime=timedelta(seconds=1.2))
    queues.publish_now(r, on_air)
    run_worker(r)
    assert client.get("/v1/feed.json").get_json()["breaking"]["text"] == \
        "Polls close in ten minutes"
    scheduler = Scheduler(r, on_air)
    scheduler.last_publish = time.time()  # no periodic publish: only the expiry's
    scheduler.run_once()
    assert queues.queue(r, queues.PUBLISH).count == 0  # not due yet
    time.sleep(1.3)
    assert breaking.current(r) is None
    scheduler.run_once()
    assert queues.queue(r, queues.PUBLISH).count == 1  # the expiry's publish, urgent
    run_worker(r)
    assert "breaking" not in client.get("/v1/feed.json").get_json()
    assert due.take_due(r) == []


def test_a_new_alert_replaces_the_old_one(on_air, client, auth):
    first = client.put("/v1/ops/breaking", json={"text": "First"}, headers=auth).get_json()
    second = client.put("/v1/ops/breaking", json={"text": "Second", "expiresInMinutes": 5},
                        headers=auth).get_json()
    feed = client.get("/v1/feed.json").get_json()
    assert feed["breaking"]["id"] == second["alert"]["id"] != first["alert"]["id"]
    assert feed["breaking"]["text"] == "Second"


def test_cli_raises_shows_and_clears(on_air, cli, client, r):
    raised = cli("--json", "breaking", "raise", "Storm warning for the coast", "--minutes", "10")
    assert raised.exit_code == 0, raised.output
    assert client.get("/v1/feed.json").get_json()["breaking"]["text"] == \
        "Storm warning for the coast"
    assert audit.entries(r, 1)[0]["who"] == "cli:tester"
    shown = cli("breaking", "show")
    assert "Storm warning for the coast" in shown.output
    too_long = cli("breaking", "raise", "y" * 120)
    assert too_long.exit_code != 0 and "text" in too_long.output
    cleared = cli("breaking", "clear")
    assert cleared.exit_code == 0 and "cleared: Storm warning" in cleared.output
    assert "breaking" not in client.get("/v1/feed.json").get_json()


def test_alert_before_anything_is_published_goes_out_with_the_first_feed(settings, client, r,
                                                                         auth, tmp_path):
    load_newsroom(r, tmp_path)
    raised = client.put("/v1/ops/breaking", json={"text": "Early"}, headers=auth)
    assert raised.status_code == 200 and raised.get_json()["version"] is None
    queues.enqueue_refresh_all(r, settings)
    run_worker(r)
    assert client.get("/v1/feed.json").get_json()["breaking"]["text"] == "Early"
