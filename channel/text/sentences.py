"""Sentence splitting for news text.

syntok does the hard part (abbreviations such as Dr., U.S., No. 10, decimals, initials) in about
2 ms per article. Around it we add what news copy needs for TV: lines are never joined (a heading
stays apart from the paragraph under it), scraped run-ons like "in the US.Authorities said" are
split, CJK full stops are honoured, and a sentence is never closed inside an open quote or bracket,
so a summary built from whole sentences can never cut one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from syntok import segmenter

__all__ = ["split_sentences", "is_balanced"]

# "2013.There" or "US.Authorities": a full stop glued to the next sentence by a scraper.
_GLUED = re.compile(r"(?<=[A-Za-z0-9)\]\"”’]{2}[.!?])(?=[A-Z][a-z])")
# A company suffix that ends a sentence: "... Patrick Bradley Ltd. Mr McGurk was ..."
_SUFFIX_END = re.compile(
    r"\b((?:Ltd|Inc|Corp|Co|plc|PLC|LLC|Jr|Sr)\.) (?=(?:Mr|Mrs|Ms|Dr|The|He|She|It|They)\b)"
)
# CJK sentence ends (syntok leaves them alone), with any closing quote that follows.
_CJK_END = re.compile(r"(?<=[。！？][」』”’）)])|(?<=[。！？])(?![」』”’）)])")
_ORDINAL_END = re.compile(r"(?:^|\s)\d{1,2}\.$")
_MONTHS = frozenset(
    "januar februar märz april mai juni juli august september oktober november dezember "
    "januari februari maart mei augustus juni juli oktober "
    "janvier février fevrier mars avril juin juillet août septembre octobre novembre décembre "
    "jänner".split()
)
_PAIRS = (("(", ")"), ("[", "]"), ("“", "”"), ("«", "»"), ("「", "」"), ("『", "』"), ("（", "）"))
_MAX_MERGE = 4  # a quote left open longer than this is treated as noise, not a quotation

# Quote/bracket balance. Single quotes double as apostrophes, so only count a ' that opens a word
# after whitespace or an opening bracket, and one that closes after a word before punctuation/space.
_SQ_OPEN = re.compile(r"(?:^|(?<=[\s(\[—–-]))['‘](?=\w)")
_SQ_CLOSE = re.compile(r"(?<=[\w.,!?])['’](?=[\s.,;:!?)\]—–-]|$)")


def _depth(s: str) -> int:
    """How many quotes or brackets this text leaves open (0 when balanced)."""
    open_ = s.count('"') % 2
    for left, right in _PAIRS:
        open_ += max(0, s.count(left) - s.count(right))
    sq_open = len(_SQ_OPEN.findall(s))
    if sq_open:
        open_ += max(0, sq_open - len(_SQ_CLOSE.findall(s)))
    return open_


def is_balanced(text: str) -> bool:
    """True when no quote or bracket is left open, i.e. the text can stand alone on screen."""
    return _depth(text) == 0


def _syntok_split(line: str) -> list[str]:
    out: list[str] = []
    for paragraph in segmenter.analyze(line):
        for sentence in paragraph:
            if not sentence:
                continue
            start = sentence[0].offset
            last = sentence[-1]
            out.append(line[start : last.offset + len(last.value)])
    return out


def _should_merge(prev: str, nxt: str) -> bool:
    first = nxt.lstrip("\"'“‘(«")[:1]
    if first.islower():
        return True  # an abbreviation syntok did not know: "approx. five", "vs. the"
    if _ORDINAL_END.search(prev):
        word = re.match(r"\w+", nxt)
        return bool(word and word.group(0).lower() in _MONTHS)  # German "3. Oktober"
    return False


def _merge(pieces: list[str]) -> list[str]:
    out: list[str] = []
    pending: list[str] = []
    for piece in pieces:
        if out and not pending and _should_merge(out[-1], piece):
            out[-1] = f"{out[-1]} {piece}"
            continue
        pending.append(piece)
        joined = " ".join(pending)
        if _depth(joined) == 0 or len(pending) >= _MAX_MERGE:
            if len(pending) >= _MAX_MERGE and _depth(joined) != 0:
                out.extend(pending)  # an unclosed quote mark: keep the pieces separate
            else:
                out.append(joined)
            pending = []
    out.extend(pending)
    return out


def split_sentences(text: str) -> list[str]:
    """Split text into sentences, each a verbatim (whitespace-normalised) slice of the input.

    Line breaks always end a sentence: extractors put headings, captions and paragraphs on their
    own lines, and joining them would glue debris to real sentences.

    Remembered for the last few texts: the summarizer and the tagger split the same body, and
    syntok is the most expensive step of a story's text (about 20 ms a page).
    """
    return list(_split_cached(text)) if text else []


@lru_cache(maxsize=16)
def _split_cached(text: str) -> tuple[str, ...]:
    sentences: list[str] = []
    for raw_line in text.splitlines():
        line = " ".join(raw_line.split())
        if not line:
            continue
        pieces: list[str] = []
        for chunk in _CJK_END.split(line):
            for part in _GLUED.split(chunk):
                part = part.strip()
                if part:
                    for sentence in _syntok_split(part):
                        split = _SUFFIX_END.sub("\\1\n", sentence).split("\n")
                        pieces.extend(p.strip() for p in split if p.strip())
        sentences.extend(_merge(pieces))
    return tuple(sentences)
