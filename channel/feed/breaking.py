"""The breaking news alert: one at a time, shown by TVs as a banner above the rows.

The alert is a JSON value whose Redis expiry is its own, so an expired alert is simply gone; the
feed builder reads it with one GET per build (never per poll). Leaving the feed at expiry needs a
publish at that moment, asked of the scheduler through channel/feed/due.py. The feed carries
`expiresAt` too, so a TV hides the banner on time even between its polls.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import redis

from channel import audit, keys, store
from channel.feed import due

DEFAULT_MINUTES = 30
DUE_REASON = "breaking-expiry"


def current(r: redis.Redis) -> dict[str, Any] | None:
    """The live alert as stored ({id, text, storyId?, raisedAt, expiresAt, raisedBy}), or None."""
    raw = r.get(keys.BREAKING)
    if raw is None:
        return None
    alert = orjson.loads(raw)
    return alert if _parse(alert["expiresAt"]) > datetime.now(UTC) else None


def raise_alert(r: redis.Redis, text: str, *, who: str, story_id: str | None = None,
                minutes: int = DEFAULT_MINUTES, now: datetime | None = None,
                lifetime: timedelta | None = None) -> dict[str, Any]:
    """Replace any alert with this one; `lifetime` (tests) overrides `minutes`."""
    now = now or datetime.now(UTC)
    expires = now + (lifetime if lifetime is not None else timedelta(minutes=minutes))
    alert: dict[str, Any] = {"id": secrets.token_hex(6), "text": text.strip(),
                             "raisedAt": store.iso(now), "expiresAt": _iso_ms(expires),
                             "raisedBy": who}
    if story_id:
        alert["storyId"] = story_id
    at_ms = int(expires.timestamp() * 1000)
    with r.pipeline(transaction=True) as p:
        p.set(keys.BREAKING, orjson.dumps(alert), pxat=max(at_ms, int(time.time() * 1000) + 1))
        p.zadd(keys.PUBLISH_DUE, {DUE_REASON: expires.timestamp()})
        p.execute()
    audit.record(r, who, "raise breaking alert", alert["id"], text=alert["text"],
                 story=story_id, expiresAt=alert["expiresAt"])
    return alert


def clear(r: redis.Redis, *, who: str) -> dict[str, Any] | None:
    """Take the alert down; returns the one cleared (None: there was none)."""
    alert = current(r)
    r.delete(keys.BREAKING)
    due.cancel(r, DUE_REASON)
    audit.record(r, who, "clear breaking alert", alert["id"] if alert else "-")
    return alert


def feed_object(alert: dict[str, Any], public_url: str) -> dict[str, Any]:
    """The feed's `breaking` object (channel-feed.schema.json#/$defs/breaking)."""
    doc = {k: alert[k] for k in ("id", "text", "raisedAt", "expiresAt")}
    if alert.get("storyId"):
        doc["storyId"] = alert["storyId"]
        doc["detailUrl"] = f"{public_url}/v1/articles/{alert['storyId']}.json"
    return doc


def _iso_ms(moment: datetime) -> str:
    """Expiry to the millisecond, so a short alert (tests) does not round to a second early."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))
