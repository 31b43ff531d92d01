"""One action, two adapters: the operator API and the CLI make the same change through
channel.actions, refuse the same input with the same words, and an unknown id is a 404 over
HTTP and a non-zero exit at a terminal, for every action that takes one."""

from __future__ import annotations

import pytest
import redis

from channel import actions, audit, keys, status, store
from tests.conftest import run_worker
from tests.newsroom import load_newsroom
from workers import queues

UNKNOWN = "0123456789abcdef"


@pytest.fixture
def stories(settings, r: redis.Redis, tmp_path) -> list[str]:
    load_newsroom(r, tmp_path)
    queues.enqueue_refresh_all(r, settings)
    run_worker(r)
    return [s["id"] for s in status.recent_stories(r, 50)]


def _state(r: redis.Redis, story_id: str) -> dict:
    return {"pinned": r.zscore(keys.PINS, story_id), "hidden": r.sismember(keys.HIDDEN, story_id),
            "pulled": r.sismember(keys.PULLED, story_id)}


def _last_audit(r: redis.Redis) -> tuple[str, str, str]:
    entry = audit.entries(r, 1)[0]
    return entry["who"], entry["action"], entry["target"]


EDITORIAL = [  # (CLI words, HTTP method and path suffix)
    (("pin", "--order", "3"), ("put", "pin", {"order": 3})),
    (("hide",), ("put", "hidden", None)),
    (("unhide",), ("delete", "hidden", None)),
    (("pull",), ("post", "pull", None)),
    (("unpull",), ("delete", "pull", None)),
    (("unpin",), ("delete", "pin", None)),
]


def test_every_editorial_action_is_the_same_change_over_http_and_at_a_terminal(
        cli, client, auth, r, stories):
    over_http, at_terminal = stories[0], stories[1]
    for words, (method, path, body) in EDITORIAL:
        answer = getattr(client, method)(f"/v1/ops/stories/{over_http}/{path}", json=body,
                                         headers=auth)
        assert answer.status_code == 200, answer.get_json()
        assert _last_audit(r) == ("admin", words[0], over_http)
        done = cli(words[0], at_terminal, *words[1:])
        assert done.exit_code == 0, done.output
        assert _last_audit(r) == ("cli:tester", words[0], at_terminal)
        assert _state(r, over_http) == _state(r, at_terminal), words[0]
        run_worker(r)  # the publish (and, for unpull, the processing) each one asked for


@pytest.mark.parametrize(("words", "http"), EDITORIAL)
def test_an_unknown_story_is_refused_everywhere_and_changes_nothing(
        cli, client, auth, r, stories, words, http):
    method, path, body = http
    before = len(audit.entries(r))
    answer = getattr(client, method)(f"/v1/ops/stories/{UNKNOWN}/{path}", json=body,
                                     headers=auth)
    assert answer.status_code == 404
    assert answer.get_json()["error"] == f"no story '{UNKNOWN}'"
    refused = cli(words[0], UNKNOWN, *words[1:])
    assert refused.exit_code == 1 and f"no story '{UNKNOWN}'" in refused.stderr
    assert len(audit.entries(r)) == before  # no audit entry ...
    assert not r.exists(keys.PUBLISH_PENDING)  # ... and no publish asked for
    assert not r.sismember(keys.HIDDEN, UNKNOWN) and r.zscore(keys.PINS, UNKNOWN) is None


def test_sources_are_changed_alike_and_unknown_ones_refused_alike(cli, client, auth, r, stories):
    doc = {"id": "api-src", "kind": "rss", "url": "https://example.org/a.xml",
           "category": "world"}
    assert client.post("/v1/ops/sources", json=doc, headers=auth).status_code == 201
    assert cli("sources", "add", "cli-src", "--kind", "rss", "--url",
               "https://example.org/a.xml", "--category", "world").exit_code == 0
    twice = client.post("/v1/ops/sources", json=doc, headers=auth)
    again = cli("sources", "add", "api-src", "--kind", "rss", "--url",
                "https://example.org/a.xml", "--category", "world")
    assert twice.status_code == 409 and again.exit_code == 1
    assert twice.get_json()["error"] in again.stderr

    client.patch("/v1/ops/sources/api-src", json={"enabled": False}, headers=auth)
    cli("sources", "disable", "cli-src")
    api, terminal = store.get_source(r, "api-src"), store.get_source(r, "cli-src")
    assert {**api, "id": "-"} == {**terminal, "id": "-"} and api["enabled"] is False

    for target in ("api-src", "cli-src"):
        assert [e["action"] for e in audit.entries(r) if e["target"] == target] == [
            "update source", "create source"]

    for method, args in (("patch", ("sources", "disable")), ("delete", ("sources", "delete"))):
        answer = getattr(client, method)("/v1/ops/sources/nope", json={"enabled": False},
                                         headers=auth)
        refused = cli(*args, "nope")
        assert answer.status_code == 404 and refused.exit_code == 1
        assert answer.get_json()["error"] == "no source 'nope'" and "no source 'nope'" in \
            refused.stderr


def test_refreshes_and_jobs_refuse_unknown_ids_alike(cli, client, auth, r, stories):
    for request, words in (({"source": "nope"}, ("refresh", "nope")),
                           ({"category": "nope"}, ("refresh", "--category", "nope")),
                           ({"story": UNKNOWN}, ("refresh", "--story", UNKNOWN))):
        answer = client.post("/v1/ops/refresh", json=request, headers=auth)
        refused = cli(*words, "--no-wait")
        assert answer.status_code == 404 and refused.exit_code == 2  # a bad option value
        assert answer.get_json()["error"] in refused.stderr
    for http, words in ((("post", "/v1/ops/jobs/nope/retry"), ("jobs", "retry", "nope")),
                        (("delete", "/v1/ops/jobs/nope"), ("jobs", "delete", "nope"))):
        answer = getattr(client, http[0])(http[1], headers=auth)
        refused = cli(*words)
        assert answer.status_code == 404 and refused.exit_code == 1
        assert answer.get_json()["error"] == "no job 'nope'" and "no job 'nope'" in refused.stderr


def test_the_library_itself_refuses_an_unknown_story(settings, r, stories):
    for action in (actions.unpin, actions.unhide, actions.unpull, actions.hide, actions.pull):
        with pytest.raises(actions.NotFound, match="no story"):
            action(r, settings, UNKNOWN, who="tester")
    with pytest.raises(actions.Invalid, match="order"):
        actions.pin(r, settings, stories[0], 5000, who="tester")
