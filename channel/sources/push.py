"""Pushed articles: a CMS sends a story to the operator API instead of being polled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from channel.sources.entries import make_entry
from channel.sources.ids import story_id

SOURCE = {"id": "push", "category": "news"}


def entry(body: dict[str, Any]) -> dict[str, Any]:
    """A CMS push (validated by schemas/article-push.schema.json) as a pending article."""
    published = body.get("publishAt") or body.get("published")  # an embargo is its publish time
    raw = {"html": body["html"]} if "html" in body else {"text": body["body"]}
    raw.update(image=body.get("image"), byline=body.get("byline"))
    pending = make_entry(
        {**SOURCE, "category": body["category"], "language": body.get("language")},
        story_id(SOURCE["id"], guid=body["guid"]),
        title=body["title"],
        published=datetime.fromisoformat(published).timestamp() if published else None,
        raw=raw,
        url=body.get("url"),
        guid=body["guid"],
        video=body.get("video"),
    )
    if body.get("focal"):
        pending["focal"] = body["focal"]
    return pending
