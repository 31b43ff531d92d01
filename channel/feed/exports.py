"""The platform exports of a version, each built from the validated channel feed and checked.

Every export has a builder and a checker (its schema in schemas/ plus the rules a schema cannot
state). One that fails, or has nothing valid to say (no story with video yet), is refused
here with the reason; the publisher then keeps the last good one, and before any the route
answers a JSON 503. Nothing unchecked ever reaches a TV or an aggregator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
import redis

from channel import schemas, store
from channel.config import Settings
from channel.feed import mrss, roku_export, roku_search

ROKU = "roku"
ROKU_SEARCH = "roku-search"
MRSS = "mrss"
NAMES = (ROKU, ROKU_SEARCH, MRSS)
CONTENT_TYPES = {MRSS: mrss.CONTENT_TYPE}  # every other document is JSON


@dataclass(frozen=True)
class Built:
    """One export: a JSON document (`doc`) or, for XML, the finished bytes (`body`)."""

    doc: dict[str, Any] | None = None
    body: bytes | None = None


@dataclass
class Exports:
    built: dict[str, Built] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # name -> why, for operators


def long_texts(r: redis.Redis, feed: dict[str, Any]) -> dict[str, str]:
    """The body text of every story with video (a few per feed): the source of each long
    description that says more than the summary."""
    ids = sorted({c["id"] for row in feed["rows"] for c in row["items"] if c.get("video")})
    texts = {}
    for story_id in ids:
        article = store.get_article(r, story_id) or {}
        text = " ".join(p for p in article.get("paragraphs") or [] if p.strip())
        if text:
            texts[story_id] = text
    return texts


def _roku(feed: dict, settings: Settings, texts: dict[str, str]) -> Built:
    doc = roku_export.build_roku_export(feed, long_descriptions=texts)
    roku_export.validate_roku_export(doc, image_sizes=roku_export.feed_image_sizes(feed))
    return Built(doc=doc)


def _roku_search(feed: dict, settings: Settings, texts: dict[str, str]) -> Built:
    doc = roku_search.build_search_feed(feed, long_descriptions=texts)
    roku_search.validate_search_feed(doc, image_sizes=roku_export.feed_image_sizes(feed))
    return Built(doc=doc)


def _mrss(feed: dict, settings: Settings, texts: dict[str, str]) -> Built:
    body = mrss.build_mrss(feed, site_url=f"{settings.public_url}/v1/feed.json",
                           self_url=f"{settings.public_url}/v1/mrss.xml")
    mrss.validate_mrss(body, image_sizes=roku_export.feed_image_sizes(feed))
    return Built(body=body)


BUILDERS: dict[str, Callable[[dict, Settings, dict[str, str]], Built]] = {
    ROKU: _roku, ROKU_SEARCH: _roku_search, MRSS: _mrss,
}


def build_exports(r: redis.Redis, feed: dict[str, Any], settings: Settings) -> Exports:
    """Every export of a version from its validated feed: each built and checked, or refused
    with the reason (ValueError is what every builder and checker raises for a broken rule)."""
    texts = long_texts(r, feed)
    out = Exports()
    for name, builder in BUILDERS.items():
        try:
            out.built[name] = builder(feed, settings, texts)
        except ValueError as exc:
            out.refused[name] = str(exc)
    return out


def check_document(name: str, body: bytes) -> list[str]:
    """Every problem with one stored document of a version, by its name: what a test or an
    operator's check runs over a whole version. Pixel sizes are not known from the bytes."""
    if name == MRSS:
        return mrss.check_mrss(body)
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        return [f"(document): not JSON: {exc}"]
    if name == ROKU:
        return roku_export.check_roku_export(doc)
    if name == ROKU_SEARCH:
        return roku_search.check_search_feed(doc)
    return schemas.errors("channel-feed", doc, limit=100)
