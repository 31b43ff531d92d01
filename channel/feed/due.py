"""Moments a publish must happen by the clock, not because a story changed.

A breaking alert leaving at its expiry and an embargoed story appearing at its `publishAt` change
the feed with nothing else happening. Each is entered here with its time; the scheduler takes
what is due on every tick and queues an urgent publish (workers/scheduler.py).
"""

from __future__ import annotations

import time

import redis

from channel import keys


def publish_at(r: redis.Redis, reason: str, when: float) -> None:
    """Ask for a publish at unix time `when` (the same reason again moves its time)."""
    r.zadd(keys.PUBLISH_DUE, {reason: when})


def cancel(r: redis.Redis, reason: str) -> None:
    r.zrem(keys.PUBLISH_DUE, reason)


def take_due(r: redis.Redis, now: float | None = None) -> list[str]:
    """The reasons whose time has come, removed in the same step (one scheduler gets each)."""
    now = time.time() if now is None else now
    with r.pipeline(transaction=True) as p:
        p.zrangebyscore(keys.PUBLISH_DUE, "-inf", now)
        p.zremrangebyscore(keys.PUBLISH_DUE, "-inf", now)
        found, _ = p.execute()
    return [m.decode() for m in found]
