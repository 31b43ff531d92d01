"""Story tags and language detection, offline and deterministic.

Language comes from py3langid (a model shipped inside the package, no download); a page's declared
language is confirmed by its stop words first, and overruled only when the model is sure
(`resolve_language`). Tags favour the names a viewer would browse by (people, places, teams:
capitalised phrases seen mid-sentence, shown in their own case: NATO, Russia, Josep Borrell),
then the story's most repeated content words (lowercase), with the title and the opening
weighted up because news states its subject first. One form per word: Russia and Russian,
demand and demands are one tag.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import TYPE_CHECKING

from channel.text.sentences import split_sentences

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

__all__ = ["TAG_MAX", "detect_language", "extract_tags", "resolve_language"]

TAG_MAX = 20
_MIN_CONFIDENCE = 0.5  # below this py3langid is guessing (short or mixed text): say "en"
_DETECT_CHARS = 2000  # the opening is enough and keeps detection under a millisecond


@cache
def _identifier() -> LanguageIdentifier:
    """Load the model once, on first use, so importing this module stays cheap."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text; "en" when it is empty or the model is unsure."""
    sample = " ".join((text or "").split())[:_DETECT_CHARS]
    if sum(ch.isalpha() for ch in sample) < 3:
        return "en"
    lang, confidence = _identifier().classify(sample)
    return lang if confidence >= _MIN_CONFIDENCE and len(lang) == 2 else "en"


_OVERRULE = 0.95  # detection this sure overrules a page's declared language


def resolve_language(declared: str | None, text: str) -> str:
    """The page's declared language unless its text is confidently another one; with none
    declared, the text's language ("en" when unsure). Prose whose opening is full of the
    language's stop words is taken as it is without running the model.

    Templates declare lang="en" on German or Portuguese articles; English-only rules (the
    summary's compressions, the verb test) must never be applied to them.
    """
    declared = (declared or "").lower() or None
    if _looks_like(declared or "en", text):
        return declared or "en"  # the cheap check: no model run for the common, honest page
    sample = " ".join((text or "").split())[:_DETECT_CHARS]
    if sum(ch.isalpha() for ch in sample) < 40:
        return declared or detect_language(sample)
    lang, confidence = _identifier().classify(sample)
    if declared is None:
        return lang if confidence >= _MIN_CONFIDENCE and len(lang) == 2 else "en"
    if lang != declared and confidence >= _OVERRULE and len(lang) == 2:
        return lang
    return declared


_STOP = {
    "en": """a about above after again against ago all almost also although always am among an
        and another any are around as at away back be because been before being below between
        both but by can cannot could did do does doing done down during each either else even ever
        every few for from further get gets got had has have having he her here hers herself him
        himself his how however i if in including into is it its itself just last least less like
        made make many may me might more most much must my myself near need never new next no nor
        not now of off often on once one only or other others our ours out over own per perhaps
        put rather really said same say says see seen she should since so some still such than
        that the their theirs them themselves then there these they this those though through thus
        to today told too two under until up upon us use used very via was we well were what when
        where whether which while who whom whose why will with within without would year years yet
        yesterday you your yours monday tuesday wednesday thursday friday saturday sunday mr mrs ms
        dr according added back week weeks time times people first former three four five way
        january february march april may june july august september october november december""",
    "de": """aber alle als also am an auch auf aus bei bin bis bist da damit dann das dass dem den
        der des die dies diese doch dort du durch ein eine einem einen einer eines er es für hat
        hatte hier ich ihr im in ist ja jetzt kann kein mit nach nicht noch nun nur ob oder sein
        sich sie sind so über um und uns von vor war was wenn werden wie wir wird wurde zu zum
        zur""",
    "fr": """a au aux avec ce ces cette dans de des du elle en est et été il ils je la le les leur
        lui mais même ne nous on ont ou par pas plus pour qu que qui sa sans se ses son sont sur
        un une vous y""",
    "es": """a al como con de del el ella en entre es esta este fue ha han la las le les lo los más
        no o para pero por que se sin sobre su sus también un una y ya""",
    "it": """a al alla che come con da del della di e è gli ha i il in la le lo ma nel non per più
        si sono su tra un una""",
    "nl": """aan al als bij dat de den der die dit door een en er het hij in is maar met na naar
        niet nog of om ook op te tot uit van voor was werd wordt ze zich zijn""",
    "pt": """a ao as com como da das de do dos e é em foi mais mas na não no nos o os ou para pela
        pelo por que se sem seu sua um uma""",
}
_STOPWORDS = {lang: frozenset(words.split()) for lang, words in _STOP.items()}
_FUNCTION_WORDS = re.compile(r"[^\W\d_]+")
_SAMPLE_WORDS = 60
_FUNCTION_SHARE = 0.3  # English news prose: >= 0.3 of its opening words; other languages < 0.25


