"""Finding 1's other half: every response says nosniff and may not be framed; console pages
allow script from our own files only (no inline script), and job results carry no content."""

from __future__ import annotations

from channel import store
from tests.conftest import TOKEN, run_worker
from tests.newsroom import load_newsroom
from workers import queues


def test_every_kind_of_response_carries_the_security_headers(client, auth, r, tmp_path,
                                                             settings):
    load_newsroom(r, tmp_path)
    queues.enqueue_refresh_all(r, settings)
    run_worker(r)
    card = next(iter(store.get_cards(r, [i.decode() for i in r.hkeys("nd:cards")])))
    thumb = next(iter(card["thumbnails"].values()))["url"].removeprefix("http://newsdesk.test")
    login = client.get("/console/login").headers["Content-Security-Policy"]
    assert "script-src 'self'" in login and "'unsafe-inline'" not in login
    client.post("/console/login", data={"token": TOKEN})
    paths = ["/v1/feed.json", "/v1/roku.json", f"/v1/articles/{card['id']}.json", thumb,
             "/v1/search?q=ferry", "/v1/ops/status", "/healthz", "/nope", "/v1/feed.json?x=1",
             "/console/preview", "/console/jobs", "/console/static/console.js"]
    for path in paths:
        response = client.get(path, headers=auth if "/ops/" in path else {})
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
    for path in ("/console/preview", "/console/jobs", "/console/jobs/some-job"):
        csp = client.get(path).headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp, path


def test_the_tv_poll_fast_path_carries_them_too(app, r, tmp_path, settings):
    from werkzeug.test import Client

    load_newsroom(r, tmp_path)
    queues.enqueue_refresh_all(r, settings)
    run_worker(r)
    response = Client(app.wsgi_app).get("/v1/feed.json")  # the WSGI fast path, not Flask
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_job_results_hold_ids_and_counts_not_content(client, auth, r, tmp_path, settings):
    load_newsroom(r, tmp_path)
    queues.enqueue_refresh_all(r, settings)
    run_worker(r)
    jobs = client.get("/v1/ops/jobs?status=finished&limit=100", headers=auth).get_json()["jobs"]
    results = {j["description"].split()[0]: j["result"] for j in jobs}
    processed = [j["result"] for j in jobs if j["description"].startswith("process")]
    assert processed and all(set(result) == {"id"} for result in processed)
    refreshed = [j["result"] for j in jobs if j["description"].startswith("refresh source")]
    assert refreshed and all(isinstance(result["skipped"], int) for result in refreshed)
    assert results


def test_the_cli_never_sends_a_titles_control_characters_to_the_terminal(cli, r, tmp_path,
                                                                         settings):
    from channel import actions

    load_newsroom(r, tmp_path)
    actions.push_article(r, settings, {"guid": "esc", "title": "Clear \x1b[2J\x1b]0;pwned\x07",
                                       "category": "world", "body": "Text."}, who="t")
    output = cli("stories").output
    assert "\x1b" not in output and "\x07" not in output
    assert "Clear \\x1b[2J" in output
