"""RSS/Atom bytes -> plain entries, refusing hostile XML before feedparser ever sees it.

feedparser is forgiving by design (it recovers from broken feeds), which is what we want for
real-world feeds and exactly what we do not want for entity bombs or an HTML error page served
as a feed. So a defusedxml pass over the prolog comes first (entity declarations refused, root
element checked); broken XML gets the common repairs so it can take feedparser's fast strict
path, and bodies that would keep feedparser busy for seconds are refused; then feedparser; then
a mapping to small frozen records, each under its story id (sources/ids.py).
Every failure is a FeedError whose message is the reason an operator sees on the source.
"""

from __future__ import annotations

import functools
import html
import html.entities
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.parsers import expat
from xml.sax import SAXException
from xml.sax.handler import ContentHandler, feature_external_ges

import defusedxml
import feedparser
from defusedxml.expatreader import DefusedExpatParser

from channel.sources.ids import story_id
from channel.text.metadata import is_tracking_pixel

__all__ = [
    "FeedEntry",
    "FeedError",
    "ParsedFeed",
    "Video",
    "find_lead_image",
    "parse_feed",
    "video_type",
]

log = logging.getLogger(__name__)

FEED_ROOTS = frozenset({"rss", "feed", "rdf"})
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif")

_HTML_START = re.compile(
    rb"^(?:\s|<\?xml[^>]*\?>|<!--.*?-->)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_ENTITY_DECL = re.compile(rb"<!entity", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(
    rb"""(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._:-]{1,40})(["'])"""
)
_CDATA = re.compile(rb"(<!\[CDATA\[.*?\]\]>)", re.DOTALL)
_BARE_AMP = re.compile(rb"&(?!#[0-9]{1,10};|#[xX][0-9a-fA-F]{1,8};|[A-Za-z][A-Za-z0-9]{0,31};)")
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")
_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{0,31});")
# feedparser's loose (regex) parser needs seconds per 100 KB; past this, broken XML is refused.
LOOSE_PARSE_LIMIT = 256_000
# feedparser sanitizes embedded HTML in Python at tens of µs per tag: a body dense with
# markup (escaped or not) would hold a worker for minutes, so it is refused up front.
MAX_MARKUP_TAGS = 50_000


class FeedError(ValueError):
    """Why a body is not a usable feed, in words an operator can act on."""


@dataclass(frozen=True)
class Video:
    url: str
    video_type: str  # "MP4" | "HLS" | "DASH", as Roku Direct Publisher names them
    duration: int | None  # seconds


@dataclass(frozen=True)
class FeedEntry:
    id: str  # the story id (sources/ids.py): GUID, else canonical link, else title and date
    guid: str | None
    link: str | None
    title: str
    summary_html: str | None
    content_html: str | None  # full content (content:encoded / atom content) when present
    published: datetime | None  # timezone-aware UTC
    author: str | None
    category: str | None
    image_url: str | None
    video: Video | None


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    link: str | None
    entries: list[FeedEntry]
    skipped: list[str] = field(default_factory=list)  # "what: why" for entries left out


# --------------------------------------------------------------------------- hostile input


class _RootFound(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class _StopAtRoot(ContentHandler):
    """Entity and DTD declarations can only precede the root, so stop there: O(prolog)."""

    def startElement(self, name: str, attrs: Any) -> None:  # noqa: N802 (SAX API)
        raise _RootFound(name)


def _check_xml(data: bytes) -> None:
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head) or _HTML_START.match(head.replace(b"\x00", b"")):
        raise FeedError("not a feed: looks like HTML")
    # Entity declarations are refused; an external DTD (RSS 0.91's Netscape DOCTYPE) is never
    # fetched because external entities are off, so a plain DOCTYPE is harmless and allowed.
    parser = DefusedExpatParser(forbid_dtd=False, forbid_entities=True, forbid_external=False)
    parser.setFeature(feature_external_ges, False)
    parser.setContentHandler(_StopAtRoot())
    try:
        parser.parse(io.BytesIO(data))
    except _RootFound as found:
        local = found.name.rsplit(":", 1)[-1].lower()
        if local == "html":
            raise FeedError("not a feed: looks like HTML") from None
        if local not in FEED_ROOTS:
            raise FeedError(f"not a feed: root element <{found.name}>") from None
        return
    except defusedxml.EntitiesForbidden:
        raise FeedError("XML entity declarations are refused") from None
    except (SAXException, LookupError, ValueError):
        # Broken before the root (an unknown declared encoding, say): expat never reached the
        # DTD, so look for declarations by hand (NULs dropped to see through UTF-16/32).
        if _ENTITY_DECL.search(data.replace(b"\x00", b"")):
            raise FeedError("XML entity declarations are refused") from None
        return  # let feedparser try to recover; it says so if it cannot
    raise FeedError("malformed XML: no root element")


