"""The Redis store: the channel, categories, sources, articles, cards and thumbnails.

Redis is a cache of what the sources say; every write here is idempotent so jobs can retry.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

import orjson
import redis

from channel import clock, keys, schemas


def iso(moment: datetime) -> str:
    """UTC to the second with a "Z": every time Newsdesk stores or shows, so they sort as text."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def now_iso() -> str:
    return iso(datetime.now(UTC))


def _ts(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


# --- channel settings and categories -------------------------------------------------------


def save_channel(r: redis.Redis, channel: dict[str, Any]) -> None:
    r.set(keys.CHANNEL, orjson.dumps(channel))


def load_channel(r: redis.Redis) -> dict[str, Any]:
    raw = r.get(keys.CHANNEL)
    return orjson.loads(raw) if raw else {"provider": "Newsdesk", "language": "en"}


def save_categories(r: redis.Redis, categories: list[dict[str, Any]]) -> None:
    r.set(keys.CATEGORIES, orjson.dumps(categories))


def load_categories(r: redis.Redis) -> list[dict[str, Any]]:
    raw = r.get(keys.CATEGORIES)
    return orjson.loads(raw) if raw else []


CHANNEL_SETTINGS = ("provider", "language", "liveStream", "topStoriesMaxAgeHours", "mostViewed")


def save_channel_config(r: redis.Redis, doc: dict[str, Any]) -> None:
    """A validated channel config: identity, categories, sources (sources not in it are kept)."""
    save_channel(r, {k: doc[k] for k in CHANNEL_SETTINGS if k in doc})
    save_categories(r, doc["categories"])
    for source in doc["sources"]:
        save_source(r, source)


# --- sources --------------------------------------------------------------------------------


def save_source(r: redis.Redis, source: dict[str, Any]) -> dict[str, Any]:
    """Validate and store a source; defaults from the schema are filled in."""
    schemas.validate("source", source)
    source = {"interval": 300, "enabled": True, "max_items": 50, **source}
    with r.pipeline() as p:
        p.set(keys.source(source["id"]), orjson.dumps(source))
        p.sadd(keys.SOURCES, source["id"])
        p.execute()
    return source


def update_source(r: redis.Redis, source: dict[str, Any], changes: dict[str, Any]) -> dict:
    """Apply a validated partial update; a new url replaces the path and vice versa."""
    merged = {**source, **changes}
    if "url" in changes:
        merged.pop("path", None)
    if "path" in changes:
        merged.pop("url", None)
    return save_source(r, merged)


def get_source(r: redis.Redis, source_id: str) -> dict[str, Any] | None:
    raw = r.get(keys.source(source_id))
    return orjson.loads(raw) if raw else None


def list_sources(r: redis.Redis) -> list[dict[str, Any]]:
    ids = sorted(i.decode() for i in r.smembers(keys.SOURCES))
    raws = r.mget([keys.source(i) for i in ids]) if ids else []
    return [orjson.loads(raw) for raw in raws if raw]


def delete_source(r: redis.Redis, source_id: str) -> bool:
    with r.pipeline() as p:
        p.delete(keys.source(source_id), keys.source_state(source_id),
                 keys.source_failed_stories(source_id))
        p.srem(keys.SOURCES, source_id)
        return bool(p.execute()[0])


def source_state(r: redis.Redis, source_id: str) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in r.hgetall(keys.source_state(source_id)).items()}


def update_source_state(r: redis.Redis, source_id: str, **fields: Any) -> None:
    clean = {k: ("" if v is None else str(v)) for k, v in fields.items()}
    if clean:
        r.hset(keys.source_state(source_id), mapping=clean)


# --- articles -------------------------------------------------------------------------------


def get_article(r: redis.Redis, article_id: str) -> dict[str, Any] | None:
    raw = r.get(keys.article(article_id))
    return orjson.loads(raw) if raw else None


def save_article(r: redis.Redis, article: dict[str, Any]) -> None:
    """Store the article document; a ready one also gets its card indexed for the feed."""
    schemas.validate("article", article)
    article["updated_at"] = now_iso()
    ts = _ts(article["published_at"])
    with r.pipeline() as p:
        p.set(keys.article(article["id"]), orjson.dumps(article))
        p.zadd(keys.ARTICLES, {article["id"]: ts})
        p.execute()


