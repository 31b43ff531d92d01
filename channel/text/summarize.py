"""TV summaries: a <= 300-character summary of whole sentences and a <= 110-character ticker line.

Lead (the article's first sentences) is the bar every classic unsupervised summarizer fails to
clear on news. We keep Lead's choice of content and spend the character budget better:
1. clean: drop wire tags (sourcetag: "LONDON (Reuters) -", never "The European Union (EU)"),
   bylines, share bars and photo captions that scrapers glue onto the text, and every sentence
   that does not read whole (wholeness: a fragment, a lowercase start, a table row);
2. compress: cut what a viewer does not need inside a sentence (asides in brackets but not a
   name's abbreviation, trailing "he said"/"according to" attributions, ages), so more fits;
3. fill: walk the opening sentences in order and take each one that still fits and says something
   new, instead of stopping at the first that does not fit; the first one never opens with a
   "But ..."/"He ..." that points at a sentence left out, unless it is the article's opening;
4. tighten: a sentence that still does not fit loses its opening adverbial or trailing clause.
Every cut (2 and 4) is kept only when what is left still reads whole; otherwise the sentence
stays whole or another is chosen. 2 and 4 are English rules: other languages (detected when the
caller does not say) get whole lead sentences.
Each step is a switch on `LeadPlus`, so bench/summaries.py measures what each one is worth.
Any other summarizer (embeddings, an abstractive model) only has to honour the `Summarizer`
protocol; `summary_from_sentences` enforces the TV length rules for it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from channel.text.cleanup import load_rules
from channel.text.keywords import resolve_language
from channel.text.sentences import is_balanced, split_sentences
from channel.text.sourcetag import strip_source_tag
from channel.text.wholeness import dangles, has_verb, reads_whole

__all__ = [
    "SUMMARY_MAX",
    "TICKER_MAX",
    "LeadPlus",
    "Summarizer",
    "Summary",
    "clean_text",
    "compress_sentence",
    "lead_baseline",
    "make_ticker",
    "summarize",
    "summary_from_sentences",
    "tighten_sentence",
]

SUMMARY_MAX = 300
TICKER_MAX = 110
ELLIPSIS = "…"


@dataclass(frozen=True)
class Summary:
    """What a story card shows: `summary` on the detail/hero, `ticker` in rows and crawls."""

    summary: str  # <= SUMMARY_MAX chars, whole sentences
    ticker: str  # one line, <= TICKER_MAX chars


class Summarizer(Protocol):
    """Any summarization method the pipeline can call; must be deterministic and offline-safe."""

    def __call__(
        self, text: str, *, title: str | None = None, language: str | None = None
    ) -> Summary: ...


# --- 1. debris ------------------------------------------------------------------------------

# A caption glued to the next sentence: "... than a colleague The cost of divorce can ...".
# A capitalised article/pronoun right after a lowercase word with no punctuation between them
# almost never happens in English prose, so it marks a missing sentence break.
_RUN_ON = re.compile(
    r"(?<=[a-z0-9%$)]) (?=(?:The|A|An|He|She|It|They|His|Her|In|But) (?:[a-z]|\d))"
)
_TERMINAL = re.compile(r"[.!?…。！？][\"'”’)\]」』）]*$")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_CJK_END = ("。", "！", "？", "」", "』", "）")
# Caption label: "Strictly business: Julia ..." (a short capitalised phrase then a colon).
_CAPTION = re.compile(r"^[A-Z][\w'’!,-]*(?: [\w'’!,-]+){0,4}: [A-Z]")
_SPEECH = re.compile(r"\b(?:said|says|added|explained|warned|stated|wrote|tweeted|told \w+):")


def clean_text(text: str, *, language: str | None = None) -> str:
    """Remove scraper debris (the rule file's `debris`) so no character of the budget is spent
    on it."""
    rules = load_rules().for_source()
    lines = []
    for line in text.splitlines():
        line = " ".join(line.split())
        line = strip_source_tag(line)
        line = rules.cut_debris(line)
        if language in (None, "en"):
            line = _RUN_ON.sub("\n", line)
        lines.append(line)
    return "\n".join(part.strip() for part in "\n".join(lines).splitlines() if part.strip())


def _is_story_sentence(sentence: str, language: str | None = "en") -> bool:
    """A sentence a viewer can read alone: reads whole (wholeness.reads_whole), not a caption
    or a question.

    Questions in news copy are hooks ("Ferrari, who are Ferrari?"), not facts.
    """
    if sentence.rstrip("\"'”’)").endswith(("?", "？")):
        return False
    if len(sentence) < (8 if _CJK_CHAR.search(sentence) else 25):
        return False
    if not _TERMINAL.search(sentence):
        return False
    if _CAPTION.match(sentence) and not _SPEECH.search(sentence[: sentence.find(":") + 1]):
        return False
    return reads_whole(sentence, language)


_OPENS_QUOTE = re.compile(r"^[\"“'‘]")
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'd|me|my|we|We|our|Our|us|you|You|your)\b")
_CONNECTIVE = re.compile(r"^(?:And|Also|Then|So|Same|Meanwhile|However|It|This|That|They)\b")

# --- 2. compression -------------------------------------------------------------------------

_SAY = (
    r"(?:said|says|told (?:the |reporters|journalists)?[A-Z]?[\w.]*(?: [A-Z][\w.]*){0,3}|"
    r"added|claimed|claims|explained|revealed|warned|admitted|insisted|confirmed|reported|"
    r"reports|announced|stated)"
)
_APPOSITIVE = r"(?:a|an|the|who|whose|which|from|of|his|her|their|one|now|then|both|and|or)\b"
_COMPRESSIONS = [
    # asides in brackets: "(pictured)", "(3.7 miles)", "(file photo)"; a name's abbreviation
    # stays: "The European Union (EU) has ..." is how the story names it from then on
    re.compile(r" \((?![A-Z][A-Z&.]{1,7}s?\))[^()]{1,80}\)"),
    # trailing attribution: ", police said." / ", the BBC reports." / ", according to the report."
    re.compile(
        r", (?:(?:he|she|they|it|(?:[a-z-]+ ){0,2}(?:police|officials|authorities|experts|"
        r"sources|crews|officers|investigators|witnesses|researchers|scientists|spokes\w+)|"
        r"(?:the|his|her|their|a) [\w-]+"
        r"(?: [\w-]+){0,2}|[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,2}) "
        + _SAY
        + r"(?: on [A-Z][a-z]+day| yesterday| today| last night)?|according to [^,;]{3,70})"
        r"(?=[.!?][\"'”’]?$)"
    ),
    # ages as appositives: "Leon Yeaman, 55, was ..." -> "Leon Yeaman was ..." (but not before
    # a second appositive: "Christie, 55, a managing director at ..., ditched" keeps its commas)
    re.compile(rf", \d{{1,3}},(?= (?!{_APPOSITIVE}))"),
    # ... and before one, only the age goes: "Christie, 41, a managing director at ..., ditched"
    # -> "Christie, a managing director at ..., ditched" (never "Christie a managing director")
    re.compile(rf", \d{{1,3}}(?=, {_APPOSITIVE})"),
]


_QUOTED = re.compile(r"[\"“”]|(?:^|\s)['‘]\w")
_QUOTE_COMMA = re.compile(r",([\"'”’])([.!?])$")


def compress_sentence(sentence: str) -> str:
    """Shorten a sentence without changing what it says, so more of the story fits on screen.

    A quotation keeps its attribution: a quote nobody said would be worse than a longer line.
    """
    out = sentence
    quoted = bool(_QUOTED.search(sentence))
    for i, pattern in enumerate(_COMPRESSIONS):
        if quoted and i == 1:
            continue
        shorter = _QUOTE_COMMA.sub(r".\1", pattern.sub("", out))  # ' "... trouper," he said.'
        if shorter != out and _safe_cut(out, shorter):
            out = shorter
    return out


def _safe_cut(before: str, after: str) -> bool:
    """A cut is made only when it can be shown safe: what is left still reads whole, and a
    sentence that opened well does not come out opening with a pointer ("He", "But")."""
    if len(after) < 25 or not reads_whole(after):
        return False
    return dangles(before) or not dangles(after)


# Harder cuts, only made when a sentence would not fit otherwise: an opening adverbial ("In an
# interview with Die Welt, Borrell said" -> "Borrell said") and a trailing participle or
# subordinate clause (", prompting fresh speculation that ..." -> ".").
_OPENER = re.compile(
    r"^(?:In|On|At|After|During|Speaking|Following|Despite|Earlier|Since|While|As|With|Writing|"
    r"Asked) [^,]{3,90}, (?=(?:the|a|an|police|officials)\b|[A-Z])"
)
_TRAILER = re.compile(
    r", (?:adding|saying|prompting|leaving|making|bringing|sparking|meaning|including|after|as|"
    r"while|with)\b[^,;\"“”]{3,160}(?=[.!?]$)"
)


def tighten_sentence(sentence: str) -> str:
    """Cut an opening adverbial and a trailing clause: the core of the sentence, for tight space."""
    out = sentence
    opened = _OPENER.sub("", out, count=1)
    if opened != out:
        opened = opened[:1].upper() + opened[1:]
    for shorter in (opened, _TRAILER.sub("", opened)):
        if shorter != out and _safe_cut(sentence, shorter):
            out = shorter
    return out


# --- 3. choosing sentences ------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2}


def _fits(chosen: Sequence[str], sentence: str, budget: int) -> bool:
    used = sum(len(s) for s in chosen) + len(chosen)  # sentences joined by single spaces
    return used + len(sentence) <= budget


def _shorten(text: str, limit: int) -> str:
    """Cut on a word boundary with an ellipsis: the last resort when no whole sentence fits.

    Prefers the last clause or word boundary that leaves no quote or bracket open.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    spaces = [i for i, ch in enumerate(text[: room + 1]) if ch == " "]
    heads = [text[:i].rstrip(" ,;:-–—(\"'“‘[") for i in reversed(spaces)]
    heads = [h for h in heads if h]
    if not heads:
        return text[:room] + ELLIPSIS  # one giant word (a URL, CJK text): no boundary to use
    for head in heads:
        if is_balanced(head):
            return head + ELLIPSIS
    return heads[0] + ELLIPSIS


def _join(sentences: Sequence[str]) -> str:
    """Sentences joined as the language writes them: CJK full stops take no space after them."""
    out = sentences[0]
    for sentence in sentences[1:]:
        out += sentence if out.endswith(_CJK_END) else " " + sentence
    return out


def summary_from_sentences(
    sentences: Sequence[str], *, title: str | None = None, budget: int = SUMMARY_MAX
) -> str:
    """Join the sentences that fit; else the title, else the first sentence cut between words.

    Shared by every Summarizer so the TV length rules hold whatever method chose the sentences.
    """
    chosen: list[str] = []
    for sentence in sentences:
        sentence = " ".join(sentence.split())
        if sentence and _fits(chosen, sentence, budget):
            chosen.append(sentence)
    if chosen:
        return _join(chosen)
    if title and title.strip():
        return _shorten(title, budget)
    for sentence in sentences:
        if sentence.strip():
            return _shorten(sentence, budget)
    return ""


_CLAUSE_END = re.compile(r"[,;:]\s|\s[–—-]\s")
# Where a phrase starts: before a conjunction or preposition ("... from complaints | it made").
_PHRASE_WORDS = frozenset(
    """and but or while after before when as with in on at for from to of that which who because
    until since over by into about against during without the a an his her its their""".split()
)
_PHRASE_START = re.compile(
    r" (?=(?:and|but|while|after|before|when|as|with|in|on|at|for|from|to|that|which|who|because|"
    r"until|since|over|by|into|about|against|during|without) )"
)
_OPENER_ONLY = re.compile(
    r"^(?:In|On|At|After|During|Speaking|Following|Despite|Since|While|As|With|Writing)\b[^,]*$"
)
_SITE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{2,40}$")


def _clause_cut(text: str, limit: int, english: bool = True) -> str:
    """The longest opening that ends at a clause boundary (a comma, colon, semicolon or dash),
    with an ellipsis; else before a conjunction or preposition; between words only when
    neither fits. In English the opening kept must have a verb and be more than an adverbial
    ("In an interview with Die Zeit…" is not a line)."""
    text = " ".join(text.split())
    room = limit - len(ELLIPSIS)
    ends = [m.start() for m in _CLAUSE_END.finditer(text) if m.start() <= room]
    phrase_ends = [m.start() for m in _PHRASE_START.finditer(text) if m.start() <= room]
    for candidates in (ends, phrase_ends):
        for end in reversed(candidates):
            head = text[:end].rstrip(" ,;:-–—")
            last = head.rsplit(" ", 1)[-1].lower()
            if len(head) >= 25 and is_balanced(head) and last not in _PHRASE_WORDS and (
                not english or (has_verb(head) and not _OPENER_ONLY.match(head))
            ):
                return head + ELLIPSIS
    return _shorten(text, limit)


def make_ticker(
    sentences: Sequence[str],
    *,
    title: str | None = None,
    limit: int = TICKER_MAX,
    language: str | None = "en",
) -> str:
    """One line for rows and crawls: a whole sentence or the headline, never cut mid-phrase.

    In order: the lead sentence (for English, compressed or tightened when that is safe), the
    headline (without a trailing "| Site name"), another opening sentence that reads alone
    (whole, then tightened); only when none fits, the headline or lead cut at a clause
    boundary, else before a conjunction or preposition, with an ellipsis.
    """
    english = language in (None, "en")
    lines = [" ".join(s.split()) for s in sentences if s and s.strip()]
    if lines:
        lead = compress_sentence(lines[0]) if english else lines[0]
        for candidate in (lead, tighten_sentence(lead)) if english else (lead,):
            if len(candidate) <= limit:
                return candidate
    headline = " ".join((title or "").split())
    for candidate in (headline, _SITE_SUFFIX.sub("", headline)):
        if candidate and len(candidate) <= limit:
            return candidate
    for line in lines[1:6]:
        if len(line) <= limit and not dangles(line) and reads_whole(line, language):
            return line
    if english:
        for line in lines[:6]:
            tight = tighten_sentence(line)
            if len(tight) <= limit and not dangles(tight) and reads_whole(tight):
                return tight
    if headline:
        return _clause_cut(_SITE_SUFFIX.sub("", headline), limit, english=False)
    return _clause_cut(lines[0], limit, english) if lines else ""


@dataclass(frozen=True)
class LeadPlus:
    """The default summarizer: Lead, with debris removed, sentences compressed, budget filled.

    `window` bounds how far into the article a sentence may come from: news puts the facts first,
    and reaching further lowers quality faster than an unused character raises it.
    """

    clean: bool = True
    compress: bool = True
    fill: bool = True
    tighten: bool = True
    window: int = 6
    redundancy: float = 0.5
    budget: int = SUMMARY_MAX
    filler_rules: frozenset[str] = frozenset({"quote", "person", "connective"})
    head_chars: int = 3000

    def candidates(self, text: str, language: str | None = None) -> list[str]:
        """Story sentences in article order, cleaned and compressed as configured."""
        return self._candidates(text, language)[0]

    def _candidates(self, text: str, language: str | None) -> tuple[list[str], bool]:
        """The candidates, and whether the first of them is the article's own opening."""
        truncated = len(text) > self.head_chars
        if truncated:  # the summary comes from the opening: do not split the whole article
            text = text[: self.head_chars]
        if self.clean:
            text = clean_text(text, language=language)
        sentences = split_sentences(text)
        if truncated and len(sentences) > 1:
            sentences.pop()  # may have been cut mid-sentence
        opening = sentences[0] if sentences else None
        if self.clean:
            story = [s for s in sentences if _is_story_sentence(s, language)]
            sentences = story or sentences
        opens_article = bool(sentences) and sentences[0] is opening
        if self.compress and language in (None, "en"):
            sentences = [compress_sentence(s) for s in sentences]
        return sentences, opens_article

    def _good_filler(self, sentence: str) -> bool:
        """A later sentence must read well after the lead: no bare quote, no "I"/"we" voice."""
        if "quote" in self.filler_rules and _OPENS_QUOTE.match(sentence):
            return False
        if "person" in self.filler_rules and _FIRST_PERSON.search(sentence):
            return False
        if "connective" in self.filler_rules and _CONNECTIVE.match(sentence):
            return False
        return True

    def choose(
        self, sentences: Sequence[str], language: str | None = "en", opens_article: bool = True
    ) -> list[str]:
        """Sentences in article order that fit the budget and add new words.

        The first one must not point back at something left out ("But ...", "He ..."), unless
        it is the article's own opening, untouched. Tightening is English-only.
        """
        chosen: list[str] = []
        seen: set[str] = set()
        english = language in (None, "en")
        for i, original in enumerate(sentences[: self.window]):
            sentence = original
            if not _fits(chosen, sentence, self.budget) and self.tighten and english:
                sentence = tighten_sentence(sentence)
            if not chosen and dangles(sentence) and (
                i > 0 or sentence != original or not opens_article
            ):
                continue
            if not _fits(chosen, sentence, self.budget):
                if self.fill or not chosen:
                    continue  # skip a long one, a shorter one further on may still fit
                break
            if chosen and not self._good_filler(sentence):
                continue
            words = _words(sentence)
            if chosen and words and len(words & seen) / len(words) > self.redundancy:
                continue
            chosen.append(sentence)
            seen |= words
        return chosen

    def __call__(
        self, text: str, *, title: str | None = None, language: str | None = None
    ) -> Summary:
        text = text or ""
        if not text.strip() and not (title and title.strip()):
            raise ValueError("nothing to summarize: text and title are both empty")
        if language is None:  # English-only rules must never touch another language
            language = resolve_language(None, text or title or "")
        sentences, opens_article = self._candidates(text, language)
        sentences = sentences or split_sentences(text)
        chosen = self.choose(sentences, language, opens_article)
        if not chosen:  # nothing fits in the opening: any whole sentence that fits, in order
            fitting = [s for s in sentences if len(s) <= self.budget]
            whole = [s for s in fitting if reads_whole(s, language) and not dangles(s)]
            chosen = (whole or fitting)[:1]
        summary = summary_from_sentences(chosen or sentences[:1], title=title, budget=self.budget)
        lines = list(sentences)
        if lines and not opens_article and dangles(lines[0]):
            lines = [s for s in lines if not dangles(s)]  # "But now ..." points at a lost line
        ticker = make_ticker(lines or ([title] if title else []), title=title, language=language)
        return Summary(summary=summary, ticker=ticker or _shorten(summary, TICKER_MAX))


def lead_baseline(
    text: str, *, title: str | None = None, language: str | None = None, budget: int = SUMMARY_MAX
) -> Summary:
    """Lead cut at the budget on whole sentences: the bar to beat (raw text, no cleaning)."""
    sentences = split_sentences(text)
    chosen: list[str] = []
    for sentence in sentences:
        if not _fits(chosen, sentence, budget):
            break
        chosen.append(sentence)
    summary = " ".join(chosen) if chosen else _shorten(sentences[0] if sentences else "", budget)
    return Summary(summary=summary, ticker=_shorten(summary, TICKER_MAX))


_DEFAULT = LeadPlus()


def summarize(text: str, *, title: str | None = None, language: str | None = None) -> Summary:
    """The default Summarizer (LeadPlus): offline, deterministic, a few milliseconds a story."""
    return _DEFAULT(text, title=title, language=language)
