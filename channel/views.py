"""Article-detail views per story per day, counted without keeping anything personal.

Each view adds a visitor token to one HyperLogLog per story per UTC day (PFADD, with the key's
expiry, in one round trip). The token is a keyed BLAKE2b of the client's address and User-Agent
under a salt that is random per day and deleted with that day's counts: no address or UA is
stored, and a token cannot be tied to one from another day or recomputed once the salt is gone.
An HLL keeps only register maxima of hashed tokens, so even the tokens are not recoverable.

"Last 24 hours" from daily counters: today's count plus yesterday's in proportion to the part of
yesterday still inside the window (views assumed even across yesterday).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from datetime import UTC, datetime

import redis

from channel import keys

KEEP = 2 * 24 * 3600 + 3600  # seconds a day's counts and salt live: yesterday is still read
DAY = 24 * 3600


def day_of(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y%m%d")


SALT_RECHECK = 60.0  # seconds a process trusts its copy of the day's salt


class Salts:
    """The day's salt, shared by every web process through Redis and re-read at most once a
    minute (a Redis that lost it gets a new one, and every process agrees again soon)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._day: str | None = None
        self._salt = b""
        self._until = 0.0

    def get(self, r: redis.Redis, day: str) -> bytes:
        if self._day == day and time.monotonic() < self._until:
            return self._salt
        with self._lock:
            if self._day != day or time.monotonic() >= self._until:
                r.set(keys.views_salt(day), secrets.token_bytes(16), nx=True, ex=KEEP)
                self._salt, self._day = r.get(keys.views_salt(day)) or b"", day
                self._until = time.monotonic() + SALT_RECHECK
        return self._salt

    def forget(self) -> None:
        self._day, self._until = None, 0.0


salts = Salts()


def visitor(salt: bytes, address: str, user_agent: str) -> bytes:
    """A day-scoped token: the same viewer twice in a day counts once."""
    data = f"{address}\0{user_agent[:300]}".encode("utf-8", "replace")
    return hashlib.blake2b(data, key=salt, digest_size=8).digest()


def count(r: redis.Redis, story_id: str, address: str, user_agent: str,
          now: float | None = None) -> None:
    """One view of a story's detail: one round trip (PFADD + EXPIRE pipelined)."""
    now = time.time() if now is None else now
    day = day_of(now)
    token = visitor(salts.get(r, day), address, user_agent)
    with r.pipeline(transaction=False) as p:
        p.pfadd(keys.views(day, story_id), token)
        p.expire(keys.views(day, story_id), KEEP)
        p.execute()


def last_day(r: redis.Redis, story_ids: list[str], now: float | None = None) -> dict[str, float]:
    """Estimated distinct viewers per story over the last 24 hours (one pipelined read)."""
    now = time.time() if now is None else now
    today, yesterday = day_of(now), day_of(now - DAY)
    midnight = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0,
                                                         microsecond=0).timestamp()
    share = max(0.0, 1.0 - (now - midnight) / DAY)  # of yesterday, still in the window
    with r.pipeline(transaction=False) as p:
        for story_id in story_ids:
            p.pfcount(keys.views(today, story_id))
            p.pfcount(keys.views(yesterday, story_id))
        counts = p.execute()
    return {story_id: counts[2 * i] + share * counts[2 * i + 1]
            for i, story_id in enumerate(story_ids)}
