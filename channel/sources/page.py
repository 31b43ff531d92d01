"""A single article page, fetched with a conditional GET."""

from __future__ import annotations

from typing import Any

from channel.config import Settings
from channel.sources.entries import Batch, make_entry
from channel.sources.fetch import fetch
from channel.sources.ids import story_id
from channel.text.extract import decode_html


def read(source: dict[str, Any], state: dict[str, str], settings: Settings) -> Batch:
    got = fetch(
        source["url"],
        etag=state.get("etag") or None,
        last_modified=state.get("last_modified") or None,
        total_timeout=settings.fetch_timeout,
            allow_loopback=settings.allow_loopback,
        accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    )
    batch = Batch(not_modified=got.not_modified, etag=got.etag, last_modified=got.last_modified)
    if got.not_modified:
        return batch
    html, _ = decode_html(got.body)  # UTF-8, else the page's declared charset, else detection
    batch.entries.append(make_entry(
        source, story_id(source["id"], url=got.url), title=None, published=None,
        raw={"html": html, "full": True}, url=got.url))
    return batch
