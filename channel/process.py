"""The story recipe: one pending article becomes a ready story (clean text, summary, tags,
thumbnails, card), or fails with the reason. `dry_run` follows the same recipe for a page and
stores nothing (``newsdesk inspect``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import redis

from channel import dedup, schemas, store
from channel.config import Settings
from channel.feed import freshness
from channel.feed.build import build_card
from channel.images.thumbnails import DEFAULT_SIZES, ImageRefused, ThumbnailSet, make_thumbnails
from channel.images.titlecard import title_card
from channel.sources import categories, folder, page
from channel.sources.fetch import FetchError, fetch
from channel.sources.refresh import READERS
from channel.text.extract import Extracted, extract_html, extract_text
from channel.text.keywords import extract_tags, resolve_language
from channel.text.summarize import summarize

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 15_000_000
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp,image/gif"
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9"
DRY_RUN_SOURCE = {"id": "inspect", "category": "news"}


class ProcessingError(Exception):
    """The article cannot become a story (no text at all); retrying will not help."""


def _extract(article: dict[str, Any], settings: Settings) -> Extracted:
    raw = article.get("raw") or {}
    source = article["source_id"]
    if raw.get("html") and (raw.get("full", True) or not article.get("url")):
        return extract_html(raw["html"], url=article.get("url"), source=source)
    if raw.get("text"):
        return extract_text(raw["text"], source=source)
    if article.get("url"):
        try:
            fetched = fetch(article["url"], accept=PAGE_ACCEPT,
                            total_timeout=settings.fetch_timeout,
                            allow_loopback=settings.allow_loopback)
            extracted = extract_html(fetched.body, url=fetched.url, source=source)
            if extracted.paragraphs:
                return extracted
        except FetchError as exc:
            log.info("article %s: page fetch failed (%s); using the feed text", article["id"], exc)
        if raw.get("html"):
            return extract_html(raw["html"], url=article.get("url"), source=source)
    raise ProcessingError("the source gave no text for this article")


def _write_text(article: dict[str, Any], extracted: Extracted,
                known: list[dict[str, Any]]) -> None:
    """Title, language, category, time, byline, body, summary, ticker and tags of the story."""
    raw = article.get("raw") or {}
    text = extracted.text
    # The source's own title wins; a file or page without one takes the extracted headline.
    title = extracted.title if not raw.get("titled") and extracted.title else article["title"]
    if not text.strip() and not title.strip():
        raise ProcessingError("the article has neither text nor title")
    language = article.get("language") or resolve_language(extracted.language, text or title)
    article["section"] = extracted.section
    article["category"] = article.get("category_override") or categories.resolve(
        known, [raw.get("category_hint"), extracted.section], article["category"])
    if not raw.get("dated") and extracted.published:
        article["published_at"] = store.iso(extracted.published)
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


def _image_bytes(article: dict[str, Any], extracted: Extracted,
                 settings: Settings) -> bytes | None:
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
                 total_timeout=settings.fetch_timeout, allow_loopback=settings.allow_loopback).body


RECORDED_FAILURES = (ProcessingError, schemas.DocumentInvalid, ValueError)  # marked failed here


def thumbnails_or_title_card(
    data: bytes | None,
    title: str,
    category: str,
    sizes: Mapping[str, tuple[int, int]] = DEFAULT_SIZES,
    *,
    focal: tuple[float, float] | None = None,
) -> tuple[ThumbnailSet, str | None]:
    """Every card gets a picture: the image's thumbnails, else a title card and the reason."""
    if data is not None:
        try:
            return make_thumbnails(data, sizes, focal=focal), None
        except ImageRefused as exc:
            return title_card(title, category, sizes), str(exc)
    return title_card(title, category, sizes), "no image"


