"""Refreshing a source: read it, upsert its entries, report what changed.

Each kind of source is a module with one function, ``read(source, state) -> Batch``.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any

import redis

from channel import store

log = logging.getLogger(__name__)


@dataclass
class Batch:
    """What a source gave this time: entries as pending articles, plus fetch validators."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    skipped: list[str] = field(default_factory=list)  # "what: why" for entries left out


@dataclass
class RefreshResult:
    source_id: str
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    not_modified: bool = False
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source_id,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "not_modified": self.not_modified,
            "skipped": self.skipped,
        }


def _reader(kind: str):
    from channel.sources import folder, page, rss

    return {"folder": folder.read, "rss": rss.read, "page": page.read}[kind]


def backoff_seconds(failures: int, interval: int) -> float:
    """Exponential backoff with jitter, capped at an hour: a failing source never hot-loops."""
    base = min(3600.0, max(interval, 30) * (2 ** min(failures, 10)))
    return base * random.uniform(0.8, 1.2)


def refresh(r: redis.Redis, source: dict[str, Any]) -> RefreshResult:
    """Read the source and upsert its entries; raises on failure after recording health."""
    sid = source["id"]
    state = store.source_state(r, sid)
    try:
        batch = _reader(source["kind"])(source, state)
    except Exception as exc:
        failures = int(state.get("failures") or 0) + 1
        store.update_source_state(
            r,
            sid,
            failures=failures,
            last_error=f"{type(exc).__name__}: {exc}"[:500],
            last_error_at=store.now_iso(),
            next_poll=time.time() + backoff_seconds(failures, source.get("interval", 300)),
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
        next_poll=time.time() + source.get("interval", 300),
        etag=batch.etag if batch.etag else state.get("etag"),
        last_modified=batch.last_modified if batch.last_modified else state.get("last_modified"),
        last_result=f"{len(result.changed)} changed, {result.unchanged} unchanged"
        + (", not modified" if batch.not_modified else "")
        + (f", {len(batch.skipped)} skipped" if batch.skipped else ""),
        last_skipped="; ".join(batch.skipped)[:1000],
    )
    return result


def make_entry(
    source: dict[str, Any],
    key: str,
    *,
    title: str | None,
    published: float | None,
    raw: dict[str, Any],
    url: str | None = None,
    guid: str | None = None,
    category: str | None = None,
    video: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A pending article under a stable id; the hash covers everything processing reads."""
    from datetime import UTC, datetime

    from channel.sources.ids import content_hash, stable_id

    when = datetime.fromtimestamp(published if published else time.time(), UTC)
    # Hints for processing: what the source itself said, as opposed to defaults.
    raw = {**raw, "titled": bool(title), "dated": bool(published), "category_hint": category}
    return {
        "id": stable_id(key),
        "source_id": source["id"],
        "guid": guid,
        "url": url,
        "title": (title or "").strip() or "Untitled",
        "category": source["category"],
        "published_at": when.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "language": source.get("language"),
        "raw": raw,
        "video": video,
        "content_hash": content_hash(title, raw, video, category),
        "status": "pending",
    }


PUSH_SOURCE = {"id": "push", "category": "news"}


def pushed_entry(body: dict[str, Any]) -> dict[str, Any]:
    """A CMS push (validated by schemas/article-push.schema.json) as a pending article."""
    from datetime import datetime

    published = body.get("published")
    raw = {"html": body["html"]} if "html" in body else {"text": body["body"]}
    raw.update(image=body.get("image"), byline=body.get("byline"))
    entry = make_entry(
        {**PUSH_SOURCE, "category": body["category"], "language": body.get("language")},
        f"push:{body['guid']}",
        title=body["title"],
        published=datetime.fromisoformat(published).timestamp() if published else None,
        raw=raw,
        url=body.get("url"),
        guid=body["guid"],
        video=body.get("video"),
    )
    if body.get("focal"):
        entry["focal"] = body["focal"]
    return entry
