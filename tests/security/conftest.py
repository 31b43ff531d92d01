"""The security tests use the browser tests' real Chromium and live server (tests/browser)."""

from tests.browser.conftest import browser, js_errors, live_server, page  # noqa: F401
