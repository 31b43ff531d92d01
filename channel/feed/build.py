"""Build the channel feed from ready, visible stories: its cards, rows, variants and category feeds.

Every URL a TV follows from the feed (thumbnails, details, category feeds, this server's media)
is made here, from the configured public URL. Stored cards keep the URL they were processed
with; each build rebases them (`rebase_card`), so a new public URL needs no reprocessing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import orjson
import redis

from channel import keys, schemas, store
from channel.config import Settings
from channel.feed import editorial

FEED_BUDGET = 500_000  # bytes; Roku's own feed template refuses bigger feeds
TOP_ROW = {"id": "top", "title": "Top stories"}


class EmptyFeed(ValueError):
    """No story is ready and visible: publishing an empty feed would blank every TV."""


def local_url(base: str, url: str) -> str:
    """A root-relative URL ("/demo/media/a.mp4", a local source's media) on this server's public
    URL; any other URL is returned unchanged."""
    if url.startswith("/") and not url.startswith("//"):
        return urljoin(base + "/", url)
    return url


def build_card(article: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The feed card: exactly the fields of channel-feed.schema.json#/$defs/card."""
    base = settings.public_url
    card = {
        "id": article["id"],
        "title": article["title"][:200],
        "summary": article["summary"],
        "ticker": article["ticker"],
        "publishedAt": article["published_at"],
        "category": article["category"],
        "tags": article["tags"][:12],
        "thumbnails": {
            name: {
                "url": store.thumbnail_url(base, t["digest"]),
                "width": t["width"],
                "height": t["height"],
            }
            for name, t in article["thumbnails"].items()
        },
        "placeholderColor": article["placeholder"],
        "detailUrl": f"{base}/v1/articles/{article['id']}.json",
    }
    if article.get("image_kind") == "titlecard":
        card["titleCard"] = True
    video = article.get("video")
    if video and video.get("url"):
        url = local_url(base, video["url"])
        if url.startswith(("http://", "https://")):
            card["video"] = {**{k: v for k, v in video.items() if v is not None}, "url": url}
    schemas.validate("card", card)
    return card


def _detail_path(card_id: str) -> str:
    return f"/v1/articles/{card_id}.json"


def rebase_card(card: dict[str, Any], base: str) -> dict[str, Any]:
    """The stored card with every URL of this server on `base`, the public URL of this build.

    The card's detail URL tells the base it was made with; thumbnails, the detail and any
    media under that base move to the new one. Other hosts' URLs are left alone.
    """
    old = card["detailUrl"].removesuffix(_detail_path(card["id"]))
    if old == base or old == card["detailUrl"]:
        return card

    def moved(url: str) -> str:
        return base + url[len(old):] if url.startswith(old + "/") else url

    out = {**card, "detailUrl": base + _detail_path(card["id"]),
           "thumbnails": {name: {**t, "url": moved(t["url"])}
                          for name, t in card["thumbnails"].items()}}
    if "video" in card:
        out["video"] = {**card["video"], "url": moved(card["video"]["url"])}
    return out


def _order(cards: list[dict[str, Any]], pins: dict[str, float]) -> list[dict[str, Any]]:
    """Pinned stories first in pin order, then newest first."""
    pinned = sorted((c for c in cards if c["id"] in pins), key=lambda c: pins[c["id"]])
    rest = sorted(
        (c for c in cards if c["id"] not in pins), key=lambda c: c["publishedAt"], reverse=True
    )
    return [{**c, "pinned": True} for c in pinned] + rest


def _trim_to_budget(doc: dict[str, Any], budget: int) -> bytes:
    """Drop the oldest cards of the longest rows until the document fits; never break the JSON."""
    body = orjson.dumps(doc)
    while len(body) > budget:
        longest = max(doc["rows"], key=lambda row: len(row["items"]))
        if len(longest["items"]) <= 1:
            raise ValueError(f"feed is {len(body)} bytes with one story per row; budget {budget}")
        excess = len(body) - budget
        per_card = len(orjson.dumps(longest["items"])) / len(longest["items"])
        drop = max(1, min(len(longest["items"]) - 1, int(excess / per_card)))
        del longest["items"][-drop:]
        body = orjson.dumps(doc)
    return body


def build_feed(
    r: redis.Redis, settings: Settings, version: int, budget: int = FEED_BUDGET
) -> tuple[dict[str, Any], bytes]:
    """The feed document and its bytes (within budget). Raises EmptyFeed when nothing is ready."""
    channel = store.load_channel(r)
    categories = store.load_categories(r)
    state = editorial.controls(r)
    pins, excluded = state.pins, state.excluded
    limit = settings.items_per_row
    rows: list[dict[str, Any]] = []
    everything: list[dict[str, Any]] = []
    for cat in categories:
        # Read a little past the limit so excluded stories don't leave the row short.
        ids = [
            m.decode()
            for m in r.zrevrange(
                keys.category_index(cat["id"]), 0, limit + len(excluded) + len(pins)
            )
        ]
        wanted = {i for i in ids if i not in excluded}
        wanted |= {i for i in pins if i not in excluded and i not in wanted}
        cards = [rebase_card(c, settings.public_url)
                 for c in store.get_cards(r, sorted(wanted)) if c["category"] == cat["id"]]
        if not cards:
            continue
        everything.extend(cards)
        rows.append(
            {
                "id": cat["id"],
                "title": cat["title"],
                "feedUrl": f"{settings.public_url}/v1/categories/{cat['id']}.json",
                "items": _order(cards, pins)[:limit],
            }
        )
    if not rows:
        raise EmptyFeed("no ready, visible story to publish")
    top = _order(everything, pins)[: settings.top_stories]
    rows.insert(0, {**TOP_ROW, "items": top})
    doc: dict[str, Any] = {
        "provider": channel.get("provider", "Newsdesk"),
        "language": channel.get("language", "en"),
        "version": version,
        "generatedAt": store.now_iso(),
    }
    if channel.get("liveStream"):
        live = channel["liveStream"]
        doc["liveStream"] = {**live, "url": urljoin(settings.public_url + "/", live["url"])}
        if live.get("thumbnail"):  # the Live tile's poster
            doc["liveStream"]["thumbnail"] = urljoin(settings.public_url + "/", live["thumbnail"])
    doc["rows"] = rows
    return doc, _trim_to_budget(doc, budget)


VARIANT_ITEMS = (5, 10)  # items per row a low-end device may ask for


def variant_name(items: int | None, thumb: str | None) -> str:
    """The document name of /v1/feed.json?items=N&thumb=NAME (parameters in a fixed order)."""
    params = [f"items={items}"] if items else []
    params += [f"thumb={thumb}"] if thumb else []
    return "feed?" + "&".join(params) if params else "feed"


def variants(feed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Smaller copies of the feed for low-end TVs: fewer items per row, one thumbnail size.

    Prebuilt at publish time, so asking for one still costs the TV's server nothing.
    """
    sizes = sorted({name for row in feed["rows"] for c in row["items"] for name in c["thumbnails"]})
    out: dict[str, dict[str, Any]] = {}
    for items in (None, *VARIANT_ITEMS):
        for thumb in (None, *sizes):
            if items is None and thumb is None:
                continue
            rows = []
            for row in feed["rows"]:
                cards = row["items"][:items] if items else row["items"]
                if thumb:
                    cards = [{**c, "thumbnails": {thumb: c["thumbnails"][thumb]}}
                             for c in cards if thumb in c["thumbnails"]]
                if cards:
                    rows.append({**row, "items": cards})
            if rows:
                out[variant_name(items, thumb)] = {**feed, "rows": rows}
    return out


def category_feeds(feed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """One feed per category row, for a TV screen that shows a single category."""
    return {
        f"category/{row['id']}": {**feed, "rows": [row]}
        for row in feed["rows"]
        if row["id"] != TOP_ROW["id"]
    }
