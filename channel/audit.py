"""The audit log: who changed what, newest first. Every operator action writes one entry."""

from __future__ import annotations

from typing import Any

import orjson
import redis

from channel import keys, replication, store

KEPT = 1000  # entries; older ones are dropped


def record(r: redis.Redis, who: str, action: str, target: str, **details: Any) -> None:
    """Audit an operator's change; it is their action's last write, so it also waits for a
    replica to hold the change (channel/replication.py) before the operator is answered."""
    entry = {"at": store.now_iso(), "who": who, "action": action, "target": target, **details}
    with r.pipeline() as p:
        p.lpush(keys.AUDIT, orjson.dumps(entry))
        p.ltrim(keys.AUDIT, 0, KEPT - 1)
        p.execute()
    replication.confirm_replicated(r)


def entries(r: redis.Redis, limit: int = 100) -> list[dict[str, Any]]:
    return [orjson.loads(e) for e in r.lrange(keys.AUDIT, 0, limit - 1)]
