"""Title cards: a generated picture for stories with no usable image, so every card has one.

Drawn natively at each size (text stays sharp on small posters) in a bold font shipped with
the code (DejaVu Sans Condensed Bold: Latin, Greek and Cyrillic, narrow enough for long
headlines), so nothing depends on fonts installed on the machine. A real bold face rather than
Pillow's stroke: stroking a line costs two to four times drawing it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageColor, ImageDraw, ImageFont

from channel.images.thumbnails import (
    DEFAULT_SIZES,
    Thumbnail,
    ThumbnailSet,
    check_sizes,
    encode_jpeg,
)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
RGB = tuple[int, int, int]

MAX_LINES = 4
MAX_CHARS = 300  # more than four lines ever show; bounds the work for a runaway headline
_MARGIN = 0.07  # of the width
_CATEGORY_SIZE = 0.065  # of the height
_TITLE_SIZES = (0.11, 0.095, 0.082, 0.072)  # of the height, tried largest first
_ELLIPSIS = "\u2026"
_REFERENCE_SIZE = 100  # px: word widths are measured at this size and scaled
_ESTIMATE_SLACK = 0.97  # hinting rounds each glyph's advance: scaled widths are off by ~1-2%
FONT = Path(__file__).parent / "fonts" / "DejaVuSansCondensed-Bold.ttf"
# Chroma at half resolution saves a third of the encode; below this width the category's thin
# coloured strokes would bleed, so small cards keep full chroma.
_SUBSAMPLE_FROM_WIDTH = 640


def title_card(
    title: str,
    category: str,
    sizes: Mapping[str, tuple[int, int]] = DEFAULT_SIZES,
    *,
    background: str = "#0b1f3a",
    accent: str = "#f2b705",
) -> ThumbnailSet:
    """Every configured size of a card showing the category and headline in channel colours.

    Colours are any CSS colour Pillow understands; a bad one raises ValueError.
    """
    sizes = check_sizes(sizes)
    bg = _rgb(background)
    ac = _rgb(accent)
    ink = _ink(bg)
    if _contrast(ac, bg) < 2.0:  # an accent that vanishes on the background is no accent
        ac = ink
    title = _clean(title)[:MAX_CHARS]
    category = _clean(category).upper()[:MAX_CHARS]
    thumbs = [
        Thumbnail(
            name,
            w,
            h,
            encode_jpeg(
                _draw((w, h), title, category, bg, ac, ink),
                subsampling=subsampling(w),
            ),
        )
        for name, (w, h) in sizes.items()
    ]
    return ThumbnailSet(thumbnails=thumbs, crop_box=None, placeholder=_hex(bg), kind="titlecard")


def subsampling(width: int) -> str:
    """JPEG chroma subsampling for a card this wide (bench/titlecards.py encodes the same)."""
    return "4:2:0" if width >= _SUBSAMPLE_FROM_WIDTH else "4:4:4"


def _draw(
    size: tuple[int, int], title: str, category: str, bg: RGB, ac: RGB, ink: RGB
) -> Image.Image:
    w, h = size
    img = _backdrop(size, bg)
    draw = ImageDraw.Draw(img)
    margin = round(w * _MARGIN)
    text_w = w - 2 * margin
    rule = max(3, round(h * 0.012))
    y = margin
    if category:
        font = _font(max(8, round(h * _CATEGORY_SIZE)))
        draw.text((margin, y), _fit_line(category, font, text_w), font=font, fill=ac)
        y += _line_height(font) + rule * 2
    draw.rectangle((margin, y, margin + round(w * 0.12), y + rule - 1), fill=ac)
    y += rule * 3
    if not title:
        return img
    space = h - margin - y
    for frac in _TITLE_SIZES:
        font = _font(max(8, round(h * frac)))
        lines, fits = _wrap(title, font, text_w, MAX_LINES)
        line_h = round(_line_height(font) * 1.15)
        if fits and len(lines) * line_h <= space:
            break
    max_lines = max(1, min(MAX_LINES, space // line_h))
    lines, fits = _wrap(title, font, text_w, max_lines)
    if not fits:
        lines[-1] = _fit_line(lines[-1] + _ELLIPSIS, font, text_w)
    top = h - margin - len(lines) * line_h  # headline sits at the bottom, category at the top
    for i, line in enumerate(lines):
        draw.text((margin, top + i * line_h), line, font=font, fill=ink)
    return img


def _backdrop(size: tuple[int, int], bg: RGB) -> Image.Image:
    """The background colour, darkening towards the bottom so white text reads well."""
    return _gradient(size, bg).copy()


@lru_cache(maxsize=16)
def _gradient(size: tuple[int, int], bg: RGB) -> Image.Image:
    """Drawn once per size and colour (a third of a card's drawing time); callers copy it."""
    w, h = size
    dark = tuple(round(c * 0.6) for c in bg)
    mask = Image.linear_gradient("L").resize((w, h), Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGB", size, dark), Image.new("RGB", size, bg), mask)


def _wrap(text: str, font: Font, width: int, max_lines: int) -> tuple[list[str], bool]:
    """Greedy word wrap; returns (up to max_lines lines, whether everything fit).

    Word widths are measured once per word at a reference size and scaled to this font (FreeType
    measuring is half of a card's drawing when every size and candidate font measures every
    word); the estimate wraps a little short of the width, and each line is then measured whole.
    If one is still too wide, the text is wrapped again measuring every candidate line."""
    lines = _greedy(text, font, width, max_lines, exact=False)
    if all(font.getlength(line) <= width for line in lines[0]):
        return lines
    return _greedy(text, font, width, max_lines, exact=True)


def _greedy(text: str, font: Font, width: int, max_lines: int, *,
            exact: bool) -> tuple[list[str], bool]:
    size = getattr(font, "size", None)
    exact = exact or not isinstance(size, int | float)  # the bitmap fallback font has no size

    def measure(word: str) -> float:
        return font.getlength(word) if exact else _reference_width(word) * size / _REFERENCE_SIZE

    limit = width if exact else width * _ESTIMATE_SLACK
    space = measure(" ")
    lines: list[str] = []
    current, current_w = "", 0.0
    for word in text.split(" "):
        word_w = measure(word)
        while word_w > limit:  # a word longer than the line: break it
            cut = _longest_prefix(word, font, width)
            if current:
                lines.append(current)
                current, current_w = "", 0.0
            lines.append(word[:cut])
            word = word[cut:]
            word_w = measure(word)
        candidate = f"{current} {word}" if current else word
        if exact:
            candidate_w = font.getlength(candidate)
        else:
            candidate_w = current_w + space + word_w if current else word_w
        if candidate_w <= limit or not current:
            current, current_w = candidate, candidate_w
        else:
            lines.append(current)
            current, current_w = word, word_w
        if len(lines) > max_lines:  # the rest cannot fit: stop measuring
            return lines[:max_lines], False
    if current:
        lines.append(current)
    return lines[:max_lines], len(lines) <= max_lines


@lru_cache(maxsize=8192)
def _reference_width(word: str) -> float:
    return _font(_REFERENCE_SIZE).getlength(word)


def _fit_line(line: str, font: Font, width: int) -> str:
    """The line, shortened with an ellipsis if it is too wide."""
    if font.getlength(line) <= width:
        return line
    base = line.rstrip(_ELLIPSIS)
    keep = _longest_prefix(base, font, width - font.getlength(_ELLIPSIS))
    return base[:keep].rstrip() + _ELLIPSIS


def _longest_prefix(text: str, font: Font, width: float) -> int:
    """Length of the longest prefix of text no wider than width (at least 1 character)."""
    lo, hi = 1, len(text)
    while lo < hi:  # binary search: widths grow with length
        mid = (lo + hi + 1) // 2
        if font.getlength(text[:mid]) <= width:
            lo = mid
        else:
            hi = mid - 1
    return lo


@lru_cache(maxsize=32)
def _font(size: int) -> Font:
    try:
        return ImageFont.truetype(FONT, size)
    except (ImportError, OSError):  # Pillow built without FreeType: the small bitmap font
        return ImageFont.load_default()


def _line_height(font: Font) -> int:
    left, top, right, bottom = font.getbbox("Ag")
    return max(1, int(bottom))


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[\x00-\x1f\x7f]", " ", text or "")).strip()


def _rgb(colour: str) -> RGB:
    try:
        r, g, b = ImageColor.getrgb(colour)[:3]
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a colour: {colour!r}") from exc
    return r, g, b


def _hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _luminance(rgb: RGB) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: RGB, b: RGB) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _ink(bg: RGB) -> RGB:
    """White text on dark channel colours, near-black on light ones."""
    white, black = (255, 255, 255), (17, 17, 17)
    return white if _contrast(white, bg) >= _contrast(black, bg) else black