def _looks_like(language: str, text: str) -> bool:
    """Do the opening's words include that language's stop words as often as its prose does?"""
    words = _FUNCTION_WORDS.findall(text[:800].lower())[:_SAMPLE_WORDS]
    if len(words) < 20:
        return False
    stop = _STOPWORDS.get(language)
    if stop is None:
        return False
    return sum(w in stop for w in words) >= _FUNCTION_SHARE * len(words)
_CONNECTORS = frozenset({"of", "de", "del", "la", "von", "van", "der", "du", "da", "di", "al"})
_WORD = re.compile(r"[^\W\d_][\w'’.-]*[^\W_]|[^\W\d_]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")
_LEAD_SENTENCES = 3
_MAX_RUN = 8
# Punctuation a name never runs across; after a quotation mark or a colon a capital starts the
# words as at a sentence's start (“Demands about ...).
_BREAK = r"[“\"‘«]|[:;][’'\"”]?(?=\s)|[,()\[\]]|(?<=\s)[–—](?=\s)"
_STARTS_WORDS = re.compile(r"[“\"‘«:;]")
_TOKEN = re.compile(rf"(?P<word>{_WORD.pattern})|{_BREAK}")
_HONORIFICS = frozenset("mr mrs ms dr sir dame prof lord lady herr frau m mme sr sra".split())


def _is_cap(word: str) -> bool:
    return word[:1].isupper()


_SUFFIXES = ("ians", "ian", "ese", "ans", "ing", "ed", "es", "an", "s", "n", "e", "a")


def _forms(word: str) -> frozenset[str]:
    """The word and what it is with one ending taken off: two words share a form when they are
    forms of one word (Russia/Russian: "russia"; demand/demands; Ukraine/Ukrainian: "ukrain"),
    so a story is never tagged with both."""
    word = word.lower()
    out = {word}
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            out.add(word[: -len(suffix)])
    return frozenset(out)


def _stems(key: str) -> frozenset[str]:
    return frozenset().union(*(_forms(part) for part in key.split()))


def _display(key: str, form: str, is_name: bool) -> str:
    """Names keep their case (NATO, Russia, Josep Borrell); other words are lowercase."""
    if is_name or (form.isupper() and 2 <= len(form) <= 6):
        return form
    return form.lower()


def _phrases(sentence: str, stop: frozenset[str]) -> tuple[list[tuple[str, bool]], list[str]]:
    """Capitalised name phrases and content words of a sentence.

    Each name comes with whether it stands where any word is capitalised (the sentence's start,
    or just after a quotation mark or colon): only a name seen elsewhere is surely a name. Names
    never run across punctuation ("The European Union (EU)", "Baabda, Lebanon")."""
    names: list[tuple[str, bool]] = []
    words: list[str] = []
    run: list[str] = []
    run_at_start = False
    at_start = True  # the next word stands where any word is capitalised

    def flush() -> None:
        while run and run[-1].lower() in _CONNECTORS:
            run.pop()
        while run and run[0].lower().rstrip(".") in _HONORIFICS:
            run.pop(0)  # "Dr Venter" and "Venter" are one tag
        if len(run) > 3:  # a title chain ends with the name: "... Security Policy Josep Borrell"
            del run[:-2]
            while run and run[0].lower() in _CONNECTORS:
                run.pop(0)
        if run and not (len(run) == 1 and run[0].lower() in stop):
            names.append((" ".join(run), run_at_start))
        run.clear()

    for match in _TOKEN.finditer(sentence):
        raw = match.group("word")
        if raw is None:  # punctuation: a name ends here
            flush()
            at_start = at_start or bool(_STARTS_WORDS.match(match.group(0)))
            continue
        possessive = raw[-2:].lower() in ("'s", "’s")  # a name ends at "'s"
        word = (raw[:-2] if possessive else raw).rstrip(".'’-")
        first, at_start = at_start, False
        if not word:
            flush()
            continue
        words.append(word)
        lower = word.lower()
        if _is_cap(word) and not (first and lower in stop) and len(run) < _MAX_RUN:
            if not run:
                run_at_start = first
            run.append(word)
        elif run and lower in _CONNECTORS and len(run) < _MAX_RUN:
            run.append(word)
        else:
            flush()
            if _is_cap(word) and lower not in stop:
                run_at_start = first
                run.append(word)
        if possessive:
            flush()
    flush()
    content = [w for w in words if len(w) > 2 and w.lower() not in stop]
    return names, content


