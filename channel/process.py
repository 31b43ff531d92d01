"""Turn a pending article into a ready story: clean text, summary, tags, thumbnails, card."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import redis

from channel import schemas, store
from channel.config import Settings
from channel.images.thumbnails import ImageRefused, ThumbnailSet, thumbnails_or_title_card
from channel.sources import categories
from channel.sources.fetch import FetchError, fetch
from channel.text.extract import Extracted, extract_html, extract_text
from channel.text.keywords import detect_language, extract_tags
from channel.text.summarize import summarize

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 15_000_000
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


class ProcessingError(Exception):
    """The article cannot become a story (no text at all); retrying will not help."""


def _extract(article: dict[str, Any]) -> Extracted:
    raw = article.get("raw") or {}
    source = article["source_id"]
    if raw.get("html") and (raw.get("full", True) or not article.get("url")):
        return extract_html(raw["html"], url=article.get("url"), source=source)
    if raw.get("text"):
        return extract_text(raw["text"], source=source)
    if article.get("url"):
        try:
            page = fetch(article["url"], accept="text/html,application/xhtml+xml;q=0.9",
                         total_timeout=Settings.from_env().fetch_timeout)
            extracted = extract_html(page.body, url=page.url, source=source)
            if extracted.paragraphs:
                return extracted
        except FetchError as exc:
            log.info("article %s: page fetch failed (%s); using the feed text", article["id"], exc)
        if raw.get("html"):
            return extract_html(raw["html"], url=article.get("url"), source=source)
    raise ProcessingError("the source gave no text for this article")


def _image_bytes(article: dict[str, Any], extracted: Extracted) -> bytes | None:
    raw = article.get("raw") or {}
    if raw.get("image_path"):
        path = Path(raw["image_path"])
        if path.stat().st_size > MAX_IMAGE_BYTES:
            raise ImageRefused(f"image file is over {MAX_IMAGE_BYTES} bytes")
        return path.read_bytes()
    url = raw.get("image") or extracted.lead_image
    if not url:
        return None
    return fetch(url, max_bytes=MAX_IMAGE_BYTES, accept=IMAGE_ACCEPT,
                 total_timeout=Settings.from_env().fetch_timeout).body


def _thumbnails(
    article: dict[str, Any], extracted: Extracted, title: str, category: str
) -> ThumbnailSet:
    """The story's picture, or a title card when there is none or it is refused."""
    try:
        data = _image_bytes(article, extracted)
    except (ImageRefused, FetchError, OSError) as exc:
        data, article["image_error"] = None, f"image not fetched: {exc}"[:300]
    focal = tuple(article["focal"]) if article.get("focal") else None
    tset, reason = thumbnails_or_title_card(data, title, category, focal=focal)
    if reason and data is not None:
        log.warning("article %s: image refused, using a title card: %s", article["id"], reason)
        article["image_error"] = reason[:300]
    return tset


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
                "url": f"{base}/v1/thumbnails/{t['digest']}.jpg",
                "width": t["width"],
                "height": t["height"],
            }
            for name, t in article["thumbnails"].items()
        },
        "placeholderColor": article["placeholder"],
        "detailUrl": f"{base}/v1/articles/{article['id']}.json",
    }
    video = article.get("video")
    if video and video.get("url", "").startswith(("http://", "https://")):
        card["video"] = {k: v for k, v in video.items() if v is not None}
    schemas.validate("card", card)
    return card


def process_article(r: redis.Redis, settings: Settings, article_id: str) -> dict[str, Any]:
    """Idempotent: processing the same article twice gives the same story."""
    article = store.get_article(r, article_id)
    if article is None:
        raise ProcessingError(f"no article {article_id}")
    raw = article.get("raw") or {}
    try:
        extracted = _extract(article)
        text = extracted.text
        # The source's own title wins; a file or page without one takes the extracted headline.
        title = extracted.title if not raw.get("titled") and extracted.title else article["title"]
        if not text.strip() and not title.strip():
            raise ProcessingError("the article has neither text nor title")
        language = article.get("language") or extracted.language or detect_language(text or title)
        article["section"] = extracted.section
        article["category"] = article.get("category_override") or categories.resolve(
            store.load_categories(r),
            [raw.get("category_hint"), extracted.section],
            article["category"],
        )
        if not raw.get("dated") and extracted.published:
            article["published_at"] = extracted.published.isoformat(timespec="seconds")
        summary = summarize(text, title=title, language=language)
        article.update(
            title=title,
            language=language,
            byline=extracted.byline or raw.get("byline"),
            canonical_url=extracted.canonical_url or article.get("url"),
            paragraphs=extracted.paragraphs,
            summary=summary.summary,
            ticker=summary.ticker,
            tags=extract_tags(text, title=title, language=language),
        )
        tset = _thumbnails(article, extracted, title, article["category"])
        article["thumbnails"] = {
            t.name: {
                "digest": store.save_thumbnail(r, t.data),
                "width": t.width,
                "height": t.height,
            }
            for t in tset.thumbnails
        }
        article["placeholder"] = tset.placeholder
        article["image_kind"] = tset.kind
        card = build_card(article, settings)
    except (ProcessingError, schemas.DocumentInvalid, ValueError) as exc:
        store.mark_failed(r, article, f"{type(exc).__name__}: {exc}")
        raise
    store.mark_ready(r, article, card)
    return card
