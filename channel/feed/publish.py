"""Publish a feed version: build, validate, write bytes and gzip, switch the pointer atomically.

A version is every document TVs read, prebuilt: the channel feed, its low-end variants, one
feed per category and the platform exports (channel.feed.exports). An invalid or empty channel
feed is never published (the last good version stays live and the reason is recorded); an
export that breaks a rule, or has nothing valid to say yet, keeps the last good one inside the
new version. A version also records what it was built from (the public URL, the thumbnail
sizes): when that changes, the next publish writes a new version even if no story changed.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import redis

from channel import clock, keys, replication, schemas, store
from channel.config import Settings
from channel.feed import build_inputs, exports
from channel.feed.build import EmptyFeed, build_feed, category_feeds, variants

log = logging.getLogger(__name__)

FEED = "feed"
ROKU = exports.ROKU
UNSTAMPED = ("version", "generatedAt", "lastUpdated")  # change on every build, not content
# A whole publish of 10,000 stored stories takes ~0.4 s (BENCHMARKS.md). The lock outlives a
# publisher that died holding it (kill -9, or Redis restarting mid-publish with the key saved)
# by this long at most; the pointer switch is guarded on its own (see _switch), so a publish that
# overruns its lock can never put an older version live.
LOCK_TTL = 15  # seconds


class PublishRefused(Exception):
    """The build was not published; the live feed is unchanged."""

    def __init__(self, reason: str, *, empty: bool = False):
        super().__init__(reason)
        self.empty = empty  # nothing to publish yet: normal before the first story is ready


@dataclass(frozen=True)
class Document:
    body: bytes
    gzip: bytes
    etag: str


@dataclass(frozen=True)
class FeedVersion:
    """One published version, as the web tier holds it in memory."""

    version: int
    generated_at: str  # RFC 1123, for Last-Modified
    documents: dict[str, Document]

    @classmethod
    def load(cls, r: redis.Redis, version: int) -> FeedVersion | None:
        raw = r.hgetall(keys.feed_version(version))
        if not raw:
            return None
        fields = {k.decode(): v for k, v in raw.items()}
        names = [k.removesuffix(".etag") for k in fields if k.endswith(".etag")]
        documents = {  # a JSON document's bytes are under .json, any other's under .body
            name: Document(fields.get(f"{name}.json") or fields[f"{name}.body"],
                           fields[f"{name}.gz"], fields[f"{name}.etag"].decode())
            for name in names
        }
        return cls(version, fields["generated_at"].decode(), documents)


def digest(doc: dict[str, Any]) -> str:
    """What a reader sees, minus the build stamps: equal digests mean nothing changed."""
    stable = {k: v for k, v in doc.items() if k not in UNSTAMPED}
    return hashlib.sha256(orjson.dumps(stable, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _fields(name: str, doc: dict[str, Any], body: bytes | None = None) -> dict[str, bytes | str]:
    body = body if body is not None else orjson.dumps(doc)
    return {
        f"{name}.json": body,
        f"{name}.gz": gzip.compress(body, compresslevel=9, mtime=0),
        f"{name}.etag": f'"{digest(doc)[:32]}"',
    }


def record_error(r: redis.Redis, reason: str, level: int = logging.ERROR) -> None:
    """What on-call sees as the feed's last error (status, health) and in the log; the reason
    says whether the version was refused or only one export of it."""
    at = store.now_iso()
    r.set(keys.FEED_LAST_ERROR, orjson.dumps({"at": at, "reason": reason[:2000]}))
    log.log(level, "%s", reason)


QUIET = 0.25  # seconds with no story becoming ready: the burst is over
LIMIT = 1.0  # seconds a publish request may wait for quiet


def is_due(r: redis.Redis, quiet: float = QUIET, limit: float = LIMIT) -> bool:
    """Publish now: no story became ready for `quiet` seconds, or the oldest unserved request
    has waited `limit` seconds (a long burst still publishes every second or so)."""
    now = clock.now(r)  # the stamps are the Redis server's (channel/clock.py)
    last, since = r.mget(keys.LAST_READY, keys.PUBLISH_PENDING)
    return now - float(last or 0) >= quiet or (since is not None and now - float(since) >= limit)


def wait_for_quiet(r: redis.Redis, quiet: float = QUIET, limit: float = LIMIT) -> None:
    """Let a burst of stories finish becoming ready, so it makes one publish, not dozens.

    Waits until no story became ready for `quiet` seconds, and never longer than `limit`.
    """
    deadline = time.time() + limit
    skew = clock.now(r) - time.time()  # LAST_READY is the Redis server's time
    while time.time() < deadline:
        last = float(r.get(keys.LAST_READY) or 0)
        if time.time() + skew - last >= quiet:
            return
        time.sleep(min(quiet, max(0.01, deadline - time.time())))


def _body_fields(name: str, body: bytes) -> dict[str, bytes | str]:
    """A non-JSON document (Media RSS): stable bytes, so its hash is the ETag."""
    return {
        f"{name}.body": body,
        f"{name}.gz": gzip.compress(body, compresslevel=9, mtime=0),
        f"{name}.etag": f'"{hashlib.sha256(body).hexdigest()[:32]}"',
    }


def _export_fields(r: redis.Redis, feed: dict[str, Any], settings: Settings,
                   current: int | None) -> dict:
    """Every export's fields; one that is refused carries over the last good one (none before
    the first: its route answers 503 until one is valid)."""
    found = exports.build_exports(r, feed, settings)
    fields: dict[str, Any] = {}
    for name, built in found.built.items():
        fields.update(_fields(name, built.doc) if built.doc is not None
                      else _body_fields(name, built.body or b""))
    for name, reason in found.refused.items():
        # Before the first video story is ready, having nothing to export is the normal start.
        level = logging.INFO if current is None else logging.WARNING
        record_error(r, f"{name} export not published: {reason}", level)
        if current is None:
            continue
        names = [f"{name}.json", f"{name}.body", f"{name}.gz", f"{name}.etag"]
        old = dict(zip(names, r.hmget(keys.feed_version(current), names), strict=True))
        if (old[f"{name}.json"] or old[f"{name}.body"]) and old[f"{name}.gz"] \
                and old[f"{name}.etag"]:
            fields.update({k: v for k, v in old.items() if v is not None})
    return fields


def publish(r: redis.Redis, settings: Settings) -> int:
    """Publish a new version if the content changed. Returns the live version number.

    One publish at a time (a Redis lock), so a burst of requests builds the feed once each,
    in turn, instead of all at once.
    """
    with publish_lock(r):
        return _publish(r, settings)


def publish_lock(r: redis.Redis) -> redis.lock.Lock:
    """Held for one publish; a holder that died leaves it to expire within LOCK_TTL."""
    return r.lock(keys.PUBLISH_LOCK, timeout=LOCK_TTL, blocking_timeout=LOCK_TTL + 5)


def _publish(r: redis.Redis, settings: Settings) -> int:
    r.delete(keys.PUBLISH_PENDING)  # stories readied from now on get a publish of their own
    raw_current = r.get(keys.FEED_CURRENT)
    current = int(raw_current) if raw_current is not None else None
    version = int(r.incr(keys.FEED_SEQ))
    try:
        feed, body = build_feed(r, settings, version)
        schemas.validate("channel-feed", feed)
    except (ValueError, schemas.DocumentInvalid) as exc:
        empty = isinstance(exc, EmptyFeed)
        # Before the first story is ready an empty build is the normal start, not an alarm.
        record_error(r, f"publish refused: version {version}: {exc}",
                     logging.INFO if empty and current is None else logging.ERROR)
        raise PublishRefused(str(exc), empty=empty) from exc
    content = digest(feed)
    inputs = build_inputs.built_from(settings)
    if current is not None:
        live, live_inputs = r.hmget(keys.feed_version(current), ["digest", build_inputs.FIELD])
        if live is not None and live.decode() == content and live_inputs is not None \
                and live_inputs.decode() == inputs:
            return current
    now = datetime.now(UTC)
    fields: dict[str, Any] = {
        "digest": content,
        build_inputs.FIELD: inputs,
        "generated_at": now.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        "published_at": store.iso(now),
        **_fields(FEED, feed, body),
    }
    # Derived documents hold a subset of the validated feed's cards; they are checked too.
    for name, doc in [*variants(feed).items(), *category_feeds(feed).items()]:
        schemas.validate("channel-feed", doc)
        fields.update(_fields(name, doc))
    fields.update(_export_fields(r, feed, settings, current))
    live = _switch(r, version, fields, settings.feed_versions_kept)
    if live != version:
        log.warning("version %d not published: version %d, built later, is already live",
                     version, live)
        return live
    replication.confirm_replicated(r)  # a version TVs may have seen must outlive a failover
    store.keep_thumbnails(r, [t["url"] for row in feed["rows"] for card in row["items"]
                              for t in card["thumbnails"].values()])
    log.info("published feed version %d (%d bytes)", version, len(body))
    return version


def _switch(r: redis.Redis, version: int, fields: dict[str, Any], kept: int) -> int:
    """Write the version and point TVs at it, unless a newer version is live. Returns the live one.

    Versions are numbered when their build starts, so the higher number holds the fresher
    content: a publish that finishes late must not switch the pointer back. An equal number
    live is not replaced either: after a failover lost the counter's last increments, a
    publisher cut off since then may hold the number the new primary gave a newer build.
    """
    with r.pipeline(transaction=True) as p:
        while True:
            try:
                p.watch(keys.FEED_CURRENT, keys.FEED_VERSIONS)
                live = p.get(keys.FEED_CURRENT)
                if live is not None and int(live) >= version:
                    return int(live)
                old = [int(v) for v in p.lrange(keys.FEED_VERSIONS, kept - 1, -1)]
                p.multi()
                p.hset(keys.feed_version(version), mapping=fields)
                p.set(keys.FEED_CURRENT, version)
                p.lpush(keys.FEED_VERSIONS, version)
                p.ltrim(keys.FEED_VERSIONS, 0, kept - 1)
                for v in old:
                    p.delete(keys.feed_version(v))
                p.execute()
                return version
            except redis.WatchError:
                continue  # another publish switched in between: look again
