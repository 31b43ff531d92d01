"""Findings 2, 5, 6 and 7: every bad request is a clear 4xx JSON error, never a 500, and an
error never echoes more than a short prefix of what was sent. One parser (channel/web/inputs)
serves every JSON route, so each route is tried with each kind of bad body.
"""

from __future__ import annotations

import pytest

from channel import store
from tests.newsroom import load_newsroom

STORY = "0123456789abcdef"
JSON_ROUTES = [
    ("POST", "/v1/ops/sources"), ("PATCH", "/v1/ops/sources/desk"),
    ("PUT", "/v1/ops/categories"), ("POST", "/v1/ops/refresh"),
    ("PATCH", f"/v1/ops/stories/{STORY}"), ("PUT", f"/v1/ops/stories/{STORY}/pin"),
    ("POST", "/v1/ops/articles"),
]
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def newsroom(r, tmp_path):
    return load_newsroom(r, tmp_path)


def _send(client, method, path, data, headers):
    return client.open(path, method=method, data=data, headers={**headers, **JSON})


@pytest.mark.parametrize(("method", "path"), JSON_ROUTES)
def test_every_json_route_refuses_bad_bodies_with_a_4xx(client, auth, newsroom, method, path):
    deep = b"[" * 100_000 + b"]" * 100_000
    cases = {
        "deeply nested": (deep, 400, "not valid JSON"),
        "nested past the cap": (b'{"a":' * 40 + b"1" + b"}" * 40, 400, "deeper than 32"),
        "NaN": (b'{"focal": [NaN, 0.5]}', 400, "NaN"),
        "Infinity": (b'{"order": Infinity}', 400, "not valid JSON"),
        "invalid UTF-8": (b'{"title": "\xff\xfe"}', 400, "not valid JSON"),
        "lone surrogate": (b'{"title": "\\ud800"}', 400, "not valid JSON"),
        "not an object": (b"[1, 2]", 422, "must be a JSON object"),
    }
    for name, (body, status, message) in cases.items():
        response = _send(client, method, path, body, auth)
        assert response.status_code == status, (name, response.get_json())
        assert message in response.get_json()["error"], name
        assert len(response.data) < 1000, name


