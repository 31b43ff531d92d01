"""What is fresh enough to be on air: a maximum age per category (Top stories its own), and an
embargo (a story whose `publishAt` is still to come is not shown). ("Updated", a story whose
content changed after it went on air, is marked as it is stored: store.upsert_entry.)

Ages and embargoes are measured at build time against the card's `publishedAt` (an embargoed
story's `publishedAt` is its `publishAt`). Nothing here runs on the poll path: an embargo that
lifts asks the scheduler for a publish at that moment (channel/feed/due.py); a story that ages
out leaves with the next publish (the scheduler publishes at least once a minute).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import redis

from channel.feed import due

HOUR = 3600.0


def timestamp(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def max_age(hours: float | None) -> float:
    """Seconds, or infinity when no maximum is configured."""
    return float("inf") if hours is None else hours * HOUR


def window(hours: float | None, now: float) -> tuple[float, float]:
    """(oldest, newest) publish times on air now: the range of a category index to read."""
    return now - max_age(hours), now


def on_air(card: dict[str, Any], now: float, hours: float | None = None,
           pinned: bool = False) -> bool:
    """Not embargoed, and young enough (an editor's pin outlives the maximum age, never an
    embargo)."""
    published = timestamp(card["publishedAt"])
    if published > now:
        return False
    return pinned or now - published <= max_age(hours)


def embargo_reason(story_id: str) -> str:
    return f"embargo:{story_id}"


def note_embargo(r: redis.Redis, article: dict[str, Any], now: float | None = None) -> bool:
    """A ready story still under embargo gets a publish at its publishAt. True if embargoed."""
    when = timestamp(article["published_at"])
    if when <= (time.time() if now is None else now):
        due.cancel(r, embargo_reason(article["id"]))
        return False
    due.publish_at(r, embargo_reason(article["id"]), when)
    return True

