"""What a feed version is built from besides the stories: the public URL and thumbnail sizes.

Every URL in a version starts with the public URL, and every card's thumbnails were made at
the configured sizes. A version records both; when the configuration no longer matches the
live version (a new host or port, a CDN name, new sizes), the next start republishes.
"""

from __future__ import annotations

from typing import Any

import orjson
import redis

from channel import keys
from channel.config import Settings

FIELD = "built_from"  # field of the version hash


def built_from(settings: Settings) -> str:
    """The inputs of a build as stored on its version (JSON, stable key order)."""
    return orjson.dumps({"publicUrl": settings.public_url,
                         "thumbnailSizes": settings.thumbnail_sizes}).decode()


def live(r: redis.Redis) -> dict[str, Any] | None:
    """The inputs the live version was built from; None before any version (or for one
    published before versions recorded them)."""
    current = r.get(keys.FEED_CURRENT)
    if current is None:
        return None
    raw = r.hget(keys.feed_version(int(current)), FIELD)
    return orjson.loads(raw) if raw else None


def changed(r: redis.Redis, settings: Settings) -> list[str]:
    """Which inputs differ between the configuration and the live version ([] if none, or no
    version is live yet): "publicUrl", "thumbnailSizes"."""
    if r.get(keys.FEED_CURRENT) is None:
        return []
    was = live(r) or {}
    now = orjson.loads(built_from(settings))
    return [name for name, value in now.items() if was.get(name) != value]