def test_a_body_that_is_not_json_is_415(client, auth, newsroom):
    response = client.post("/v1/ops/refresh", data="source=desk", headers={
        **auth, "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415 and "application/json" in response.get_json()["error"]


def test_a_huge_body_is_413_and_errors_echo_only_a_prefix(client, auth, newsroom):
    huge = b'{"guid": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    response = _send(client, "POST", "/v1/ops/articles", huge, auth)
    assert response.status_code == 413 and len(response.data) < 500
    big = b'{"guid": "' + b"y" * 100_000 + b'", "title": "t", "category": "world", "body": "b"}'
    refused = _send(client, "POST", "/v1/ops/articles", big, auth)
    assert refused.status_code == 422 and "guid" in refused.get_json()["error"]
    assert len(refused.data) < 1000  # the 100 KB guid is not sent back


def test_nan_focal_never_reaches_a_story(client, auth, r, newsroom):
    push = {"guid": "g-1", "title": "A title", "category": "world", "body": "Some text here."}
    for body in (b'{"focal": [NaN, 0.5]}', b'{"focal": [0.5, -Infinity]}'):
        assert _send(client, "PATCH", f"/v1/ops/stories/{STORY}", body, auth).status_code == 400
    raw = (b'{"guid": "g-1", "title": "A title", "category": "world", "body": "Some text.", '
           b'"focal": [NaN, 0.5]}')
    assert _send(client, "POST", "/v1/ops/articles", raw, auth).status_code == 400
    from tests.conftest import run_worker

    assert client.post("/v1/ops/articles", json=push, headers=auth).status_code == 202
    run_worker(r)
    assert client.post("/v1/ops/articles", json=push, headers=auth).status_code == 200  # same
    story = client.get("/v1/ops/stories", headers=auth).get_json()["stories"][0]
    assert story["status"] == "ready"
    # Below the web tier too: the schema layer refuses non-finite numbers (NaN passes minimum).
    from channel import actions, schemas

    with pytest.raises(actions.Invalid, match="not a number JSON allows"):
        actions.update_story(r, None, STORY, {"focal": [float("nan"), 0.5]}, who="t")
    assert schemas.errors("story-update", {"focal": [0.5, float("inf")]})


def test_numeric_query_parameters_are_parsed_strictly(client, auth, newsroom):
    for value in ("²", "٣", "1e3", "-1", " 5", "99999999999999999999"):
        for path in ("/v1/ops/audit", "/v1/ops/stories", "/v1/ops/jobs"):
            response = client.get(path, query_string={"limit": value}, headers=auth)
            assert response.status_code == 400, (path, value)
            assert "limit must be a whole number" in response.get_json()["error"]
        feed = client.get("/v1/feed.json", query_string={"items": value})
        assert feed.status_code == 400 and "items" in feed.get_json()["error"]
    assert client.get("/v1/ops/audit?limit=5", headers=auth).status_code == 200


def test_bad_folder_paths_are_422(client, auth, newsroom):
    for path in ("/tmp/a\x00b", "/tmp/" + "a" * 1000, "a" * 999, "/tmp/line\nbreak"):
        response = client.post("/v1/ops/sources", json={
            "id": "odd", "kind": "folder", "path": path, "category": "world"}, headers=auth)
        assert response.status_code == 422, (repr(path[:20]), response.get_json())
        assert "path" in response.get_json()["error"]


def test_crlf_in_the_login_next_is_not_a_header(client):
    from tests.conftest import TOKEN

    for target in ("/console/jobs\r\nSet-Cookie: evil=1", "/console/jobs%0d%0aX: 1",
                   "/console/\x00", "/console/" + "a" * 5000):
        response = client.post("/console/login", data={"token": TOKEN, "next": target})
        assert response.status_code == 302, repr(target[:30])
        assert response.headers["Location"] in ("/console/preview", target)
        assert "evil" not in response.headers.get("Set-Cookie", "")
        assert "\n" not in response.headers["Location"]
        page = client.get("/console/login", query_string={"next": target})
        assert page.status_code in (200, 302)


def test_no_console_route_writes_on_get_and_the_dashboard_is_gone(app, client):
    from tests.conftest import TOKEN

    pages = {"console.login", "console.index", "console.preview", "console.story",
             "console.stories", "console.sources", "console.jobs", "console.job", "console.audit",
             "console.static"}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/console") and "GET" in rule.methods:
            assert rule.endpoint in pages, rule.rule  # pages only: their JS writes by POST
    client.post("/console/login", data={"token": TOKEN})
    for path in ("/console/rq/", "/console/rq/requeue/fetch", "/console/rq/compact/fetch"):
        assert client.get(path).status_code == 404


def test_redis_down_is_a_503_not_a_500(settings, monkeypatch):
    from dataclasses import replace

    from app import create_app

    down = create_app(replace(settings, redis_url="redis://127.0.0.1:1/0"))
    response = down.test_client().get("/v1/ops/sources",
                                      headers={"Authorization": "Bearer x"})
    assert response.status_code == 503 and "Redis" in response.get_json()["error"]


def test_search_and_ids_echo_only_a_prefix(client, newsroom):
    response = client.get("/v1/search", query_string={"q": "x" * 5000})
    assert response.status_code == 400 and len(response.data) < 300
    long_id = "c" * 3000
    missing = client.get(f"/v1/categories/{long_id}.json")
    assert missing.status_code in (404, 503) and len(missing.data) < 500


def test_a_story_that_fails_for_good_shows_in_its_sources_health(client, auth, r, newsroom,
                                                                 settings):
    from tests.conftest import run_worker
    from workers import queues

    folder = store.get_source(r, "desk")["path"]
    from pathlib import Path

    (Path(folder) / "bare.json").write_text('{"title": "A title and nothing else"}')
    queues.enqueue_refresh(r, settings, "desk")
    run_worker(r)
    health = client.get("/v1/ops/sources/desk", headers=auth).get_json()["source"]["health"]
    assert health["failedStories"] == 1
    assert "gave no text for this article" in health["lastStoryError"]
    (Path(folder) / "bare.json").write_text('{"title": "A title", "body": "And a body now."}')
    queues.enqueue_refresh(r, settings, "desk")
    run_worker(r)
    health = client.get("/v1/ops/sources/desk", headers=auth).get_json()["source"]["health"]
    assert health["failedStories"] == 0
