"""Short and long descriptions for the platform exports (Roku, Roku Search, Media RSS).

Platforms show the title and the short description together, so the short one is never the
ticker (which often repeats the headline): it is the TV summary cut at a sentence boundary.
The long one is more text than the short one, never the same text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SHORT_MAX = 200
LONG_MAX = 500
# A sentence ends at . ! ? or … (and any closing quote or bracket) before a space and a capital,
# digit or opening quote; "Dr. Halvorsen" stays whole because the split needs a sentence end.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = ("Dr.", "Mr.", "Mrs.", "Ms.", "St.", "No.", "Prof.", "Gen.", "Sen.", "Rep.")
_INITIALS = re.compile(r"(?:^|\s)(?:[A-Z]\.){1,4}$")  # "the U.S." or "J.R.R." goes on: a name


def normalise(text: str) -> str:
    return " ".join(text.split())


def same_text(a: str, b: str) -> bool:
    """Equal but for case and spacing: Roku treats such descriptions as the same."""
    return normalise(a).casefold() == normalise(b).casefold()


def sentences(text: str) -> list[str]:
    """The text's sentences. A light splitter, not text.sentences' syntok one: it runs on every
    video story's summary and body at every publish, where syntok would cost ~20 ms a body."""
    parts: list[str] = []
    for piece in _SENTENCE_END.split(normalise(text)):
        if parts and (parts[-1].endswith(_ABBREVIATIONS) or _INITIALS.search(parts[-1])):
            parts[-1] = f"{parts[-1]} {piece}"
        elif piece:
            parts.append(piece)
    return parts


def clip_words(text: str, limit: int) -> str:
    """Fit text in limit characters, cutting at a word boundary with an ellipsis."""
    text = normalise(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def cut_at_sentence(text: str, limit: int) -> str:
    """The longest run of whole leading sentences within limit characters; a first sentence
    longer than the limit is cut at a word instead (with an ellipsis)."""
    out = ""
    for sentence in sentences(text):
        candidate = f"{out} {sentence}" if out else sentence
        if len(candidate) > limit:
            break
        out = candidate
    return out or clip_words(text, limit)


def short_description(summary: str, limit: int = SHORT_MAX) -> str:
    """The summary cut at a sentence boundary, at most `limit` characters."""
    return cut_at_sentence(summary, limit)


def long_description(short: str, candidates: Iterable[str | None],
                     limit: int = LONG_MAX) -> str | None:
    """The first candidate that, cut at a sentence boundary to `limit`, says more than `short`
    (longer and different); None when none does, and the field is left out."""
    for candidate in candidates:
        if not candidate or not candidate.strip():
            continue
        long = cut_at_sentence(candidate, limit)
        if len(long) > len(short) and not same_text(long, short):
            return long
    return None
