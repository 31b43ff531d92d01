"""What TVs call: the feed (prebuilt bytes), article details, thumbnails, health."""

from __future__ import annotations

import threading
import time

import orjson
import redis
from flask import Blueprint, Response, abort, request

from channel import dedup, keys, schemas, store, views
from channel.feed import editorial, exports
from channel.feed.build import VARIANT_ITEMS, rebase_card, variant_name
from channel.feed.publish import Document, FeedVersion
from channel.metrics import POLLS
from channel.web import headers as headers_module
from channel.web import inputs, redis_client, settings

bp = Blueprint("public", __name__)

MAX_QUERY = 200  # characters of a search query
REDIS_RETRY = 1.0  # seconds between attempts while Redis is unreachable


class LiveFeed:
    """The live version's bytes, copied into this process once per version.

    A poll costs one small Redis GET; when Redis is away, the last copy keeps being served.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current: FeedVersion | None = None
        self._index: tuple[int, list[tuple[str, dict]]] | None = None
        self._checked_until = 0.0  # monotonic time until which the pointer is not re-read
        self._stale = False

    def get(self, r: redis.Redis, max_age: float = 0.0) -> tuple[FeedVersion | None, bool]:
        """(version, stale): stale is True when Redis could not be asked.

        The pointer is re-read at most every `max_age` seconds, and a failed read is not
        retried for REDIS_RETRY seconds, so a Redis outage costs polls no waiting.
        """
        now = time.monotonic()
        if self.current is not None and now < self._checked_until:
            return self.current, self._stale
        try:
            live = r.get(keys.FEED_CURRENT)
        except redis.RedisError:
            self._checked_until, self._stale = now + REDIS_RETRY, True
            return self.current, True
        self._checked_until, self._stale = now + max_age, False
        if live is None:
            # Redis answers but has no live version: before the first publish, or a Redis that
            # lost it (a failover to a replica that never got it, a restart without AOF). A
            # copy this process holds is still better for TVs than a 503, until one is published.
            self._stale = self.current is not None
            return self.current, self._stale
        number = int(live)
        cached = self.current
        if cached is not None and cached.version == number:
            return cached, False
        with self._lock:
            if self.current is None or self.current.version != number:
                try:
                    loaded = FeedVersion.load(r, number)
                except redis.RedisError:
                    self._checked_until, self._stale = now + REDIS_RETRY, True
                    return self.current, True
                if loaded is not None:
                    self.current = loaded
        return self.current, False


    def search_index(self, version: FeedVersion) -> list[tuple[str, dict]]:
        """(searchable text, card) for every story of a version, built once per version."""
        cached = self._index
        if cached is not None and cached[0] == version.version:
            return cached[1]
        cards: dict[str, dict] = {}
        for name, document in version.documents.items():
            if name.startswith("category/"):
                for row in orjson.loads(document.body)["rows"]:
                    for card in row["items"]:
                        cards.setdefault(card["id"], card)
        index = [(" ".join([c["title"], c["summary"], *c["tags"]]).lower(), c)
                 for c in sorted(cards.values(), key=lambda c: c["publishedAt"], reverse=True)]
        self._index = (version.version, index)
        return index


live_feed = LiveFeed()


def _etag_matches(etag: str) -> bool:
    return etag_matches(etag, request.headers.get("If-None-Match", ""))


def etag_matches(etag: str, if_none_match: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return if_none_match.strip() == "*" or etag in tags


def poll_response(version: FeedVersion, document: Document, name: str, *, stale: bool,
                  if_none_match: str, accept_encoding: str, max_age: int,
                  content_type: str = "application/json",
                  ) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body for a poll of a prebuilt document: 200, gzip or 304.

    Plain data in and out, so the Flask route and the WSGI fast path (fastpath.py) share it.
    """
    headers = [
        ("ETag", document.etag),
        ("Last-Modified", version.generated_at),
        ("Cache-Control", f"public, max-age={max_age}, stale-while-revalidate={max_age * 5}, "
                          "stale-if-error=86400"),
        ("Vary", "Accept-Encoding"),
        ("X-Feed-Version", str(version.version)),
        *headers_module.API_HEADERS,
    ]
    if stale:
        headers.append(("Warning", '110 - "Response is Stale"'))
    if if_none_match and etag_matches(document.etag, if_none_match):
        POLLS.labels(name.partition("?")[0], "304").inc()
        return 304, headers, b""
    POLLS.labels(name.partition("?")[0], "200").inc()
    headers.append(("Content-Type", content_type))
    if "gzip" in accept_encoding:
        headers.append(("Content-Encoding", "gzip"))
        body = document.gzip
    else:
        body = document.body
    headers.append(("Content-Length", str(len(body))))
    return 200, headers, body