@functools.lru_cache(maxsize=64)
def _expat_reads(encoding: str) -> bool:
    """pyexpat handles UTF-8/16, Latin-1, ASCII and Python's single-byte codecs, nothing more."""
    try:
        expat.ParserCreate().Parse(
            b'<?xml version="1.0" encoding="%s"?><a/>' % encoding.encode(), True
        )
    except (expat.ExpatError, LookupError, ValueError):
        return False
    return True


def _expat_compatible(data: bytes) -> bytes:
    """Shift_JIS, EUC-KR, GB2312...: re-encode as UTF-8 so the safety checks can read them."""
    m = _DECLARED_ENCODING.match(data)
    if not m or _expat_reads(m.group(2).decode("ascii")):
        return data
    try:
        text = data[m.end() :].decode(m.group(2).decode("ascii"))
    except (LookupError, UnicodeDecodeError):
        return data  # wrong or unknown declaration: feedparser's own detection decides
    return m.group(1) + b"utf-8" + m.group(3) + text.encode("utf-8")


def _xml_error(data: bytes) -> str | None:
    """Well-formedness at C speed (no handlers), run only after the prolog passed defusedxml."""
    parser = expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, LookupError, ValueError) as exc:
        return str(exc)
    return None


def _fix_entity(match: re.Match[bytes]) -> bytes:
    name = match.group(1).decode("ascii")
    if name in ("amp", "lt", "gt", "quot", "apos"):
        return match.group(0)
    codepoint = html.entities.name2codepoint.get(name)
    return b"&#%d;" % codepoint if codepoint else b"&amp;" + match.group(0)[1:]


def _fix_charref(match: re.Match[bytes]) -> bytes:
    hexa, dec = match.group(1), match.group(2)
    value = int(hexa, 16) if hexa else int(dec)
    valid = value in (0x9, 0xA, 0xD) or 0x20 <= value <= 0x10FFFF
    if not valid or 0xD800 <= value <= 0xDFFF or value in (0xFFFE, 0xFFFF):
        return b"&#xFFFD;"  # surrogates crash feedparser's loose parser; XML forbids the rest
    return match.group(0)


def _repair(data: bytes) -> bytes:
    """Fix the commonest breakages (bare ``&``, HTML entities like ``&nbsp;``, character
    references XML forbids) outside CDATA, so such feeds take feedparser's fast strict path."""
    pieces = _CDATA.split(data)
    for i in range(0, len(pieces), 2):  # odd indexes are the CDATA sections themselves
        piece = _BARE_AMP.sub(b"&amp;", pieces[i])
        piece = _NAMED_ENTITY.sub(_fix_entity, piece)
        pieces[i] = _CHARREF.sub(_fix_charref, piece)
    return b"".join(pieces)


# --------------------------------------------------------------------------- small helpers


def _url(value: Any, base_url: str | None) -> str | None:
    """Absolute http(s) URL, or a relative path when there is no base (local feed files)."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    try:
        if base_url:
            value = urljoin(base_url, value)
        scheme = urlsplit(value).scheme.lower()
    except ValueError:  # "http://[not-ipv6" and similar
        return None
    if scheme in ("http", "https") or (not scheme and not base_url):
        return value
    return None  # data:, javascript:, file: and friends


def _path(url: str) -> str:
    try:
        return urlsplit(url).path.lower()
    except ValueError:
        return ""


def video_type(url: str, mime: str | None = None) -> str | None:
    """Roku Direct Publisher videoType from a MIME type or, failing that, the extension."""
    m = (mime or "").split(";", 1)[0].strip().lower()
    if m in ("video/mp4", "video/x-m4v", "video/m4v"):
        return "MP4"
    if m in (
        "application/x-mpegurl",
        "application/vnd.apple.mpegurl",
        "audio/mpegurl",
        "audio/x-mpegurl",
    ):
        return "HLS"
    if m == "application/dash+xml":
        return "DASH"
    path = _path(url)
    if path.endswith((".mp4", ".m4v")):
        return "MP4"
    if path.endswith(".m3u8"):
        return "HLS"
    if path.endswith(".mpd"):
        return "DASH"
    return None


def _duration(value: Any) -> int | None:
    """Seconds from "61", "61.5", "1:01" or "0:01:01" (media:content and itunes:duration)."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        seconds = 0.0
        for part in text.split(":"):
            seconds = seconds * 60 + float(part)
    except ValueError:
        return None
    return int(seconds) if 0 < seconds < 10**7 else None


