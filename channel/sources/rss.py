"""RSS and Atom feeds, fetched with a conditional GET (or read from a local file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from channel.config import Settings
from channel.sources.entries import Batch, make_entry
from channel.sources.feedparse import FeedEntry, parse_feed
from channel.sources.fetch import fetch

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"


def _entry(source: dict[str, Any], entry: FeedEntry, local_root: Path | None) -> dict[str, Any]:
    image, image_path = entry.image_url, None
    if local_root and image and "://" not in image:
        candidate = (local_root / image).resolve()
        image, image_path = None, str(candidate) if candidate.is_relative_to(local_root) else None
    raw = {
        "html": entry.content_html or entry.summary_html,
        "full": bool(entry.content_html),
        "image": image,
        "image_path": image_path,
        "byline": entry.author,
    }
    video = None
    if entry.video:
        video = {"url": entry.video.url, "videoType": entry.video.video_type}
        if entry.video.duration:
            video["duration"] = entry.video.duration
    return make_entry(
        source,
        entry.id,
        title=entry.title,
        published=entry.published.timestamp() if entry.published else None,
        raw=raw,
        url=entry.link,
        guid=entry.guid,
        category=entry.category,
        video=video,
    )


def read(source: dict[str, Any], state: dict[str, str], settings: Settings) -> Batch:
    local_root = None
    if source.get("path"):
        path = Path(source["path"]).expanduser().resolve()
        data, base_url, local_root = path.read_bytes(), None, path.parent
        batch = Batch()
    else:
        got = fetch(
            source["url"],
            etag=state.get("etag") or None,
            last_modified=state.get("last_modified") or None,
            total_timeout=settings.fetch_timeout,
            allow_loopback=settings.allow_loopback,
            accept=FEED_ACCEPT,
        )
        batch = Batch(not_modified=got.not_modified, etag=got.etag, last_modified=got.last_modified)
        if got.not_modified:
            return batch
        data, base_url = got.body, got.url
    parsed = parse_feed(data, source_id=source["id"], base_url=base_url,
                        max_items=source.get("max_items"))
    batch.entries = [_entry(source, e, local_root) for e in parsed.entries]
    return batch
