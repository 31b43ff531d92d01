"""What every kind of source hands on: a Batch of entries, each a pending article."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from channel import store
from channel.sources.ids import content_hash


@dataclass
class Batch:
    """What a source gave this time: entries as pending articles, plus fetch validators."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    skipped: list[str] = field(default_factory=list)  # "what: why" for entries left out


def make_entry(
    source: dict[str, Any],
    story_id: str,
    *,
    title: str | None,
    published: float | None,
    raw: dict[str, Any],
    url: str | None = None,
    guid: str | None = None,
    category: str | None = None,
    video: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A pending article under its story id (sources/ids.py), with the one content hash: it
    covers everything processing reads, so an unchanged entry is never processed again."""
    when = datetime.fromtimestamp(published if published else time.time(), UTC)
    # Hints for processing: what the source itself said, as opposed to defaults.
    raw = {**raw, "titled": bool(title), "dated": bool(published), "category_hint": category}
    return {
        "id": story_id,
        "source_id": source["id"],
        "guid": guid,
        "url": url,
        "title": (title or "").strip() or "Untitled",
        "category": source["category"],
        "published_at": store.iso(when),
        "language": source.get("language"),
        "raw": raw,
        "video": video,
        "content_hash": content_hash(title, raw, video, category),
        "status": "pending",
    }
