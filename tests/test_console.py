"""The operator console without a browser: login, the session cookie, and how /v1/ops takes it.

The browser tests (tests/browser/) drive the pages' JavaScript; these pin the security rules,
which are cheaper and clearer to check with Flask's test client.
"""

from __future__ import annotations

import pytest

from channel.config import Settings
from channel.web import auth
from tests.conftest import TOKEN
from tests.newsroom import load_newsroom

EDITOR = "editor-token-0123456789"
VIEWER = "viewer-token-0123456789"
PAGES = ["/console/preview", "/console/sources", "/console/jobs", "/console/audit",
         "/console/stories/0123456789abcdef"]
WRITE = {"X-Newsdesk-Console": "1"}


def _login(client, token: str = TOKEN, **extra):
    return client.post("/console/login", data={"token": token, **extra})


@pytest.fixture
def roles(monkeypatch):
    monkeypatch.setenv("NEWSDESK_TOKENS", f"ed:editor:{EDITOR},vi:viewer:{VIEWER}")


@pytest.fixture
def role_app(settings, r, roles):
    from app import create_app

    return create_app(Settings.from_env())


def test_pages_need_a_login(client):
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.headers["Location"].startswith("/console/login?next=")
    login = client.get("/console/login")
    assert login.status_code == 200 and b'name="token"' in login.data
    assert "frame-ancestors 'none'" in login.headers["Content-Security-Policy"]


def test_a_bad_token_is_refused_without_a_cookie(client):
    response = _login(client, "not-a-token")
    assert response.status_code == 401
    assert b"not valid" in response.data
    assert "Set-Cookie" not in response.headers
    assert client.get("/console/preview").status_code == 302


def test_a_good_token_opens_every_page_and_is_audited(client, r, auth):
    response = _login(client, next="/console/jobs")
    assert response.status_code == 302 and response.headers["Location"] == "/console/jobs"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert TOKEN not in cookie  # a random session id, never the token
    for page in PAGES:
        page_response = client.get(page)
        assert page_response.status_code == 200, page
        assert page_response.headers["Cache-Control"] == "no-store"
        assert b"admin \xc2\xb7 admin" in page_response.data  # who is logged in, and as what
    entries = client.get("/v1/ops/audit", headers=auth).get_json()["entries"]
    assert entries[0]["action"] == "console login" and entries[0]["who"] == "admin"


def test_logged_in_login_page_moves_on_and_logout_ends_the_session(client):
    _login(client)
    assert client.get("/console/login").headers["Location"] == "/console/preview"
    copied = client.get_cookie(auth.COOKIE).value
    out = client.post("/console/logout")
    assert out.status_code == 302
    assert client.get_cookie(auth.COOKIE) is None
    assert client.get("/console/preview").status_code == 302
    assert client.get("/v1/ops/sources").status_code == 401
    client.set_cookie(auth.COOKIE, copied)  # a copy taken before logout: the session is gone
    assert client.get("/v1/ops/sources").status_code == 401
    assert client.get("/console/preview").status_code == 302


def test_next_never_leaves_the_console(client):
    for target in ("//evil.example/x", "https://evil.example/", "/v1/ops/sources",
                   "/console/login"):
        assert _login(client, next=target).headers["Location"] == "/console/preview"


