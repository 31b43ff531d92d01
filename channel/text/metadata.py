"""What an article page says about itself: headline, section, byline, dates, language, URL, image.

Read from the page's own tags (meta, link, time, h1, title) and its JSON-LD, which is cheaper and
more predictable than trafilatura's metadata pass; the body is extract.py's job. As trafilatura
keeps its metadata.py apart from its body extractor, so does Newsdesk.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from channel.text.cleanup import normalize

_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "liveblogposting",
    "webpage",
    "report",
    "socialmediaposting",
}
_LANG = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*$", re.I)
_TITLE_SEPS = (" | ", " - ", " – ", " — ", " :: ", " · ")
BYLINE = re.compile(r"^by\s+(.{2,120}?)\s*$", re.I)
_DATE_PREFIX = re.compile(
    r"^(?:- )?(?:published|updated|posted|last updated|first published)\s*(?:on|at)?\s*:?\s*", re.I
)
_TZ_SUFFIX = re.compile(r"\s*(?:UTC|GMT|Z)$")
_DATE_FORMATS = (
    "%a %b %d, %Y %I:%M%p",
    "%a %b %d, %Y %I:%M %p",
    "%A, %B %d, %Y %I:%M %p",
    "%A, %B %d, %Y",
    "%B %d, %Y %I:%M %p",
    "%B %d, %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%d %B %Y %H:%M",
    "%d %B %Y",
    "%d %b %Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%d.%m.%Y",
)
_WORDS = re.compile(r"\w+")


@dataclass
class Metadata:
    """What the page's tags say; any field may be missing."""

    title: str | None = None
    section: str | None = None
    byline: str | None = None
    published: datetime | None = None
    language: str | None = None
    canonical_url: str | None = None
    lead_image: str | None = None
    description: str | None = None
    breadcrumb: list[str] = field(default_factory=list)


def parse_datetime(value: str | None) -> datetime | None:
    """Parse the date forms news pages use; naive times are taken as UTC (never returned naive)."""
    if not value or not isinstance(value, str):
        return None
    text = _DATE_PREFIX.sub("", normalize(value))[:80]
    if not text:
        return None
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        pass
    if parsed is None:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
    if parsed is None:
        bare = _TZ_SUFFIX.sub("", text)
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(bare, fmt)
                break
            except ValueError:
                continue
    if parsed is None or not 1900 <= parsed.year <= 2200:
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _language(value: str | None) -> str | None:
    if not value:
        return None
    m = _LANG.match(value.strip())
    return m.group(1).lower() if m else None


