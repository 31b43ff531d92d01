"""The Roku Search feed (/v1/roku-search.json), built from the published channel feed.

Roku's search indexes the stories that carry video, and a viewer who picks one lands in the
channel through a deep link whose contentId is the asset's playId. The shape is in
schemas/roku-search.schema.json (written from the spec's text); the rules a schema cannot
state are checked here, so a feed that breaks one is never published.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channel import schemas
from channel.feed import descriptions

SCHEMA = "roku-search"
MEDIA_TYPE = "shortForm"  # the asset type, and the mediaType of the deep link that opens it
GENRES = ["news"]
RATING = {"source": "USA_PR", "value": "TVPG"}  # the spec requires a rating on every asset
COUNTRIES = ["us"]
MAX_IMAGE = (1920, 1080)
MIN_IMAGE = (800, 450)  # not the spec's: Newsdesk's own floor, as for Direct Publisher
QUALITY = "hd"


class SearchFeedInvalid(ValueError):
    """The search feed breaks a rule of Roku's Search Feed spec; each error names the field."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__(f"{SCHEMA}: " + "; ".join(self.errors))


def image_problem(width: int, height: int) -> str | None:
    """Why a width x height JPEG can't be an asset's main image (16:9, <= 1920x1080), or None."""
    if width > MAX_IMAGE[0] or height > MAX_IMAGE[1]:
        return f"{width}x{height} is larger than {MAX_IMAGE[0]}x{MAX_IMAGE[1]}"
    if width < MIN_IMAGE[0] or height < MIN_IMAGE[1]:
        return f"{width}x{height} is smaller than {MIN_IMAGE[0]}x{MIN_IMAGE[1]}"
    if abs(width * 9 - height * 16) > 16:
        return f"{width}x{height} is not 16:9"
    return None


def _image(card: dict[str, Any]) -> str | None:
    """The largest of the card's thumbnails that is a valid main image."""
    thumbs = sorted((card.get("thumbnails") or {}).values(),
                    key=lambda t: -t["width"] * t["height"])
    return next((t["url"] for t in thumbs if image_problem(t["width"], t["height"]) is None),
                None)


def _localized(value: str, language: str) -> list[dict[str, Any]]:
    return [{"value": value, "languages": [language]}]


def _asset(card: dict[str, Any], image: str, language: str, long_text: str | None,
           duration_default: int) -> dict[str, Any]:
    short = descriptions.short_description(card["summary"])
    asset: dict[str, Any] = {
        "id": card["id"],
        "type": MEDIA_TYPE,
        "titles": _localized(card["title"], language),
        "shortDescriptions": _localized(short, language),
    }
    long = descriptions.long_description(short, (card["summary"], long_text))
    if long:
        asset["longDescriptions"] = _localized(long, language)
    tags = list(dict.fromkeys(t.lower() for t in card.get("tags", []) if t.strip()))
    asset.update({
        "releaseDate": card["publishedAt"][:10],
        "genres": list(GENRES),
        **({"tags": tags} if tags else {}),
        "advisoryRatings": [dict(RATING)],
        "images": [{"type": "main", "url": image, "languages": [language]}],
        "durationInSeconds": max(1, round(card["video"].get("duration") or duration_default)),
        "content": {"playOptions": [{"license": "free", "quality": QUALITY,
                                     "playId": card["id"]}]},
    })
    return asset


def build_search_feed(feed: dict, *, long_descriptions: Mapping[str, str] | None = None,
                      countries: list[str] | None = None,
                      duration_default: int = 60) -> dict:
    """The Search feed for a published channel-feed document: one shortForm asset per story
    with video, first-seen order. Stories without a usable image are left out (Roku refuses
    an asset without one); an empty feed is for the checker to refuse."""
    long_descriptions = long_descriptions or {}
    language = feed["language"][:2]
    assets: dict[str, dict[str, Any]] = {}
    for row in feed["rows"]:
        for card in row["items"]:
            if not card.get("video") or card["id"] in assets:
                continue
            image = _image(card)
            if image:
                assets[card["id"]] = _asset(card, image, language,
                                            long_descriptions.get(card["id"]), duration_default)
    return {
        "version": "1",
        "defaultLanguage": language,
        "defaultAvailabilityCountries": list(countries or COUNTRIES),
        "assets": list(assets.values()),
    }


def _asset_rules(path: str, asset: dict[str, Any],
                 image_sizes: Mapping[str, tuple[int, int]] | None) -> list[str]:
    errors = []
    plays = (asset.get("content") or {}).get("playOptions") or []
    for j, option in enumerate(plays if isinstance(plays, list) else []):
        if isinstance(option, dict) and option.get("playId") != asset.get("id"):
            errors.append(f"{path}/content/playOptions/{j}/playId: {option.get('playId')!r} "
                          f"is not the asset id (the deep link opens the story by it)")
    shorts = {s.get("value") for s in asset.get("shortDescriptions") or []
              if isinstance(s, dict)}
    for j, long in enumerate(asset.get("longDescriptions") or []):
        value = long.get("value") if isinstance(long, dict) else None
        if isinstance(value, str) and any(isinstance(s, str) and descriptions.same_text(s, value)
                                          for s in shorts):
            errors.append(f"{path}/longDescriptions/{j}: must be different from the short one")
    duration = asset.get("durationInSeconds")
    if isinstance(duration, float):
        errors.append(f"{path}/durationInSeconds: {duration!r} must be written as an integer")
    for j, image in enumerate(asset.get("images") or []):
        url = image.get("url") if isinstance(image, dict) else None
        if image_sizes and isinstance(url, str):
            if url not in image_sizes:
                errors.append(f"{path}/images/{j}: {url} is no thumbnail of this feed")
            elif problem := image_problem(*image_sizes[url]):
                errors.append(f"{path}/images/{j}: {problem}")
    return errors


def check_search_feed(doc: dict, *,
                      image_sizes: Mapping[str, tuple[int, int]] | None = None) -> list[str]:
    """Every problem with the feed, each naming its field; [] when Roku will take it.

    Pass `image_sizes` (URL -> width, height; see roku_export.feed_image_sizes) to check the
    images' pixel sizes, which only the caller knows."""
    errors = [] if schemas.is_valid(SCHEMA, doc) else schemas.errors(SCHEMA, doc, limit=100)
    if not isinstance(doc, dict):
        return errors
    seen: dict[str, int] = {}
    assets = doc.get("assets")
    for i, asset in enumerate(assets if isinstance(assets, list) else []):
        if not isinstance(asset, dict):
            continue
        asset_id = asset.get("id")
        if isinstance(asset_id, str):
            if asset_id in seen:
                errors.append(f"assets/{i}/id: {asset_id!r} is also assets/{seen[asset_id]}")
            seen.setdefault(asset_id, i)
        errors.extend(_asset_rules(f"assets/{i}", asset, image_sizes))
    return errors


def validate_search_feed(doc: dict, *,
                         image_sizes: Mapping[str, tuple[int, int]] | None = None) -> None:
    """Raise SearchFeedInvalid when check_search_feed finds a problem."""
    errors = check_search_feed(doc, image_sizes=image_sizes)
    if errors:
        raise SearchFeedInvalid(errors)
