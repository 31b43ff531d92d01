"""Findings 4, 8 and 10: guessing tokens is rate limited, sessions end when they should, short
tokens are refused at start, and `newsdesk up` prints a token only when it made one."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from channel.config import Settings
from channel.web import auth
from tests.conftest import TOKEN

ATTACKER = {"REMOTE_ADDR": "203.0.113.9"}
OTHER = {"REMOTE_ADDR": "198.51.100.7"}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_wrong_bearer_tokens_are_limited_per_address(client, r):
    for _ in range(auth.FAILURES_PER_ADDRESS):
        wrong = client.get("/v1/ops/sources", headers=_bearer("wrong-token-guess"),
                           environ_base=ATTACKER)
        assert wrong.status_code == 401
    limited = client.get("/v1/ops/sources", headers=_bearer("wrong-token-guess"),
                         environ_base=ATTACKER)
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= auth.FAILURE_WINDOW
    # Locked out, the right token is not even checked: a 429 says nothing about a guess.
    assert client.get("/v1/ops/sources", headers=_bearer(TOKEN),
                      environ_base=ATTACKER).status_code == 429
    assert client.get("/v1/ops/sources", headers=_bearer(TOKEN),
                      environ_base=OTHER).status_code == 200


def test_failures_from_everywhere_are_limited_overall(client, r, monkeypatch):
    monkeypatch.setattr(auth, "FAILURES_OVERALL", 15)
    for n in range(15):  # five addresses, three guesses each: under the per-address limit
        environ = {"REMOTE_ADDR": f"192.0.2.{n % 5 + 1}"}
        assert client.get("/v1/ops/audit", headers=_bearer(f"guess-{n}-xxxxxxxxxxxx"),
                          environ_base=environ).status_code == 401
    fresh = client.get("/v1/ops/audit", headers=_bearer("another-guess-xxxxxx"),
                       environ_base={"REMOTE_ADDR": "192.0.2.200"})
    assert fresh.status_code == 429 and "Retry-After" in fresh.headers


def test_console_logins_are_limited_too(client, r):
    for _ in range(auth.FAILURES_PER_ADDRESS):
        page = client.post("/console/login", data={"token": "not-the-token"},
                           environ_base=ATTACKER)
        assert page.status_code == 401
    page = client.post("/console/login", data={"token": TOKEN}, environ_base=ATTACKER)
    assert page.status_code == 429 and b"too many failed logins" in page.data
    assert "Retry-After" in page.headers and auth.COOKIE not in page.headers.get("Set-Cookie", "")
    # The console and the API share the count: the same address is locked out of both.
    assert client.get("/v1/ops/sources", headers=_bearer(TOKEN),
                      environ_base=ATTACKER).status_code == 429


def test_a_session_ends_at_logout_and_when_its_token_is_removed(settings, r, monkeypatch):
    from app import create_app

    monkeypatch.setenv("NEWSDESK_TOKENS", "ed:editor:editor-token-0123456789")
    app = create_app(Settings.from_env())
    mine, copy = app.test_client(), app.test_client()
    mine.post("/console/login", data={"token": "editor-token-0123456789"})
    copy.set_cookie(auth.COOKIE, mine.get_cookie(auth.COOKIE).value)  # stolen before logout
    assert copy.get("/v1/ops/sources").status_code == 200
    mine.post("/console/logout")
    assert copy.get("/v1/ops/sources").status_code == 401
    assert copy.get("/console/jobs").status_code == 302
    mine.post("/console/login", data={"token": "editor-token-0123456789"})
    assert mine.get("/v1/ops/sources").status_code == 200
    monkeypatch.setenv("NEWSDESK_TOKENS", "")  # the editor's token is taken away
    after = create_app(Settings.from_env()).test_client()
    after.set_cookie(auth.COOKIE, mine.get_cookie(auth.COOKIE).value)
    assert after.get("/v1/ops/sources").status_code == 401


def test_logout_from_another_site_is_refused(client, r):
    client.post("/console/login", data={"token": TOKEN})
    refused = client.post("/console/logout", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    assert client.get("/v1/ops/sources").status_code == 200


@pytest.mark.parametrize("variable", ["NEWSDESK_ADMIN_TOKEN", "NEWSDESK_TOKENS"])
def test_short_tokens_are_refused_at_start(settings, monkeypatch, variable):
    from app import create_app
    from channel.cli import main

    value = "x" if variable == "NEWSDESK_ADMIN_TOKEN" else "ed:editor:short"
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match="16 or more characters"):
        create_app()
    result = CliRunner().invoke(main, ["sources", "list"])  # every command reads the settings
    assert result.exit_code == 2 and "16 or more characters" in result.output
    assert value not in result.output.replace(variable, "")
