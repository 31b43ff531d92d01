"""Turn an article page (HTML or plain text) into a clean story for the TV.

HTML goes through trafilatura for the body (fast mode, no comments: measured best F1 and
speed on real news pages, see bench/extraction.py); metadata comes from the page's own tags and
JSON-LD, which is cheaper and more predictable than trafilatura's metadata pass. Both paths end
in `channel.text.cleanup.clean_paragraphs`. Hostile input (huge, mis-encoded, empty) yields an empty
or partial `Extracted`, never an exception, so a worker never dies on a bad page.
"""

from __future__ import annotations

import codecs
import html as html_lib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.utils import decode_file, handle_compressed_file

from channel.sources.feedparse import is_tracking_pixel
from channel.text.cleanup import RuleSet, clean_paragraphs, load_rules, normalize

__all__ = [
    "MAX_INPUT_BYTES",
    "TRAFILATURA_OPTIONS",
    "Extracted",
    "clean_paragraphs",
    "decode_html",
    "extract_file",
    "extract_html",
    "extract_text",
    "load_rules",
    "parse_datetime",
]

log = logging.getLogger(__name__)

#: Inputs above this are truncated (HTML keeps its head and the start of its body).
MAX_INPUT_BYTES = 5_000_000

_PARSER = lxml_html.HTMLParser(
    remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False
)
_STRIP_TAGS = ("script", "style", "noscript", "svg", "template", "iframe", "object", "embed")
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
_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([\w.:-]{2,40})""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_LANG = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*$", re.I)
_TITLE_SEPS = (" | ", " - ", " – ", " — ", " :: ", " · ")
_BYLINE = re.compile(r"^by\s+(.{2,120}?)\s*$", re.I)
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
#: How Newsdesk calls trafilatura. fast (no readability/justext comparison) and no comments
#: measured the best F1 and speed on real news pages; favor_recall rescues pages whose main
#: extractor picks a menu, and our own cleanup removes the extra boilerplate it lets through.
#: bench/extraction.py shows the same call with and without that cleanup.
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "fast": True,
    "include_comments": False,
    "favor_recall": True,
    "output_format": "txt",
    "with_metadata": False,
}

#: Trees above this many elements skip trafilatura (linear but ~50 us/element) for a plain
#: paragraph scan: a hostile 5 MB table must not hold a worker for half a minute.
MAX_ELEMENTS = 60_000
_BULKY_OPEN = re.compile(rb"<(script|style|svg|noscript|template)\b[^>]{0,500}>|<!--")
#: Clean bodies are cut here: a real article is far shorter, and the TV never shows more.
MAX_BODY_CHARS = 200_000
_JUNK_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff]")
_WORDS = re.compile(r"\w+")
_HEADLINE_MAX_CHARS = 200
_HEADLINE_MAX_WORDS = 30


