"""Security headers on every response, so no answer of ours can be sniffed, framed or scripted.

The API's documents are data: `default-src 'none'` means a browser that opens one directly runs
nothing in it and loads nothing from it. Console pages set their own, stricter-than-default
policy (console.py `_page`), which is left as it is. The TV poll's fast path skips Flask, so
`poll_response` adds the same API headers itself.
"""

from __future__ import annotations

from flask import Flask, Response

API_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)


def init_app(app: Flask) -> None:
    @app.after_request
    def secure(response: Response) -> Response:
        for name, value in API_HEADERS:
            response.headers.setdefault(name, value)
        return response