def upsert_entry(r: redis.Redis, article: dict[str, Any]) -> bool:
    """Store a freshly ingested article unless an identical one is ready. True if it needs work.

    Pending or failed articles count as needing work, so a processing job lost with a killed
    worker is queued again by the next refresh. An editor's focal point survives an update.
    """
    old = get_article(r, article["id"])
    if old and old.get("content_hash") == article["content_hash"] and old["status"] == "ready":
        return False
    for kept in ("focal", "category_override", "revised_at"):  # outlive content updates
        if old and old.get(kept):
            article[kept] = old[kept]
    if old and old["status"] == "ready" and _ts(old["published_at"]) <= clock.now(r):
        article["revised_at"] = now_iso()  # changed after it went on air: the card's updatedAt
    article.setdefault("status", "pending")
    save_article(r, article)
    return True


def mark_ready(r: redis.Redis, article: dict[str, Any], card: dict[str, Any]) -> None:
    """Switch an article to ready and index its card, in one transaction."""
    article["status"] = "ready"
    article["error"] = None
    schemas.validate("article", article)
    article["updated_at"] = now_iso()
    ts = _ts(article["published_at"])
    ready_at = clock.now(r)  # compared by publishers on other hosts (publish.is_due)
    with r.pipeline() as p:
        p.set(keys.article(article["id"]), orjson.dumps(article))
        p.zadd(keys.ARTICLES, {article["id"]: ts})
        for cat in load_categories(r):
            p.zrem(keys.category_index(cat["id"]), article["id"])
        p.zadd(keys.category_index(article["category"]), {article["id"]: ts})
        p.hset(keys.CARDS, article["id"], orjson.dumps(card))
        p.set(keys.LAST_READY, ready_at)
        p.srem(keys.source_failed_stories(article["source_id"]), article["id"])
        p.execute()


def mark_failed(r: redis.Redis, article: dict[str, Any], reason: str) -> None:
    """Record why processing failed, on the story and in its source's health (the operator
    looks there); a card already live stays live (nothing is lost)."""
    article["status"] = "failed"
    article["error"] = reason[:500]
    save_article(r, article)
    with r.pipeline() as p:
        p.sadd(keys.source_failed_stories(article["source_id"]), article["id"])
        p.hset(keys.source_state(article["source_id"]), mapping={
            "last_story_error": f"{article['id']}: {reason[:300]}",
            "last_story_error_at": now_iso()})
        p.execute()


def failed_stories(r: redis.Redis, source_id: str) -> int:
    return r.scard(keys.source_failed_stories(source_id))


def ready_ids(r: redis.Redis) -> list[str]:
    """Every ready story (those with a card), in no particular order."""
    return sorted(i.decode() for i in r.hkeys(keys.CARDS))


def get_cards(r: redis.Redis, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    return [orjson.loads(raw) for raw in r.hmget(keys.CARDS, ids) if raw]


# --- thumbnails -----------------------------------------------------------------------------


THUMBNAIL_TTL = 7 * 24 * 3600  # renewed by every publish that shows the story
THUMBNAIL_PATH = "/v1/thumbnails/{}.jpg"  # where TVs fetch a thumbnail by its digest
_DIGEST_CHARS = 32
_DIGEST = re.compile(rf"[0-9a-f]{{{_DIGEST_CHARS}}}")


def save_thumbnail(r: redis.Redis, data: bytes) -> str:
    """Store JPEG bytes under their content hash; identical images are stored once."""
    digest = hashlib.sha256(data).hexdigest()[:_DIGEST_CHARS]
    r.set(keys.thumbnail(digest), data, ex=THUMBNAIL_TTL)
    return digest


def is_thumbnail_digest(value: str) -> bool:
    return bool(_DIGEST.fullmatch(value))


def thumbnail_url(base: str, digest: str) -> str:
    return base + THUMBNAIL_PATH.format(digest)


def thumbnail_digest(url: str) -> str | None:
    """The digest in a thumbnail URL (whatever its base), or None for any other URL."""
    prefix, _, suffix = THUMBNAIL_PATH.partition("{}")
    path = url.rsplit(prefix, 1)[-1] if prefix in url else ""
    digest = path.removesuffix(suffix)
    return digest if path.endswith(suffix) and is_thumbnail_digest(digest) else None


def keep_thumbnails(r: redis.Redis, urls: list[str]) -> None:
    """Renew the thumbnails a published feed shows; those of stories that left it expire."""
    with r.pipeline(transaction=False) as p:
        for digest in filter(None, map(thumbnail_digest, urls)):
            p.expire(keys.thumbnail(digest), THUMBNAIL_TTL)
        p.execute()


def get_thumbnail(r: redis.Redis, digest: str) -> bytes | None:
    return r.get(keys.thumbnail(digest))
