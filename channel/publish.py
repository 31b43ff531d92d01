"""Publish a feed version: build, validate, write bytes and gzip, switch the pointer atomically.

An invalid or empty build is never published; the last good version stays live and the
reason is recorded for operators.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
import redis

from channel import keys, schemas
from channel.config import Settings
from channel.feed import build_feed

log = logging.getLogger(__name__)


class PublishRefused(Exception):
    """The build was not published; the live feed is unchanged."""


@dataclass(frozen=True)
class FeedVersion:
    version: int
    body: bytes
    gzip: bytes
    etag: str
    generated_at: str  # RFC 1123, for Last-Modified

    @classmethod
    def load(cls, r: redis.Redis, version: int) -> FeedVersion | None:
        raw = r.hgetall(keys.feed_version(version))
        if not raw:
            return None
        return cls(
            version,
            raw[b"json"],
            raw[b"gzip"],
            raw[b"etag"].decode(),
            raw[b"generated_at"].decode(),
        )


def _content_digest(doc: dict) -> str:
    """What the TV sees, minus the version stamp: equal digests mean nothing changed."""
    stable = {k: v for k, v in doc.items() if k not in ("version", "generatedAt")}
    return hashlib.sha256(orjson.dumps(stable, option=orjson.OPT_SORT_KEYS)).hexdigest()


def record_error(r: redis.Redis, reason: str) -> None:
    at = datetime.now(UTC).isoformat(timespec="seconds")
    r.set(keys.FEED_LAST_ERROR, orjson.dumps({"at": at, "reason": reason[:2000]}))
    log.error("publish refused: %s", reason)


def wait_for_quiet(r: redis.Redis, quiet: float = 0.25, limit: float = 1.0) -> None:
    """Let a burst of stories finish becoming ready, so it makes one publish, not dozens.

    Waits until no story became ready for `quiet` seconds, and never longer than `limit`.
    """
    deadline = time.time() + limit
    while time.time() < deadline:
        last = float(r.get(keys.LAST_READY) or 0)
        if time.time() - last >= quiet:
            return
        time.sleep(min(quiet, max(0.01, deadline - time.time())))


def publish(r: redis.Redis, settings: Settings) -> int:
    """Publish a new version if the content changed. Returns the live version number."""
    r.delete(keys.PUBLISH_PENDING)  # stories readied from now on get a publish of their own
    current = r.get(keys.FEED_CURRENT)
    version = int(r.incr(keys.FEED_SEQ))
    try:
        doc, body = build_feed(r, settings, version)
        schemas.validate("channel-feed", doc)
    except (ValueError, schemas.DocumentInvalid) as exc:
        record_error(r, f"version {version}: {exc}")
        raise PublishRefused(str(exc)) from exc
    digest = _content_digest(doc)
    if current is not None:
        live = r.hget(keys.feed_version(int(current)), "digest")
        if live is not None and live.decode() == digest:
            return int(current)
    now = datetime.now(UTC)
    fields = {
        "json": body,
        "gzip": gzip.compress(body, compresslevel=9, mtime=0),
        "etag": f'"{digest[:32]}"',
        "digest": digest,
        "generated_at": now.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        "published_at": now.isoformat(timespec="seconds"),
    }
    old = [int(v) for v in r.lrange(keys.FEED_VERSIONS, settings.feed_versions_kept - 1, -1)]
    with r.pipeline(transaction=True) as p:
        p.hset(keys.feed_version(version), mapping=fields)
        p.set(keys.FEED_CURRENT, version)
        p.lpush(keys.FEED_VERSIONS, version)
        p.ltrim(keys.FEED_VERSIONS, 0, settings.feed_versions_kept - 1)
        for v in old:
            p.delete(keys.feed_version(v))
        p.execute()
    log.info("published feed version %d (%d bytes)", version, len(body))
    return version