class _ImageFinder(HTMLParser):
    """og:image / twitter:image first, else the first real <img> (not a 1x1 tracking pixel)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: str | None = None
        self.first_img: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta" and self.meta is None:
            key = (a.get("property") or a.get("name") or "").lower()
            if key in ("og:image", "og:image:url", "og:image:secure_url", "twitter:image"):
                self.meta = a.get("content") or None
        elif tag == "img" and self.first_img is None:
            src = a.get("src") or a.get("data-src") or ""
            if src and not is_tracking_pixel(a.get("width"), a.get("height")):
                self.first_img = src


def find_lead_image(html_text: str | None, base_url: str | None = None) -> str | None:
    """Lead image of a feed entry's HTML fragment (channel.text.extract reads whole pages)."""
    if not html_text:
        return None
    finder = _ImageFinder()
    try:
        finder.feed(html_text)
        finder.close()
    except Exception:  # HTMLParser on hostile markup; no image beats a crash
        pass
    for candidate in (finder.meta, finder.first_img):
        url = _url(candidate, base_url)
        if url and not url.startswith("data:"):
            return url
    return None


def _text(detail: Any, value: Any) -> str:
    """A title as plain text even when the feed declared it HTML."""
    text = str(value or "")
    if isinstance(detail, dict) and "html" in str(detail.get("type", "")):
        text = html.unescape(re.sub(r"<[^>]*>", "", text))
    return " ".join(text.split())


def _html(detail: Any, value: Any) -> str | None:
    if not value or not str(value).strip():
        return None
    if isinstance(detail, dict) and detail.get("type") == "text/plain":
        return "<p>" + html.escape(str(value)) + "</p>"
    return str(value)


