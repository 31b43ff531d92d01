"""What TVs call: the feed (prebuilt bytes), article details, thumbnails, health."""

from __future__ import annotations

import threading

import orjson
import redis
from flask import Blueprint, Response, abort, request

from channel import keys, schemas, store
from channel.publish import FeedVersion
from channel.web import redis_client, settings

bp = Blueprint("public", __name__)


class LiveFeed:
    """The live version's bytes, copied into this process once per version.

    A poll costs one small Redis GET; when Redis is away, the last copy keeps being served.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current: FeedVersion | None = None

    def get(self, r: redis.Redis) -> tuple[FeedVersion | None, bool]:
        """(version, stale): stale is True when Redis could not be asked."""
        try:
            live = r.get(keys.FEED_CURRENT)
        except redis.RedisError:
            return self.current, True
        if live is None:
            return None, False
        number = int(live)
        cached = self.current
        if cached is not None and cached.version == number:
            return cached, False
        with self._lock:
            if self.current is None or self.current.version != number:
                try:
                    loaded = FeedVersion.load(r, number)
                except redis.RedisError:
                    return self.current, True
                if loaded is not None:
                    self.current = loaded
        return self.current, False


live_feed = LiveFeed()


def _etag_matches(etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return header.strip() == "*" or etag in tags


@bp.get("/v1/feed.json")
def feed() -> Response:
    version, stale = live_feed.get(redis_client())
    if version is None:
        abort(503, description="no feed has been published yet")
    max_age = settings().feed_max_age
    headers = {
        "ETag": version.etag,
        "Last-Modified": version.generated_at,
        "Cache-Control": f"public, max-age={max_age}, stale-while-revalidate={max_age * 5}, "
        f"stale-if-error=86400",
        "Vary": "Accept-Encoding",
        "X-Feed-Version": str(version.version),
    }
    if stale:
        headers["Warning"] = '110 - "Response is Stale"'
    if _etag_matches(version.etag):
        return Response(status=304, headers=headers)
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(version.gzip, headers=headers, content_type="application/json")
    return Response(version.body, headers=headers, content_type="application/json")


@bp.get("/v1/articles/<article_id>.json")
def article(article_id: str) -> Response:
    r = redis_client()
    if r.sismember(keys.HIDDEN, article_id) or r.sismember(keys.PULLED, article_id):
        abort(404, description=f"no story {article_id}")
    cards = store.get_cards(r, [article_id])
    doc = store.get_article(r, article_id)
    if not cards or doc is None:
        abort(404, description=f"no story {article_id}")
    words = sum(len(p.split()) for p in doc.get("paragraphs", []))
    detail = {
        "card": cards[0],
        "paragraphs": [p for p in doc.get("paragraphs", []) if p.strip()],
        "byline": doc.get("byline"),
        "source": doc["source_id"],
        "canonicalUrl": doc.get("canonical_url"),
        "readingTimeMinutes": max(1, round(words / 230)),
    }
    schemas.validate("article-detail", detail)
    return Response(orjson.dumps(detail), content_type="application/json",
                    headers={"Cache-Control": "public, max-age=60"})


@bp.get("/v1/thumbnails/<digest>.jpg")
def thumbnail(digest: str) -> Response:
    if len(digest) != 32 or not all(c in "0123456789abcdef" for c in digest):
        abort(404, description="no such thumbnail")
    etag = f'"{digest}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=31536000, immutable"}
    if _etag_matches(etag):
        return Response(status=304, headers=headers)
    data = store.get_thumbnail(redis_client(), digest)
    if data is None:
        abort(404, description="no such thumbnail")
    return Response(data, content_type="image/jpeg", headers=headers)


@bp.get("/healthz")
def healthz() -> Response:
    return Response(b'{"status":"ok"}', content_type="application/json")
