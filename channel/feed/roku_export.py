"""The Roku Direct Publisher export (/v1/roku.json), built from the published channel feed.

Roku's feed template and many third-party tools read this public format, and they are strict:
a feed that breaks a rule is rejected or, worse, crashes the channel on the TV. The rules JSON
Schema can state live in schemas/roku-direct-publisher.schema.json; the cross-field ones
(unique ids, playlist and tag references, long != short description, the 500 KB budget,
thumbnail pixel sizes) are checked here, so an export that breaks any of them is never published.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from channel import schemas
from channel.feed import descriptions
from channel.feed.build import FEED_BUDGET

SCHEMA = "roku-direct-publisher"
GENRES = ["news"]  # non-empty: the SDK feed template crashes on items without genres
SHORT_MAX = descriptions.SHORT_MAX
LONG_MAX = descriptions.LONG_MAX
TAG_MAX = 20
PLAYLIST_NAME_MAX = 20
MIN_THUMBNAIL = (800, 450)
THUMBNAIL_PREFERENCE = ("dp", "hero")  # of the sizes channel.images.thumbnails makes
NON_ADAPTIVE = frozenset({"MP4", "MOV", "M4V"})  # single files: the spec requires a bitrate
_OPERATOR = re.compile(r"\s+(AND|OR)\s+")


class ExportInvalid(ValueError):
    """The export breaks the Direct Publisher rules; each error names the field."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__(f"{SCHEMA}: " + "; ".join(self.errors))


# -- building ---------------------------------------------------------------------------------


def thumbnail_problem(width: int, height: int) -> str | None:
    """Why a width x height image can't be a DP thumbnail (>= 800x450, 16:9), or None."""
    if width < MIN_THUMBNAIL[0] or height < MIN_THUMBNAIL[1]:
        return f"{width}x{height} is smaller than {MIN_THUMBNAIL[0]}x{MIN_THUMBNAIL[1]}"
    if abs(width * 9 - height * 16) > 16:  # more than a pixel of rounding away from 16:9
        return f"{width}x{height} is not 16:9"
    return None


def _pick_thumbnail(card: dict[str, Any]) -> tuple[str | None, str | None]:
    """The card's DP-sized thumbnail URL, else (None, why not): "dp", then "hero", then any."""
    thumbs: dict[str, dict[str, Any]] = card.get("thumbnails") or {}
    others = sorted(
        (n for n in thumbs if n not in THUMBNAIL_PREFERENCE),
        key=lambda n: -thumbs[n]["width"] * thumbs[n]["height"],
    )
    order = [n for n in THUMBNAIL_PREFERENCE if n in thumbs] + others
    for name in order:
        if thumbnail_problem(thumbs[name]["width"], thumbs[name]["height"]) is None:
            return thumbs[name]["url"], None
    if not order:
        return None, "the card has no thumbnail"
    best = thumbs[order[0]]
    return (
        None,
        f"no thumbnail of at least 800x450 at 16:9 (best: {order[0]} "
        f"{thumbnail_problem(best['width'], best['height'])})",
    )