def _http_url(value: str | None, base: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if value.startswith("//"):
        value = "https:" + value
    try:
        absolute = urljoin(base, value) if base else value
        if urlsplit(absolute).scheme in ("http", "https"):
            return absolute
    except ValueError:
        pass
    return None



def is_tracking_pixel(width: str | None, height: str | None) -> bool:
    """A 0 or 1 px <img> is an analytics beacon, never the story's picture (whole pages here,
    feed fragments in channel.sources.feedparse)."""
    return width in ("0", "1") or height in ("0", "1")


def text_of(el: Any) -> str:
    """An element's text as rules see it; a broken element has none."""
    try:
        return normalize(el.text_content())
    except (ValueError, TypeError):
        return ""

def _metas(tree: Any) -> dict[str, str]:
    """First content of each meta name/property/itemprop (lowercased keys)."""
    out: dict[str, str] = {}
    for el in tree.iter("meta"):
        content = el.get("content")
        if not content or not content.strip():
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                out.setdefault(key.strip().lower(), content.strip())
    return out


def _ld_objects(node: Any, depth: int = 0):
    if depth > 6:
        return
    if isinstance(node, list):
        for item in node:
            yield from _ld_objects(item, depth + 1)
    elif isinstance(node, dict):
        yield node
        if "@graph" in node:
            yield from _ld_objects(node["@graph"], depth + 1)


def _json_ld(tree: Any) -> tuple[dict[str, Any], list[str]]:
    """The page's JSON-LD article object (first article-like @type) and breadcrumb trail."""
    article: dict[str, Any] = {}
    crumbs: list[str] = []
    for el in tree.iter("script"):
        if (el.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = el.text or ""
        if not raw.strip() or len(raw) > 1_000_000:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        for obj in _ld_objects(data):
            types = obj.get("@type")
            types = [str(t).lower() for t in (types if isinstance(types, list) else [types])]
            if not crumbs and "breadcrumblist" in types:
                crumbs = _ld_breadcrumb(obj)
            elif not article and any(t in _ARTICLE_TYPES for t in types):
                if "webpage" in types and "headline" not in obj:
                    continue
                article = obj
        if article and crumbs:
            break
    return article, crumbs


def _ld_breadcrumb(obj: dict[str, Any]) -> list[str]:
    items = obj.get("itemListElement")
    if not isinstance(items, list):
        return []
    named = []
    for item in items[:10]:
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        if not name and isinstance(item.get("item"), dict):
            name = item["item"].get("name")
        position = item.get("position")
        if isinstance(name, str) and name.strip():
            rank = position if isinstance(position, int) else len(named) + 1
            named.append((rank, normalize(html_lib.unescape(name))[:100]))
    return [name for _rank, name in sorted(named, key=lambda x: x[0])]


def _ld_text(value: Any) -> str | None:
    """A plain string from a JSON-LD value that may be a string, list or object with a name."""
    if isinstance(value, str):
        return normalize(value) or None
    if isinstance(value, list):
        names = [n for n in (_ld_text(v) for v in value[:6]) if n]
        return ", ".join(dict.fromkeys(names)) or None
    if isinstance(value, dict):
        return _ld_text(value.get("name") or value.get("url"))
    return None


def _ld_image(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value:
        return _ld_image(value[0])
    if isinstance(value, dict):
        return _ld_image(value.get("url") or value.get("contentUrl"))
    return None


def _strip_site_name(title: str, site: str | None) -> str:
    if site:
        for sep in _TITLE_SEPS:
            if title.lower().endswith((sep + site).lower()):
                return title[: -len(sep + site)].strip()
            if title.lower().startswith((site + sep).lower()):
                return title[len(site + sep) :].strip()
    return title


def _same_text(text: str, candidates: list[str]) -> bool:
    words = _WORDS.findall(text.lower())
    return any(words == _WORDS.findall(c.lower()) for c in candidates)


def _first(*values: str | None) -> str | None:
    for v in values:
        if v and v.strip():
            return v.strip()
    return None


def html_metadata(tree: Any, url: str | None) -> tuple[list[str], Metadata]:
    """Every headline form the page offers (best first) and the page's metadata.

    The headline forms are what cleanup removes when the body repeats the headline.
    """
    metas = _metas(tree)
    ld, crumbs = _json_ld(tree)
    base = url
    for el in tree.iter("base"):
        base = _http_url(el.get("href"), url) or url
        break
    site = _first(metas.get("og:site_name"), _ld_text(ld.get("publisher")))

    h1 = next((t for t in (text_of(e) for e in tree.iter("h1")) if t), None)
    title_el = next(tree.iter("title"), None)
    page_title = text_of(title_el) if title_el is not None else None
    candidates = [
        _strip_site_name(normalize(html_lib.unescape(t)), site)[:500]
        for t in (
            _ld_text(ld.get("headline")),
            metas.get("og:title"),
            metas.get("twitter:title"),
            h1,
            page_title,
        )
        if t and t.strip()
    ]
    candidates = [t for t in dict.fromkeys(candidates) if t]
    title = candidates[0] if candidates else None

    section = _first(
        metas.get("article:section"),
        _ld_text(ld.get("articleSection")),
        metas.get("section"),
        metas.get("category"),
        metas.get("parsely-section"),
    )
    if section and "," in section and "articleSection" in ld:
        section = section.split(",")[0].strip()
    # a breadcrumb's last entry is often the story itself; the one before it is the section
    trail = [c for c in crumbs if c.lower() not in ("home", "homepage", "start")]
    if trail and candidates and _same_text(trail[-1], candidates):
        trail = trail[:-1]
    if section is None and trail:
        section = trail[-1]

    author_meta = metas.get("author") or metas.get("article:author") or metas.get("byl")
    if author_meta and _http_url(author_meta, None):
        author_meta = None  # article:author is often a profile URL, not a name
    byline = _first(_ld_text(ld.get("author")), author_meta)
    if byline is None:
        rel = next((e for e in tree.iter("a") if (e.get("rel") or "").lower() == "author"), None)
        byline = text_of(rel) if rel is not None else None
    if byline:
        m = BYLINE.match(byline)
        byline = (m.group(1) if m else byline)[:200] or None

    published = None
    for candidate in (
        metas.get("article:published_time"),
        _ld_text(ld.get("datePublished")),
        metas.get("datepublished"),
        metas.get("pubdate"),
        metas.get("publishdate"),
        metas.get("publish-date"),
        metas.get("parsely-pub-date"),
        metas.get("sailthru.date"),
        metas.get("dc.date.issued"),
        metas.get("dc.date"),
        metas.get("date"),
        metas.get("og:updated_time"),
        _ld_text(ld.get("dateModified")),
    ):
        published = parse_datetime(candidate)
        if published:
            break
    if published is None:
        for el in tree.iter("time"):
            published = parse_datetime(el.get("datetime"))
            if published:
                break

    html_el = tree if tree.tag == "html" else tree.getroottree().getroot()
    language = _language(
        _first(
            html_el.get("lang"),
            html_el.get("{http://www.w3.org/XML/1998/namespace}lang"),
            metas.get("content-language"),
            metas.get("og:locale"),
            _ld_text(ld.get("inLanguage")),
        )
    )

    canonical = None
    for el in tree.iter("link"):
        if "canonical" in (el.get("rel") or "").lower().split():
            canonical = _http_url(el.get("href"), base)
            if canonical:
                break
    canonical = canonical or _http_url(metas.get("og:url"), base) or _http_url(ld.get("url"), base)

    image = _first(
        metas.get("og:image:secure_url"),
        metas.get("og:image"),
        metas.get("og:image:url"),
        metas.get("twitter:image"),
        metas.get("twitter:image:src"),
        _ld_image(ld.get("image")),
    )
    lead_image = _http_url(image, base)
    if lead_image is None:
        scope = next(tree.iter("article"), None)
        if scope is None:
            scope = next(tree.iter("main"), None)
        if scope is None:
            scope = tree
        for img in scope.iter("img"):
            src = img.get("src") or img.get("data-src")
            if is_tracking_pixel(img.get("width"), img.get("height")):
                continue
            if src and not src.startswith("data:"):
                lead_image = _http_url(src, base)
                if lead_image:
                    break

    description = _first(
        metas.get("og:description"), metas.get("description"), _ld_text(ld.get("description"))
    )
    if description:
        description = normalize(html_lib.unescape(description))[:1000] or None
    return candidates, Metadata(
        title=title,
        section=section[:100] if section else None,
        byline=byline,
        published=published,
        language=language,
        canonical_url=canonical,
        lead_image=lead_image,
        description=description,
        breadcrumb=trail,
    )