def _published(e: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        t = dict.get(e, key)  # plain lookup: skips feedparser's deprecated key aliasing
        if t:
            try:
                return datetime(*t[:6], tzinfo=UTC)
            except (TypeError, ValueError, OverflowError):
                continue
    return None


def _widest(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    def width(item: dict[str, Any]) -> int:
        w = str(item.get("width") or "")
        return int(w) if w.isdigit() else 0

    return max(items, key=width) if items else None  # max keeps the first on ties


def _is_image(item: dict[str, Any], url: str) -> bool:
    medium, mime = str(item.get("medium") or ""), str(item.get("type") or "")
    if medium or mime:
        return medium == "image" or mime.startswith("image/")
    return _path(url).endswith(IMAGE_EXTENSIONS)


def _media(
    e: Any, content: str | None, summary: str | None, base_url: str | None
) -> tuple[str | None, Video | None]:
    media = [m for m in e.get("media_content") or [] if isinstance(m, dict) and m.get("url")]
    enclosures = [
        {"url": link.get("href"), "type": link.get("type")}
        for link in e.get("links") or []
        if link.get("rel") == "enclosure" and link.get("href")
    ]
    images = [m for m in media if _is_image(m, m["url"])]
    thumbs = [m for m in e.get("media_thumbnail") or [] if isinstance(m, dict) and m.get("url")]
    image = None
    for pick in (_widest(images), _widest(thumbs)):
        image = image or (_url(pick["url"], base_url) if pick else None)
    for enc in enclosures:
        if not image and _is_image(enc, enc["url"]):
            image = _url(enc["url"], base_url)
    image = image or find_lead_image(content, base_url) or find_lead_image(summary, base_url)

    video = None
    for item in media + enclosures:
        url = _url(item["url"], base_url)
        kind = video_type(url, item.get("type")) if url else None
        if url and kind and item.get("medium") in (None, "", "video"):
            duration = _duration(item.get("duration")) or _duration(e.get("itunes_duration"))
            video = Video(url, kind, duration)
            break
    return image, video


def _entry(e: Any, base_url: str | None, source_id: str) -> FeedEntry | str:
    """A FeedEntry, or the reason the entry cannot have a stable id."""
    guid = str(e.get("id") or "").strip() or None
    link = _url(e.get("link"), base_url)
    title = _text(e.get("title_detail"), e.get("title"))
    summary = _html(e.get("summary_detail"), e.get("summary"))
    content = None
    parts = [c for c in e.get("content") or [] if c.get("value")]
    if parts:
        best = next((c for c in parts if "html" in str(c.get("type", ""))), parts[0])
        content = _html(best, best.get("value"))
    published = _published(e)
    if not (guid or link or title):
        return "entry without guid, link or title"
    image, video = _media(e, content, summary, base_url)
    author = str(e.get("author") or (e.get("author_detail") or {}).get("name") or "").strip()
    category = None
    for tag in e.get("tags") or []:
        term = str(tag.get("label") or tag.get("term") or "").strip()
        if term:
            category = term
            break
    return FeedEntry(
        id=story_id(source_id, guid=guid, url=link,
                    name=f"{title}|{published.isoformat() if published else ''}"),
        guid=guid,
        link=link,
        title=title,
        summary_html=summary,
        content_html=content,
        published=published,
        author=author or None,
        category=category,
        image_url=image,
        video=video,
    )


def parse_feed(
    data: bytes,
    *,
    source_id: str,
    base_url: str | None = None,
    max_items: int | None = None,
    content_type: str | None = None,
) -> ParsedFeed:
    """Parse RSS 0.9x/1.0/2.0 or Atom; raise FeedError with a reason for anything else.

    `source_id` scopes the entries' ids (a GUID like "1234" is only unique within its feed).
    """
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        raise FeedError("empty body")
    data = _expat_compatible(data)
    _check_xml(data)
    tags = data.count(b"<") + data.count(b"&lt;") + data.count(b"&#60;")
    if tags > MAX_MARKUP_TAGS:
        raise FeedError(f"feed too complex to parse: {tags} tags (limit {MAX_MARKUP_TAGS})")
    error = _xml_error(data)
    if error:
        data = _repair(data)
        if _xml_error(data) is not None and len(data) > LOOSE_PARSE_LIMIT:
            raise FeedError(f"malformed XML: {error} (too large to recover: {len(data)} bytes)")
    headers = {}
    if base_url:
        headers["content-location"] = base_url
    if content_type:
        headers["content-type"] = content_type
    # A stream, never bytes: feedparser treats a bytes/str argument as a possible file path.
    try:
        d = feedparser.parse(io.BytesIO(data), response_headers=headers)
    except Exception as exc:  # feedparser's loose parser has crash bugs
        log.warning("feedparser failed on hostile input: %r", exc)
        raise FeedError(f"unparseable feed: {type(exc).__name__}: {exc}") from None
    entries: list[FeedEntry] = []
    skipped: list[str] = []
    seen: set[str] = set()
    raw_entries = d.entries[:max_items] if max_items else d.entries
    for i, raw in enumerate(raw_entries):
        got = _entry(raw, base_url, source_id)
        if isinstance(got, str):
            skipped.append(f"entry {i + 1}: {got}")
        elif got.id in seen:
            skipped.append(f"entry {i + 1}: duplicate id {got.id}")
        else:
            seen.add(got.id)
            entries.append(got)
    if d.get("bozo") and not entries:
        # Recovered nothing usable. A mis-declared encoding alone is no reason to refuse.
        exc = d.get("bozo_exception")
        if not d.get("version") or not isinstance(exc, feedparser.CharacterEncodingOverride):
            raise FeedError(f"malformed XML: {exc}")
    if not d.get("version") and not entries:
        raise FeedError("not a feed: no RSS or Atom structure")
    feed = d.get("feed") or {}
    title = _text(feed.get("title_detail"), feed.get("title")) or None
    return ParsedFeed(
        title=title, link=_url(feed.get("link"), base_url), entries=entries, skipped=skipped
    )