def _serve(name: str, missing: str, *, unavailable: bool = False) -> Response:
    """Prebuilt bytes of one document of the live version. A missing document is a 404, or
    with `unavailable` (an export that has had nothing valid to say yet) a 503."""
    version, stale = live_feed.get(redis_client(), settings().pointer_ttl)
    if version is None:
        abort(503, description="no feed has been published yet")
    document = version.documents.get(name)
    if document is None:
        abort(503 if unavailable else 404, description=missing)
    status, headers, body = poll_response(
        version, document, name, stale=stale,
        if_none_match=request.headers.get("If-None-Match", ""),
        accept_encoding=request.headers.get("Accept-Encoding", ""),
        max_age=settings().feed_max_age,
        content_type=exports.CONTENT_TYPES.get(name, "application/json"))
    return Response(body, status=status, headers=headers)


@bp.get("/v1/feed.json")
def feed() -> Response:
    unknown = set(request.args) - {"items", "thumb"}
    if unknown:
        abort(400, description=f"unknown parameter(s): {', '.join(sorted(unknown))}")
    items, thumb = inputs.whole_number("items"), request.args.get("thumb") or None
    if items is not None and items not in VARIANT_ITEMS:
        abort(400, description=f"items must be one of {', '.join(map(str, VARIANT_ITEMS))}")
    return _serve(variant_name(items, thumb),
                  f"no thumbnail size {inputs.prefix(thumb or '', 20)!r} in this feed")


@bp.get("/v1/categories/<category_id>.json")
def category(category_id: str) -> Response:
    return _serve(f"category/{category_id}",
                  f"no category {inputs.prefix(category_id, 64)!r} with stories")


NOT_YET = ("no valid {} has been published yet: it needs at least one ready story with video "
           "(the console shows operators the reason)")


@bp.get("/v1/roku.json")
def roku() -> Response:
    """Roku Direct Publisher JSON: Roku's SDK feed template and the tools that read it."""
    return _serve(exports.ROKU, NOT_YET.format("Roku Direct Publisher export"), unavailable=True)


@bp.get("/v1/roku-search.json")
def roku_search() -> Response:
    """Roku Search feed: Roku's search indexes the stories with video and deep-links to them."""
    return _serve(exports.ROKU_SEARCH, NOT_YET.format("Roku Search feed"), unavailable=True)


@bp.get("/v1/mrss.xml")
def mrss() -> Response:
    """Media RSS: Fire TV's app builder, FAST aggregators and most video players."""
    return _serve(exports.MRSS, NOT_YET.format("Media RSS feed"), unavailable=True)


@bp.get("/v1/search")
def search() -> Response:
    """Stories of the live feed whose title, summary or tags hold every word of q."""
    query = request.args.get("q") or ""
    if len(query) > MAX_QUERY:
        abort(400, description=f"q is over {MAX_QUERY} characters")
    words = query.lower().split()
    if not words:
        abort(400, description="q is required")
    version, _ = live_feed.get(redis_client(), settings().pointer_ttl)
    if version is None:
        abort(503, description="no feed has been published yet")
    index = live_feed.search_index(version)
    results = [card for text, card in index if all(w in text for w in words)]
    return Response(orjson.dumps({"query": query, "results": results[:50]}),
                    content_type="application/json",
                    headers={"Cache-Control": "public, max-age=60"})


@bp.get("/v1/articles/<article_id>.json")
def article(article_id: str) -> Response:
    r = redis_client()
    if not editorial.is_shown(r, article_id):
        abort(404, description=f"no story {inputs.prefix(article_id, 20)}")
    cards = store.get_cards(r, [article_id])
    doc = store.get_article(r, article_id)
    if not cards or doc is None:
        abort(404, description=f"no story {inputs.prefix(article_id, 20)}")
    words = sum(len(p.split()) for p in doc.get("paragraphs", []))
    detail = {
        "card": rebase_card(cards[0], settings().public_url),  # URLs on today's public URL
        "paragraphs": [p for p in doc.get("paragraphs", []) if p.strip()],
        "byline": doc.get("byline"),
        "source": doc["source_id"],
        "canonicalUrl": doc.get("canonical_url"),
        "readingTimeMinutes": max(1, round(words / 230)),
    }
    if also := dedup.versions(r, article_id):
        detail["alsoFrom"] = [{"id": v["id"], "source": v["source"], "title": v["title"],
                               "canonicalUrl": v["url"]} for v in also]
    schemas.validate("article-detail", detail)
    try:  # a view of the detail, counted without storing who (channel/views.py)
        views.count(r, article_id, request.remote_addr or "", request.user_agent.string)
    except redis.RedisError:
        pass  # never fail a detail over its count
    return Response(
        orjson.dumps(detail),
        content_type="application/json",
        headers={"Cache-Control": "public, max-age=60"},
    )


@bp.get(store.THUMBNAIL_PATH.format("<digest>"))
def thumbnail(digest: str) -> Response:
    if not store.is_thumbnail_digest(digest):
        abort(404, description="no such thumbnail")
    etag = f'"{digest}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=31536000, immutable"}
    if _etag_matches(etag):
        return Response(status=304, headers=headers)
    data = store.get_thumbnail(redis_client(), digest)
    if data is None:
        abort(404, description="no such thumbnail")
    return Response(data, content_type="image/jpeg", headers=headers)
