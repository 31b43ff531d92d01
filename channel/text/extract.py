"""Turn an article page (HTML or plain text) into a clean story for the TV.

HTML goes through trafilatura for the body (fast mode, no comments: measured best F1 and
speed on real news pages, see bench/extraction.py); its metadata comes from metadata.py. Both
paths end in `channel.text.cleanup.clean_paragraphs`. Hostile input (huge, mis-encoded, empty)
yields an empty or partial `Extracted`, never an exception, so a worker never dies on a bad page.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.utils import decode_file, handle_compressed_file

from channel.text.cleanup import RuleSet, clean_paragraphs, load_rules, normalize
from channel.text.metadata import BYLINE, Metadata, html_metadata, parse_datetime, text_of

__all__ = [
    "MAX_INPUT_BYTES",
    "TRAFILATURA_OPTIONS",
    "Extracted",
    "decode_html",
    "extract_file",
    "extract_html",
    "extract_text",
]

log = logging.getLogger(__name__)

#: Inputs above this are truncated (HTML keeps its head and the start of its body).
MAX_INPUT_BYTES = 5_000_000

_PARSER = lxml_html.HTMLParser(
    remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False
)
_STRIP_TAGS = ("script", "style", "noscript", "svg", "template", "iframe", "object", "embed")
_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([\w.:-]{2,40})""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
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
_HEADLINE_MAX_CHARS = 200
_HEADLINE_MAX_WORDS = 30


@dataclass
class Extracted(Metadata):
    """A clean story plus the metadata the feed shows; any field may be missing."""

    paragraphs: list[str] = field(default_factory=list)
    truncated: bool = False

    @property
    def text(self) -> str:
        """The body as the summarizer wants it: paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)


# ---------------------------------------------------------------------------------------------
# shared helpers


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
        t = text_of(el)
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
    titles, metadata = html_metadata(tree, url)
    result = Extracted(**vars(metadata), truncated=truncated)
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
    return bool(BYLINE.match(line) and ruleset.start is not None and ruleset.start.search(line))


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
            result.byline = BYLINE.match(p).group(1)  # type: ignore[union-attr]
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