def _cjk_tags(text: str, limit: int) -> list[str]:
    """Scripts without spaces: the most repeated two-character sequences."""
    grams: Counter[str] = Counter()
    for run in _CJK.findall(text):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return [g for g, n in sorted(grams.items(), key=lambda kv: (-kv[1], kv[0])) if n > 1][:limit]


_ROUGH_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z])")
_EXACT_CHARS = 1200  # the lead (its first sentences weigh double) is split exactly


def _units(text: str) -> list[str]:
    """The text's sentences: syntok for the opening, a punctuation rule for the rest.

    Past the lead a boundary only decides whether a capitalised word opens a sentence, so an
    abbreviation split wrongly costs nothing visible, while syntok over a whole article was
    over a third of a story's processing time (bench/pipeline.py)."""
    if len(text) <= _EXACT_CHARS:
        return split_sentences(text)
    cut = text.rfind("\n", 0, _EXACT_CHARS)
    cut = cut if cut > 0 else _EXACT_CHARS
    rest = [p for line in text[cut:].splitlines() for p in _ROUGH_END.split(line.strip()) if p]
    return split_sentences(text[:cut]) + rest


def extract_tags(
    text: str, *, title: str | None = None, language: str | None = None, limit: int = 8
) -> list[str]:
    """Up to `limit` tags, most specific first: names (in their own case), then repeated content
    words (lowercase); one form per word, no stop words, each <= 20 chars."""
    text = text or ""
    title = title or ""
    if limit <= 0 or not (text.strip() or title.strip()):
        return []
    language = language or detect_language(f"{title}\n{text}")
    if language in {"zh", "ja", "ko"}:
        return _cjk_tags(f"{title}\n{title}\n{text}", limit)
    stop = _STOPWORDS.get(language, frozenset()) | _STOPWORDS["en"]

    score: Counter[str] = Counter()
    shown: dict[str, str] = {}  # key -> tag as displayed
    mid_caps: set[str] = set()
    units = [(s, 3.0) for s in split_sentences(title)]
    units += [(s, 2.0 if i < _LEAD_SENTENCES else 1.0) for i, s in enumerate(_units(text))]
    for sentence, weight in units:
        names, content = _phrases(sentence, stop)
        for name, at_start in names:
            key = name.lower()
            # full names say most; a one-word name also scores as a content word below
            score[key] += (3.0 if " " in key else 1.5) * weight
            shown.setdefault(key, name)
            if not at_start:
                mid_caps.add(key)
        for word in content:
            key = word.lower()
            score[key] += weight
            if word.isupper() or key not in shown:
                shown[key] = word

    names: list[str] = []
    words: list[str] = []
    taken: set[str] = set()  # stems of every word already tagged
    for key, value in sorted(score.items(), key=lambda kv: (-kv[1], kv[0])):
        if len(names) + len(words) >= limit:
            break
        is_name = key in mid_caps
        if " " in key and not is_name:
            continue
        if value < 2 and not is_name:
            continue  # a word said once is not what the story is about
        tag = _display(key, shown[key], is_name)
        if len(tag) > TAG_MAX:
            continue
        stems = _stems(key)
        if " " in key:
            if all(_forms(part) & taken for part in key.split()):
                continue  # every word of it is already a tag
        elif stems & taken:
            continue  # another form of this word, or a word of a name already tagged
        (names if is_name else words).append(tag)
        taken |= stems
    return names + words  # the most specific first: names, then the story's words
