"""The TV poll of /v1/feed.json, answered before Flask's request machinery.

Millions of TVs poll this one URL; everything else goes through Flask as usual. The answer is
built by the same `poll_response` the Flask route uses, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus

from flask import Flask

from channel.feed.publish import FEED
from channel.web.public import live_feed, poll_response

STATUS = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}


class PollFastPath:
    def __init__(self, app: Flask):
        self.app = app
        self.next = app.wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if (environ.get("PATH_INFO") != "/v1/feed.json" or environ.get("QUERY_STRING")
                or method not in ("GET", "HEAD")):
            return self.next(environ, start_response)
        settings = self.app.config["NEWSDESK"]
        version, stale = live_feed.get(self.app.extensions["redis"], settings.pointer_ttl)
        if version is None or FEED not in version.documents:
            return self.next(environ, start_response)  # Flask answers with the JSON error
        status, headers, body = poll_response(
            version, version.documents[FEED], FEED, stale=stale,
            if_none_match=environ.get("HTTP_IF_NONE_MATCH", ""),
            accept_encoding=environ.get("HTTP_ACCEPT_ENCODING", ""),
            max_age=settings.feed_max_age)
        start_response(STATUS[status], headers)
        return [b""] if method == "HEAD" else [body]