def _with_offset(timestamp: str) -> str:
    """ISO 8601 with a numeric offset (+00:00), as the spec writes it; the feed writes 'Z'."""
    moment = datetime.fromisoformat(timestamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


_clip = descriptions.clip_words
_same_text = descriptions.same_text


def _tags(card: dict[str, Any]) -> list[str]:
    """Card tags plus its category, lowercased; tags over 20 characters are left out, not cut."""
    tags: list[str] = []
    for raw in [*card.get("tags", []), card.get("category", "")]:
        tag = " ".join(str(raw).lower().split())
        if tag and len(tag) <= TAG_MAX and tag not in tags:
            tags.append(tag)
    return tags


def _video(video: dict[str, Any], quality: str, bitrate_default: int) -> dict[str, Any]:
    out: dict[str, Any] = {"url": video["url"], "quality": quality, "videoType": video["videoType"]}
    if video["videoType"] in NON_ADAPTIVE:
        out["bitrate"] = int(video.get("bitrate") or bitrate_default)
    return out


def _item(
    card: dict[str, Any],
    thumbnail: str,
    long_text: str | None,
    *,
    quality: str,
    bitrate_default: int,
    duration_default: int,
) -> dict[str, Any]:
    video = card["video"]
    added = _with_offset(card["publishedAt"])
    # Not the ticker: it often repeats the headline, and Roku shows both together.
    short = descriptions.short_description(card["summary"], SHORT_MAX)
    item: dict[str, Any] = {
        "id": card["id"],
        "title": card["title"],
        "content": {
            "dateAdded": added,
            "videos": [_video(video, quality, bitrate_default)],
            "duration": max(1, round(video.get("duration") or duration_default)),
        },
        "thumbnail": thumbnail,
        "shortDescription": short,
    }
    long = descriptions.long_description(short, (card["summary"], long_text), LONG_MAX)
    if long:
        item["longDescription"] = long
    item["releaseDate"] = added[:10]
    item["genres"] = list(GENRES)
    tags = _tags(card)
    if tags:
        item["tags"] = tags
    return item


def _playlist_name(row_id: str, taken: set[str]) -> str:
    """The row id cut to 20 characters, made unique with a numeric suffix."""
    name = row_id[:PLAYLIST_NAME_MAX]
    n = 2
    while name in taken:
        suffix = f"-{n}"
        name = row_id[: PLAYLIST_NAME_MAX - len(suffix)].rstrip("-") + suffix
        n += 1
    taken.add(name)
    return name


def _live_feed(
    feed: dict[str, Any], *, quality: str, bitrate_default: int, problems: list[str]
) -> dict[str, Any] | None:
    live = feed.get("liveStream")
    if not live:
        return None
    cards = [c for row in feed["rows"] for c in row["items"]]
    thumbnail = live.get("thumbnail")
    if not thumbnail:
        for card in cards:
            thumbnail, _ = _pick_thumbnail(card)
            if thumbnail:
                break
    if not thumbnail:
        problems.append(
            "liveFeeds/0/thumbnail: the live stream has none and no card has one "
            "of at least 800x450 at 16:9"
        )
        return None
    # The stream's "date added" must not change on every build: the oldest story shown with it.
    added = min((_with_offset(c["publishedAt"]) for c in cards), default=None)
    added = added or _with_offset(feed["generatedAt"])
    return {
        "id": live["id"],
        "title": live["title"],
        "content": {"dateAdded": added, "videos": [_video(live, quality, bitrate_default)]},
        "thumbnail": thumbnail,
        "shortDescription": _clip(
            f"{live['title']}: live news from {feed['provider']}.", SHORT_MAX
        ),
        "genres": list(GENRES),
        "tags": ["live"],
    }


def _drop_items(doc: dict[str, Any], ids: set[str]) -> None:
    doc["shortFormVideos"] = [v for v in doc["shortFormVideos"] if v["id"] not in ids]
    kept_playlists = []
    for playlist in doc.get("playlists", []):
        playlist["itemIds"] = [i for i in playlist["itemIds"] if i not in ids]
        if playlist["itemIds"]:
            kept_playlists.append(playlist)
    names = {p["name"] for p in kept_playlists}
    categories = [
        c
        for c in doc.get("categories", [])
        if "playlistName" not in c or c["playlistName"] in names
    ]
    for key, value in (("playlists", kept_playlists), ("categories", categories)):
        if value:
            doc[key] = value
        else:
            doc.pop(key, None)
    if not doc["shortFormVideos"]:
        del doc["shortFormVideos"]


def _trim_to_budget(doc: dict[str, Any], budget: int) -> None:
    """Drop the oldest videos until the export fits; keep at least one content item."""
    size = len(orjson.dumps(doc))
    while size > budget and doc.get("shortFormVideos"):
        videos = doc["shortFormVideos"]
        keep = 1  # the spec needs at least one video item beside any liveFeeds
        if len(videos) <= keep:
            return  # the checker will refuse it
        per_item = len(orjson.dumps(videos)) / len(videos)
        drop = max(1, min(len(videos) - keep, int((size - budget) / per_item)))
        oldest = sorted(videos, key=lambda v: v["content"]["dateAdded"])[:drop]
        _drop_items(doc, {v["id"] for v in oldest})
        size = len(orjson.dumps(doc))


def build_roku_export(
    feed: dict,
    *,
    long_descriptions: dict[str, str] | None = None,
    duration_default: int = 60,
    quality: str = "HD",
    bitrate_default: int = 2000,
    budget: int = FEED_BUDGET,
) -> dict:
    """The Direct Publisher document for a published channel-feed document.

    Stories with a video become shortFormVideos; each feed row with video becomes a playlist
    and a category (playlists keep the row's editorial order, pinned first, which a tag query
    cannot). The live stream becomes liveFeeds. `quality` is what the spec asks for adaptive
    streams (the highest rendition); `bitrate_default` (kbps) stands in for single-file videos
    whose card carries none, since the spec requires one for them. Oldest videos are dropped
    to fit `budget`. Raises ExportInvalid when a story has no thumbnail Roku accepts; every
    other rule is left to check_roku_export, which the publisher runs before publishing.
    """
    long_descriptions = long_descriptions or {}
    problems: list[str] = []
    items: dict[str, dict[str, Any]] = {}
    playlists: list[dict[str, Any]] = []
    categories: list[dict[str, Any]] = []
    taken: set[str] = set()
    for r, row in enumerate(feed["rows"]):
        ids: list[str] = []
        for c, card in enumerate(row["items"]):
            if not card.get("video") or card["id"] in ids:
                continue
            if card["id"] not in items:
                thumbnail, why = _pick_thumbnail(card)
                if thumbnail is None:
                    problems.append(f"rows/{r}/items/{c}/thumbnails: story {card['id']}: {why}")
                    continue
                items[card["id"]] = _item(
                    card,
                    thumbnail,
                    long_descriptions.get(card["id"]),
                    quality=quality,
                    bitrate_default=bitrate_default,
                    duration_default=duration_default,
                )
            ids.append(card["id"])
        if ids:
            name = _playlist_name(row["id"], taken)
            playlists.append({"name": name, "itemIds": ids})
            categories.append({"name": row["title"], "playlistName": name, "order": "manual"})
    live = _live_feed(feed, quality=quality, bitrate_default=bitrate_default, problems=problems)
    if problems:
        raise ExportInvalid(problems)
    doc: dict[str, Any] = {
        "providerName": feed["provider"],
        "lastUpdated": _with_offset(feed["generatedAt"]),
        "language": feed["language"],
    }
    if items:
        doc["categories"] = categories
        doc["playlists"] = playlists
        doc["shortFormVideos"] = list(items.values())
    if live:
        doc["liveFeeds"] = [live]
    _trim_to_budget(doc, budget)
    return doc


def feed_image_sizes(feed: dict) -> dict[str, tuple[int, int]]:
    """Thumbnail URL -> (width, height) for every card, so the checker can judge pixel sizes."""
    return {
        t["url"]: (t["width"], t["height"])
        for row in feed.get("rows", [])
        for card in row.get("items", [])
        for t in (card.get("thumbnails") or {}).values()
    }


# -- checking ---------------------------------------------------------------------------------


def _list(doc: dict[str, Any], key: str) -> list[Any]:
    value = doc.get(key)
    return value if isinstance(value, list) else []


def _content_items(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for key in ("shortFormVideos", "liveFeeds"):
        for i, item in enumerate(_list(doc, key)):
            if isinstance(item, dict):
                yield f"{key}/{i}", item


def _item_rules(
    path: str, item: dict[str, Any], image_sizes: Mapping[str, tuple[int, int]] | None
) -> list[str]:
    errors = []
    short, long = item.get("shortDescription"), item.get("longDescription")
    if isinstance(short, str) and isinstance(long, str) and _same_text(short, long):
        errors.append(f"{path}/longDescription: must be different from shortDescription")
    content = item.get("content")
    duration = content.get("duration") if isinstance(content, dict) else None
    if isinstance(duration, float) and duration.is_integer():  # the schema lets 84.0 through
        errors.append(f"{path}/content/duration: {duration!r} must be written as an integer")
    thumbnail = item.get("thumbnail")
    if image_sizes and isinstance(thumbnail, str) and thumbnail in image_sizes:
        problem = thumbnail_problem(*image_sizes[thumbnail])
        if problem:
            errors.append(f"{path}/thumbnail: {problem}")
    return errors


def _query_rules(path: str, query: str, tags: set[str]) -> list[str]:
    parts = _OPERATOR.split(query.strip())
    terms, operators = parts[0::2], set(parts[1::2])
    if len(operators) > 1:
        return [f"{path}/query: {query!r} mixes AND and OR; use one of them"]
    errors = []
    for term in terms:
        if not term or term.split()[0] in ("AND", "OR") or term.split()[-1] in ("AND", "OR"):
            return [f"{path}/query: {query!r} is not tags joined by AND or by OR"]
        if term not in tags:
            errors.append(f"{path}/query: tag {term!r} is on no item")
    return errors


def _category_rules(doc: dict[str, Any], tags: set[str]) -> list[str]:
    errors = []
    playlist_names = {p.get("name") for p in _list(doc, "playlists") if isinstance(p, dict)}
    for i, category in enumerate(_list(doc, "categories")):
        if not isinstance(category, dict):
            continue
        path = f"categories/{i}"
        has_playlist, has_query = "playlistName" in category, "query" in category
        if has_playlist and has_query:
            errors.append(
                f"{path}: has both playlistName and query; a category is one or the other"
            )
        elif not (has_playlist or has_query):
            errors.append(f"{path}: needs a playlistName or a query")
        if has_playlist and category["playlistName"] not in playlist_names:
            errors.append(f"{path}/playlistName: no playlist is named {category['playlistName']!r}")
        if has_query and not has_playlist and category.get("order") == "manual":
            errors.append(f"{path}/order: 'manual' is for playlists only")
        if has_query and isinstance(category["query"], str):
            errors.extend(_query_rules(path, category["query"], tags))
    return errors


def _playlist_rules(doc: dict[str, Any], ids: set[str]) -> list[str]:
    errors = []
    seen: dict[str, int] = {}
    for i, playlist in enumerate(_list(doc, "playlists")):
        if not isinstance(playlist, dict):
            continue
        name = playlist.get("name")
        if isinstance(name, str):
            if name in seen:
                errors.append(f"playlists/{i}/name: {name!r} is also playlists/{seen[name]}")
            seen.setdefault(name, i)
        item_ids = playlist.get("itemIds")
        for j, item_id in enumerate(item_ids if isinstance(item_ids, list) else []):
            if item_id not in ids:
                errors.append(f"playlists/{i}/itemIds/{j}: no item has id {item_id!r}")
    return errors


def _cross_field_rules(
    doc: dict[str, Any], image_sizes: Mapping[str, tuple[int, int]] | None
) -> list[str]:
    errors = []
    items = list(_content_items(doc))
    if not _list(doc, "shortFormVideos"):
        # The spec: at least one of movies, series, shortFormVideos, tvSpecials; a feed of
        # liveFeeds alone is refused by Roku's tools (Newsdesk emits shortFormVideos only).
        errors.append("(document): needs at least one shortFormVideos item (liveFeeds alone "
                      "is not a valid feed)")
    first_seen: dict[str, str] = {}
    tags: set[str] = set()
    for path, item in items:
        item_id = item.get("id")
        if isinstance(item_id, str):
            if item_id in first_seen:
                errors.append(f"{path}/id: {item_id!r} is also the id of {first_seen[item_id]}")
            first_seen.setdefault(item_id, path)
        item_tags = item.get("tags")
        tags.update(
            t for t in (item_tags if isinstance(item_tags, list) else []) if isinstance(t, str)
        )
        errors.extend(_item_rules(path, item, image_sizes))
    errors.extend(_playlist_rules(doc, set(first_seen)))
    errors.extend(_category_rules(doc, tags))
    try:
        size = len(orjson.dumps(doc))
    except TypeError as exc:
        errors.append(f"(document): not JSON: {exc}")
    else:
        if size > FEED_BUDGET:
            errors.append(
                f"(document): the export is {size} bytes; Roku's limit is {FEED_BUDGET} bytes"
            )
    return errors


def check_roku_export(
    doc: dict, *, image_sizes: Mapping[str, tuple[int, int]] | None = None
) -> list[str]:
    """Every problem with the export, each naming its field; [] when Roku will accept it.

    Schema errors come first, then the rules JSON Schema cannot express. Thumbnail pixel sizes
    are only known to the caller: pass `image_sizes` (see feed_image_sizes) to check them.
    """
    errors = [] if schemas.is_valid(SCHEMA, doc) else schemas.errors(SCHEMA, doc, limit=100)
    if isinstance(doc, dict):
        errors.extend(_cross_field_rules(doc, image_sizes))
    return errors


def validate_roku_export(
    doc: dict, *, image_sizes: Mapping[str, tuple[int, int]] | None = None
) -> None:
    """Raise ExportInvalid when check_roku_export finds a problem: such an export is refused."""
    errors = check_roku_export(doc, image_sizes=image_sizes)
    if errors:
        raise ExportInvalid(errors)
