"""Writes that must survive a failover: wait until a replica holds them (Redis WAIT).

Redis replicates asynchronously, so a write the primary acknowledged can vanish when the
primary dies before its replica received it and the replica is promoted. For the writes whose
loss a TV or an operator would see (a feed version switched live, an operator's change) the
writer calls `confirm_replicated` before it reports success: it returns once at least one
replica has every write made so far, or after REPLICA_WAIT_MS (then it logs a warning and the
write stands on the primary alone: Newsdesk chooses to stay available over refusing writes).

With one Redis (REDIS_URL) there is no replica to wait for and nothing is done; through
Sentinel with no replica connected (the one left after a failover, before another rejoins) the
same, with a warning.
"""

from __future__ import annotations

import logging

import redis
from redis.sentinel import SentinelConnectionPool

from channel import keys

log = logging.getLogger(__name__)

REPLICA_WAIT_MS = 1000  # how long a write that matters waits for a replica's acknowledgement


def confirm_replicated(r: redis.Redis, timeout_ms: int = REPLICA_WAIT_MS) -> bool | None:
    """True: a replica holds every write acknowledged so far; False: none did within
    `timeout_ms` (logged); None: nothing to wait for (one Redis, or no replica connected)."""
    if not isinstance(r.connection_pool, SentinelConnectionPool):
        return None  # one Redis (REDIS_URL): no replica is part of the deployment
    role = r.execute_command("ROLE")
    replicas = role[2] if len(role) > 2 else []
    if not replicas:
        log.warning("no replica connected to the Redis primary: this write is on the primary "
                    "alone until one is")
        return None
    # WAIT counts the writes of the connection it is sent on; a write on that same connection
    # (one pipeline) comes after every write already acknowledged on any connection, so the
    # replica's acknowledgement of it covers them all.
    with r.pipeline(transaction=False) as p:
        p.incr(keys.REPLICATION_MARK)
        p.execute_command("WAIT", 1, timeout_ms)
        acked = p.execute()[-1]
    if not acked:
        log.warning("no replica acknowledged within %d ms: the last write may be lost if the "
                    "primary dies now", timeout_ms)
        return False
    return True
