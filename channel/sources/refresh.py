"""Refreshing a source: read it, upsert its entries, record its health, report what changed.

Each polled kind of source is a module with one function, ``read(source, state, settings)``
returning a Batch;
pushed articles (push.py) arrive through the operator API instead.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from typing import Any

import redis

from channel import clock, store
from channel.config import Settings
from channel.sources import folder, page, rss

log = logging.getLogger(__name__)

READERS = {"folder": folder.read, "rss": rss.read, "page": page.read}


@dataclass
class RefreshResult:
    source_id: str
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    not_modified: bool = False
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Ids and counts only: a job's result is shown to operators, so it carries no text from
        the source (the reasons for skips are in the source's health, `lastSkipped`)."""
        return {
            "source": self.source_id,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "not_modified": self.not_modified,
            "skipped": len(self.skipped),
        }


def backoff_seconds(failures: int, interval: int) -> float:
    """Exponential backoff with jitter, capped at an hour: a failing source never hot-loops."""
    base = min(3600.0, max(interval, 30) * (2 ** min(failures, 10)))
    return base * random.uniform(0.8, 1.2)


def refresh(r: redis.Redis, settings: Settings, source: dict[str, Any]) -> RefreshResult:
    """Read the source and upsert its entries; raises on failure after recording health."""
    sid = source["id"]
    state = store.source_state(r, sid)
    try:
        batch = READERS[source["kind"]](source, state, settings)
    except Exception as exc:
        failures = int(state.get("failures") or 0) + 1
        store.update_source_state(
            r,
            sid,
            failures=failures,
            last_error=f"{type(exc).__name__}: {exc}"[:500],
            last_error_at=store.now_iso(),
            next_poll=clock.now(r) + backoff_seconds(failures, source.get("interval", 300)),
        )
        log.warning("source %s failed (%d in a row): %s", sid, failures, exc)
        raise
    result = RefreshResult(sid, not_modified=batch.not_modified, skipped=batch.skipped)
    for entry in batch.entries[: source.get("max_items", 50)]:
        if store.upsert_entry(r, entry):
            result.changed.append(entry["id"])
        else:
            result.unchanged += 1
    store.update_source_state(
        r,
        sid,
        failures=0,
        last_success=store.now_iso(),
        next_poll=clock.now(r) + source.get("interval", 300),
        etag=batch.etag if batch.etag else state.get("etag"),
        last_modified=batch.last_modified if batch.last_modified else state.get("last_modified"),
        last_result=f"{len(result.changed)} changed, {result.unchanged} unchanged"
        + (", not modified" if batch.not_modified else "")
        + (f", {len(batch.skipped)} skipped" if batch.skipped else ""),
        last_skipped="; ".join(batch.skipped)[:1000],
    )
    return result