def _thumbnails(article: dict[str, Any], extracted: Extracted,
                settings: Settings) -> ThumbnailSet:
    """The story's picture, or a title card when there is none or it is refused."""
    try:
        data = _image_bytes(article, extracted, settings)
    except (ImageRefused, FetchError, OSError) as exc:
        data, article["image_error"] = None, f"image not fetched: {exc}"[:300]
    focal = tuple(article["focal"]) if article.get("focal") else None
    tset, reason = thumbnails_or_title_card(data, article["title"], article["category"],
                                            settings.sizes(), focal=focal)
    if reason and data is not None:
        log.warning("article %s: image refused, using a title card: %s", article["id"], reason)
        article["image_error"] = reason[:300]
    return tset


def process_article(r: redis.Redis, settings: Settings, article_id: str) -> dict[str, Any]:
    """Idempotent: processing the same article twice gives the same story."""
    article = store.get_article(r, article_id)
    if article is None:
        raise ProcessingError(f"no article {article_id}")
    try:
        extracted = _extract(article, settings)
        _write_text(article, extracted, store.load_categories(r))
        tset = _thumbnails(article, extracted, settings)
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
    except RECORDED_FAILURES as exc:
        store.mark_failed(r, article, f"{type(exc).__name__}: {exc}")
        raise
    store.mark_ready(r, article, card)
    freshness.note_embargo(r, article)  # a future publishAt: a publish at that moment
    dedup.forget(r, [article_id])  # its text may have changed: indexed afresh
    dedup.index(r, article, store.get_source(r, article["source_id"]))
    return card


def _pending(item: str, settings: Settings) -> dict[str, Any]:
    """A page as a source would hand it on: a URL as a page source, a file as a folder one."""
    if item.startswith(("http://", "https://")):
        return page.read({**DRY_RUN_SOURCE, "url": item}, {}, settings).entries[0]
    path = Path(item)
    return folder.read_file(DRY_RUN_SOURCE, path.parent, path)


def dry_run(item: str, settings: Settings) -> dict[str, Any]:
    """What the TV would show for a page (a file or URL), as JSON; errors are reported, not
    raised. The recipe is process_article's, minus the pictures and the store."""
    try:
        article = _pending(item, settings)
        extracted = _extract(article, settings)
        _write_text(article, extracted, [])
    except (ProcessingError, FetchError, OSError, ValueError) as exc:
        return {"input": item, "error": str(exc)}
    return {
        "input": item,
        "title": article["title"],
        "section": article["section"],
        "byline": article["byline"],
        "published": extracted.published.isoformat() if extracted.published else None,
        "language": article["language"],
        "canonical_url": article["canonical_url"],
        "paragraphs": article["paragraphs"],
        "summary": article["summary"],
        "ticker": article["ticker"],
        "tags": article["tags"],
        "lead_image": extracted.lead_image,
    }


TRY_ENTRIES = 3


def try_source(source: dict[str, Any], settings: Settings, known: list[dict[str, Any]],
               limit: int = TRY_ENTRIES) -> dict[str, Any]:
    """What Newsdesk would make of a source's first entries (title, summary, ticker, image),
    before it is saved: the same reading and text recipe, nothing stored and no picture made.
    A source that cannot be read raises (FetchError, FeedError, OSError); one entry that cannot
    become a story is reported with its reason."""
    batch = READERS[source["kind"]](source, {}, settings)
    entries = []
    for article in batch.entries[:limit]:
        try:
            extracted = _extract(article, settings)
            _write_text(article, extracted, known)
        except (ProcessingError, FetchError, ValueError) as exc:
            entries.append({"title": article["title"], "error": str(exc)[:300]})
            continue
        raw = article.get("raw") or {}
        image = raw.get("image") or extracted.lead_image or (
            Path(raw["image_path"]).name if raw.get("image_path") else None)
        entries.append({"title": article["title"], "summary": article["summary"],
                        "ticker": article["ticker"], "category": article["category"],
                        "publishedAt": article["published_at"], "image": image})
    return {"entries": entries, "found": len(batch.entries), "skipped": len(batch.skipped)}
