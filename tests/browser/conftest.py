"""Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against a live app.

The app runs on 127.0.0.1 on a free port in a thread (werkzeug's server); the browser may load
nothing else: every request to another origin is aborted, and Chromium's own background traffic
is switched off. Without /usr/bin/chromium or Playwright the tests skip with the reason, except
in CI (CI or NEWSDESK_BROWSER_TESTS=required set), where a missing browser is a failure:
`scripts/install-browser` installs Chromium and the test extra installs Playwright.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from rq import SimpleWorker
from werkzeug.serving import make_server

from channel.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # --headless comes from headless=True
REQUIRED = bool(os.environ.get("CI")) or os.environ.get("NEWSDESK_BROWSER_TESTS") == "required"


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (run scripts/install-browser as root)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module, closed after it; each test gets its own context."""
    reason = _missing()
    if reason:
        if REQUIRED:
            pytest.fail(f"browser tests are required here but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="nd-chromium-")
    with sync_playwright() as p:
        # A fresh HOME (Chromium's config and cache root) per module; Playwright also gives
        # every launch a fresh temporary profile: no state from earlier runs or other users.
        found = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                  args=CHROMIUM_ARGS, env={**os.environ, "HOME": profile},
                                  timeout=20_000)
        yield found
        found.close()
    shutil.rmtree(profile, ignore_errors=True)


def run_jobs(r: redis.Redis) -> None:
    """Run every queued job in this process (RQ's SimpleWorker), as tests.conftest.run_worker.

    Never a forking worker here: this process also runs the live server's threads and the
    Playwright connection, which a fork would copy mid-flight.
    """
    from workers import queues

    SimpleWorker([queues.queue(r, q) for q in queues.ALL], connection=r).work(burst=True)


class LiveServer:
    """The Flask app served on 127.0.0.1:<free port> from a thread."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._app = None
        # Bind first (port 0), so thumbnails in the feed can point at this very server.
        self._server = make_server("127.0.0.1", 0, self._dispatch, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        monkeypatch.setenv("NEWSDESK_PUBLIC_URL", self.url)  # workers in the test read it too
        from app import create_app
        from channel.web import public

        public.live_feed.current = None
        self._app = create_app(Settings.from_env())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _dispatch(self, environ, start_response):
        return self._app(environ, start_response)

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(5)
        self._server.server_close()


@pytest.fixture
def live_server(settings, r, monkeypatch) -> Iterator[LiveServer]:
    server = LiveServer(monkeypatch)
    yield server
    server.stop()


@pytest.fixture
def js_errors() -> list[str]:
    """What the page logged as errors; a test that provokes one on purpose clears it."""
    return []


@pytest.fixture
def page(browser, live_server, js_errors) -> Iterator[Any]:
    """A fresh browser context and page that may only talk to the live server.

    JavaScript errors and console errors (CSP violations among them) fail the test at the end.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    origin = live_server.url + "/"
    context.route("**/*", lambda route: route.continue_()
                  if route.request.url.startswith(origin) else route.abort())
    errors = js_errors
    tab = context.new_page()
    tab.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    tab.on("console", lambda msg: errors.append(f"console: {msg.text}")
           if msg.type == "error" else None)
    tab.on("dialog", lambda dialog: dialog.accept())  # "Pull this story?" → yes
    yield tab
    context.close()
    assert errors == []
