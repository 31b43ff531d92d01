"""The one clock every host agrees on: the Redis server's.

Timestamps that one process writes and another compares (when a story last became ready, when
a publish was first requested, when a source is next due) are taken from Redis (TIME), not from
the machine the process runs on: workers, the scheduler and the web tier may run on hosts whose
clocks differ by more than the fractions of a second these windows are made of. After a
failover the promoted server's clock takes over; hosts kept on NTP differ by milliseconds.
"""

from __future__ import annotations

import redis


def now(r: redis.Redis) -> float:
    """Unix time on the Redis server (one round trip)."""
    seconds, micros = r.time()
    return seconds + micros / 1_000_000
