"""``newsdesk inspect``: what the TV would show for a page, without storing anything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from channel.sources.fetch import FetchError, fetch
from channel.text.extract import extract_html, extract_text
from channel.text.keywords import detect_language, extract_tags
from channel.text.summarize import summarize


def inspect_input(item: str) -> dict[str, Any]:
    """One JSON-ready document per page; errors are reported, not raised."""
    try:
        if item.startswith(("http://", "https://")):
            page = fetch(item, accept="text/html,application/xhtml+xml;q=0.9")
            extracted = extract_html(page.body, url=page.url)
        else:
            path = Path(item)
            data = path.read_bytes()
            if path.suffix.lower() in (".html", ".htm") or data.lstrip()[:1] == b"<":
                extracted = extract_html(data)
            else:
                extracted = extract_text(data.decode("utf-8", errors="replace"))
        text = extracted.text
        title = extracted.title or ""
        language = extracted.language or detect_language(text or title)
        summary = summarize(text, title=title or None, language=language)
    except (FetchError, OSError, ValueError) as exc:
        return {"input": item, "error": str(exc)}
    return {
        "input": item,
        "title": extracted.title,
        "section": extracted.section,
        "byline": extracted.byline,
        "published": extracted.published.isoformat() if extracted.published else None,
        "language": language,
        "canonical_url": extracted.canonical_url,
        "paragraphs": extracted.paragraphs,
        "summary": summary.summary,
        "ticker": summary.ticker,
        "tags": extract_tags(text, title=title or None, language=language),
        "lead_image": extracted.lead_image,
    }