@dataclass
class Extracted:
    """A clean story plus the metadata the feed shows; any field may be missing."""

    title: str | None = None
    section: str | None = None
    byline: str | None = None
    published: datetime | None = None
    language: str | None = None
    canonical_url: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    lead_image: str | None = None
    description: str | None = None
    breadcrumb: list[str] = field(default_factory=list)
    truncated: bool = False

    @property
    def text(self) -> str:
        """The body as the summarizer wants it: paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)


# ---------------------------------------------------------------------------------------------
# shared helpers


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


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _plausible(paragraphs: list[str], max_chars: int = MAX_BODY_CHARS) -> list[str]:
    """Drop paragraphs that are mostly control or replacement characters (binary or
    mis-decoded input) and cut the body at `max_chars`."""
    out: list[str] = []
    total = 0
    for p in paragraphs:
        sample = p[:400]
        if len(_JUNK_CHARS.findall(sample)) > len(sample) // 10:
            continue
        if total + len(p) > max_chars:
            break
        out.append(p)
        total += len(p)
    return out


# ---------------------------------------------------------------------------------------------
# HTML


def decode_html(data: bytes | str, *, max_bytes: int = MAX_INPUT_BYTES) -> tuple[str, bool]:
    """Bytes to text, trusting UTF-8 first, then the page's declared charset, then detection.

    Returns (text, truncated). Compressed bodies are inflated with a cap (no zip bombs).
    """
    if isinstance(data, str):
        if len(data) <= max_bytes:
            return data, False
        data = data.encode("utf-8", errors="replace")
    if data[:3] == b"\x1f\x8b\x08" or data[:4] in (b"\x28\xb5\x2f\xfd", b"BZh9"):
        data = handle_compressed_file(data, max_size=max_bytes * 4)
    truncated = False
    if len(data) > max_bytes:
        # scripts and styles first: the article must survive the cap, not the ad code
        data = _drop_bulky(data)
    if len(data) > max_bytes:
        data, truncated = data[:max_bytes], True
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return data.decode("utf-16", errors="replace"), truncated
    try:
        return data.decode("utf-8-sig"), truncated
    except UnicodeDecodeError as err:
        if truncated and err.start >= len(data) - 4:  # we cut a character in half
            return data[: err.start].decode("utf-8", errors="replace"), truncated
    m = _CHARSET.search(data[:4096])
    if m:
        try:
            name = codecs.lookup(m.group(1).decode("ascii")).name
            if name not in ("utf-8", "utf-16", "utf-32"):
                return data.decode(name, errors="replace"), truncated
        except (LookupError, UnicodeDecodeError):
            pass
    # statistical detection: bounded work, since it only ever sees a capped input
    return decode_file(data, max_bytes), truncated


def _drop_bulky(data: bytes) -> bytes:
    """Remove scripts, styles and comments (JSON-LD stays) in one linear pass.

    A regex with a lazy ``.*?`` would rescan to the end for every unclosed tag: quadratic on
    hostile input. Here an unclosed tag simply ends the stripping.
    """
    lower = data.lower()
    parts: list[bytes] = []
    pos = 0
    for m in _BULKY_OPEN.finditer(lower):
        start = m.start()
        if start < pos:
            continue
        closing = b"-->" if m.group(1) is None else b"</" + m.group(1)
        end = lower.find(closing, m.end())
        if end == -1:
            break
        end = lower.find(b">", end) + 1
        if end == 0:
            break
        if b"ld+json" in m.group(0) and end - start < 200_000:
            continue
        parts.append(data[pos:start])
        pos = end
    parts.append(data[pos:])
    return b"".join(parts)


def _parse(text: str) -> Any | None:
    text = _XML_DECL.sub("", text, count=1).replace("\x00", "")
    if not text.strip():
        return None
    try:
        return lxml_html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError, TypeError) as err:
        log.info("unparseable HTML: %s", err)
        return None


def _text_of(el: Any) -> str:
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


def _html_metadata(tree: Any, url: str | None) -> tuple[list[str], Extracted]:
    """Every headline form the page offers (best first) and the page's metadata."""
    metas = _metas(tree)
    ld, crumbs = _json_ld(tree)
    base = url
    for el in tree.iter("base"):
        base = _http_url(el.get("href"), url) or url
        break
    site = _first(metas.get("og:site_name"), _ld_text(ld.get("publisher")))

    h1 = next((t for t in (_text_of(e) for e in tree.iter("h1")) if t), None)
    title_el = next(tree.iter("title"), None)
    page_title = _text_of(title_el) if title_el is not None else None
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
        byline = _text_of(rel) if rel is not None else None
    if byline:
        m = _BYLINE.match(byline)
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
    return candidates, Extracted(
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


def _body_paragraphs(tree: Any, url: str | None, tags: int) -> list[str]:
    # `tags` (a count of "<" in the page) bounds the element count cheaply; count exactly only
    # when it could be over the limit
    size = sum(1 for _ in tree.iter()) if tags > MAX_ELEMENTS else 0
    if size > MAX_ELEMENTS:
        log.warning("page %s has %d elements: paragraph scan instead of trafilatura", url, size)
        text = None
    else:
        text = _trafilatura(tree, url)
    if text:
        return [line for line in text.split("\n") if line.strip()]
    # fallback: visible paragraphs, for pages too small, odd or big for the extractor
    paragraphs = []
    for el in tree.iter("p"):
        t = _text_of(el)
        if len(t) >= 40:
            paragraphs.append(t)
    return paragraphs


def _trafilatura(tree: Any, url: str | None) -> str | None:
    try:
        text = trafilatura.extract(tree, url=url, **TRAFILATURA_OPTIONS)
    except Exception as err:  # noqa: BLE001 - a broken page must not kill the worker
        log.warning("trafilatura failed on %s: %s", url, err)
        text = None
    return text


def extract_html(
    html: bytes | str,
    *,
    url: str | None = None,
    source: str | None = None,
    max_bytes: int = MAX_INPUT_BYTES,
) -> Extracted:
    """Extract a clean story from an article page; never raises on bad input."""
    if not html:
        return Extracted()
    try:
        text, truncated = decode_html(html, max_bytes=max_bytes)
    except Exception as err:  # noqa: BLE001 - undecodable bytes are bad input, not a crash
        log.warning("cannot decode page %s: %s", url, err)
        return Extracted()
    tree = _parse(text)
    if tree is None:
        return Extracted(truncated=truncated)
    titles, result = _html_metadata(tree, url)
    result.truncated = truncated
    etree.strip_elements(tree, *_STRIP_TAGS, with_tail=False)
    raw = _body_paragraphs(tree, url, text.count("<"))
    rules = load_rules()
    if raw and result.section is None:
        crumb = rules.for_source(source, _host(url)).breadcrumb.parse(raw[0])
        if crumb:
            result.breadcrumb, result.section = crumb, crumb[-1]
    result.paragraphs = _plausible(
        clean_paragraphs(raw, source=source, host=_host(url), title=titles, rules=rules)
    )
    return result


# ---------------------------------------------------------------------------------------------
# plain text


def _split_text(text: str) -> list[str]:
    """Paragraphs of a plain-text page: blank lines separate them; hard-wrapped lines re-join."""
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        if not lines:
            continue
        wrapped = len(lines) > 1 and all(
            len(ln) >= 50 and ln[-1] not in ".!?:”\"'" for ln in lines[:-1]
        )
        if wrapped:
            paragraphs.append(" ".join(lines))
        else:
            paragraphs.extend(lines)
    return paragraphs


def _headline_like(line: str) -> bool:
    words = line.split()
    return (
        0 < len(line) <= _HEADLINE_MAX_CHARS
        and 1 < len(words) <= _HEADLINE_MAX_WORDS
        and (not line.endswith(".") or line.endswith("..."))
    )


def _is_byline(line: str, ruleset: RuleSet) -> bool:
    return bool(_BYLINE.match(line) and ruleset.start is not None and ruleset.start.search(line))


def extract_text(
    text: str, *, source: str | None = None, max_bytes: int = MAX_INPUT_BYTES
) -> Extracted:
    """Extract a story from a plain-text page: breadcrumb, headline, caption, body, promos.

    The first line that looks like a breadcrumb ("News / EU") gives the section; the first
    short headline-like line after it is the title; leading bylines/datelines fill byline and
    published; the rest is cleaned by the boilerplate rules.
    """
    if not text:
        return Extracted()
    if isinstance(text, bytes):
        text, truncated = decode_html(text, max_bytes=max_bytes)
    else:
        truncated = len(text) > max_bytes
        text = text[:max_bytes]
    paragraphs = [normalize(p) for p in _split_text(text.replace("\r\n", "\n").replace("\r", "\n"))]
    paragraphs = [p for p in paragraphs if p]
    result = Extracted(truncated=truncated)
    ruleset = load_rules().for_source(source)
    i = 0
    if paragraphs:
        crumb = ruleset.breadcrumb.parse(paragraphs[0])
        if crumb:
            result.breadcrumb, result.section = crumb, crumb[-1]
            i = 1
    # bylines and datelines around the headline become metadata; the first headline-like
    # line that is not one of them (nor a caption) is the title
    seen_title = False
    limit = i + 6
    while i < len(paragraphs) and i < limit:
        p = paragraphs[i]
        if result.byline is None and _is_byline(p, ruleset):
            result.byline = _BYLINE.match(p).group(1)  # type: ignore[union-attr]
        elif result.published is None and (when := parse_datetime(p)) is not None:
            result.published = when
        elif ruleset.is_boilerplate(p):
            pass
        elif not seen_title and _headline_like(p):
            result.title, seen_title = p, True
        else:
            break
        i += 1
    result.paragraphs = _plausible(
        clean_paragraphs(paragraphs[i:], source=source, title=result.title)
    )
    return result


def extract_file(path: Path, *, source: str | None = None) -> Extracted:
    """Extract a local file: HTML by its extension or leading markup, plain text otherwise."""
    data = Path(path).read_bytes()[: MAX_INPUT_BYTES + 1]
    head = data[:512].lstrip().lower()
    if Path(path).suffix.lower() in (".html", ".htm", ".xhtml") or head.startswith(
        (b"<!doctype html", b"<html", b"<?xml")
    ):
        return extract_html(data, source=source)
    text, truncated = decode_html(data)
    result = extract_text(text, source=source)
    result.truncated = result.truncated or truncated
    return result