def test_login_from_another_site_is_refused(client):
    response = client.post("/console/login", data={"token": TOKEN},
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert client.get_cookie(auth.COOKIE) is None
    opaque = client.post("/console/login", data={"token": TOKEN}, headers={"Origin": "null"})
    assert opaque.status_code == 403
    # Behind a TLS-terminating proxy the browser's origin is https, the app sees http.
    same = client.post("/console/login", data={"token": TOKEN},
                       headers={"Origin": "https://localhost"})
    assert same.status_code == 302


def test_ops_reads_take_the_cookie_and_writes_also_need_the_header(client, r, tmp_path):
    load_newsroom(r, tmp_path)
    assert client.get("/v1/ops/sources").status_code == 401
    _login(client)
    assert client.get("/v1/ops/sources").status_code == 200
    refused = client.post("/v1/ops/refresh", json={"source": "desk"})
    assert refused.status_code == 403
    assert "X-Newsdesk-Console: 1" in refused.get_json()["error"]
    assert client.post("/v1/ops/refresh", json={"source": "desk"},
                       headers={"X-Newsdesk-Console": "yes"}).status_code == 403
    accepted = client.post("/v1/ops/refresh", json={"source": "desk"}, headers=WRITE)
    assert accepted.status_code == 202
    assert client.delete(f"/v1/ops/jobs/{accepted.get_json()['job']['id']}").status_code == 403


def test_a_bearer_header_wins_over_the_cookie(client, r):
    _login(client)
    wrong = client.get("/v1/ops/sources", headers={"Authorization": "Bearer wrong-token"})
    assert wrong.status_code == 401


def test_a_tampered_or_old_cookie_is_not_a_session(client, r, monkeypatch):
    _login(client)
    value = client.get_cookie(auth.COOKIE).value
    client.set_cookie(auth.COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert client.get("/v1/ops/sources").status_code == 401
    assert client.get("/console/preview").status_code == 302
    client.set_cookie(auth.COOKIE, value)
    assert client.get("/v1/ops/sources").status_code == 200
    [key] = r.keys("nd:session:*")
    assert auth.SESSION_SECONDS - 60 < r.ttl(key) <= auth.SESSION_SECONDS  # Redis ends it
    assert value.encode() not in key and r.hget(key, "operator") == b"admin"
    r.delete(key)  # as when it expires
    assert client.get("/v1/ops/sources").status_code == 401


def test_every_worker_agrees_and_rotating_a_token_ends_sessions(settings, r, monkeypatch):
    from app import create_app

    first = create_app(Settings.from_env()).test_client()
    _login(first)
    value = first.get_cookie(auth.COOKIE).value
    second = create_app(Settings.from_env()).test_client()  # another gunicorn worker
    second.set_cookie(auth.COOKIE, value)
    assert second.get("/v1/ops/sources").status_code == 200
    monkeypatch.setenv("NEWSDESK_ADMIN_TOKEN", "a-rotated-admin-token-123")
    rotated = create_app(Settings.from_env()).test_client()
    rotated.set_cookie(auth.COOKIE, value)
    assert rotated.get("/v1/ops/sources").status_code == 401


def test_roles_hold_in_the_console(role_app, r, tmp_path):
    load_newsroom(r, tmp_path)
    viewer = role_app.test_client()
    _login(viewer, VIEWER)
    page = viewer.get("/console/sources")
    assert page.status_code == 200 and b'data-can-edit="0"' in page.data
    forbidden = viewer.post("/v1/ops/refresh", json={}, headers=WRITE)
    assert forbidden.status_code == 403 and "editor role" in forbidden.get_json()["error"]
    assert viewer.post("/v1/ops/queues/fetch/retry", headers=WRITE).status_code == 403
    editor = role_app.test_client()
    _login(editor, EDITOR)
    assert b'data-can-edit="1"' in editor.get("/console/sources").data
    assert editor.post("/v1/ops/refresh", json={}, headers=WRITE).status_code == 202


def test_queues_workers_and_a_failed_jobs_traceback(client, r, tmp_path, settings):
    """What operators used RQ's dashboard for, from the console's own API (as text, not HTML)."""
    from channel import keys
    from tests.conftest import run_worker
    from workers import queues

    load_newsroom(r, tmp_path)
    job = queues.enqueue_refresh(r, settings, "no-such-source")  # fails for good: LookupError
    run_worker(r)
    r.delete(keys.JOBS_LEDGER)  # as a sweep does once the job has ended
    _login(client)
    seen = client.get("/v1/ops/queues").get_json()
    assert seen["queues"]["fetch"]["failed"] == 1 and seen["workers"] == []
    detail = client.get(f"/v1/ops/jobs/{job.id}").get_json()["job"]
    assert "Traceback" in detail["traceback"] and "no-such-source" in detail["error"]
    assert "traceback" not in client.get("/v1/ops/jobs").get_json()["jobs"][0]
    assert client.get(f"/console/jobs/{job.id}").status_code == 200
    assert client.get("/console/jobs/<b>").status_code == 404
    assert client.post("/v1/ops/queues/nope/retry", headers=WRITE).status_code == 404
    retried = client.post("/v1/ops/queues/fetch/retry", headers=WRITE).get_json()
    assert retried == {"queue": "fetch", "requeued": [job.id]}
    assert job.get_status() == "queued" and r.zscore(keys.JOBS_LEDGER, job.id) is not None
    entry = client.get("/v1/ops/audit").get_json()["entries"][0]
    assert (entry["action"], entry["target"], entry["jobs"]) == ("retry failed jobs", "fetch", 1)
    assert client.get("/console/rq/").status_code == 404  # rq-dashboard is gone


def test_the_console_is_off_without_operator_tokens(redis_server, r, monkeypatch):
    from app import create_app

    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.delenv("NEWSDESK_ADMIN_TOKEN", raising=False)
    monkeypatch.delenv("NEWSDESK_TOKENS", raising=False)
    client = create_app(Settings.from_env()).test_client()
    assert client.get("/console/login").status_code == 503
    assert client.get("/console/preview").status_code == 503


def test_static_files_and_story_ids(client):
    assert client.get("/console/static/console.js").status_code == 200
    assert client.get("/console/static/console.css").status_code == 200
    _login(client)
    assert client.get("/console/stories/not-an-id").status_code == 404
