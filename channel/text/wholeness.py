"""Does a sentence read whole on screen? The checks every summary sentence must pass.

A viewer notices at once a sentence that lost its subject ("has rejected ..."), a fragment with
no verb ("Caleb Barnes, to a concert."), caption or table debris ("| DL | Myles Garrett | 57 |"),
or an opening "But ..." that points at a sentence left out. These checks are cheap string tests
(no parser: the summary must stay a few milliseconds), deliberately strict: a sentence that
cannot be shown to read whole is not shown, and the summarizer takes another one instead.
The verb test is English; other languages get only the language-neutral checks.
"""

from __future__ import annotations

import re

from channel.text.sentences import is_balanced

__all__ = ["dangles", "has_verb", "reads_whole", "starts_well"]

_TERMINAL = re.compile(r"[.!?…。！？][\"'”’)\]」』）]*$")
_LEAD_PUNCT = "\"'“‘«(["
_TABLE = re.compile(r"\|.*\|")
_AUX = frozenset(
    """is are was were be been being am has have had having do does did will would can could
    may might must shall should says said say tells told asks asked gets got goes went made makes
    took takes came comes gave gives saw sees found finds knew knows thought thinks became
    becomes left leaves felt feels brought brings began begins kept keeps held holds wrote writes
    stood stands heard hears let lets meant means set sets met meets ran runs paid pays sat sits
    spoke speaks led leads read grew grows lost loses fell falls sent sends built builds
    understood drew draws broke breaks spent spends cut cuts rose rises drove drives bought buys
    wore wears chose chooses won wins hit hits put puts shot shoots beat beats fought fights threw
    throws caught catches struck strikes sang sings flew flies ate eats sank sinks sought seeks
    taught teaches fled flees quit hid hides shut shuts spread spreads stole steals stuck sticks
    swore woke wept dug bet bound fed forgave forgot froze laid lent lit overcame shook slept
    sped spun sprang stung swept swung tore withdrew withdraws undertook upheld arose awoke bore
    forbade foresaw mistook sold sells lay lies slid slides hung hangs rang rings bit bites
    dealt deals sprang wants needs seems looks remains plans warns faces calls shows joins
    marks opens closes hopes aims claims tries uses moves lives dies says""".split()
)
_SUBJECTISH = re.compile(
    r"\b(?:[A-Z][\w'’.-]*|he|she|it|they|this|that|who|which|there|one|police|officials)"
    r" (?:also |now |still |reportedly |allegedly |has |is )?([a-z]{3,}s)\b"
)
_ED_ING = re.compile(r"\b[a-z]{2,}(?:ed|ing)\b")
_NOT_ED_ING = frozenset(
    """bed red shed need feed seed speed bleed breed greed hundred kindred sacred naked wicked
    thing things king kings ring sing wing bring spring string sting during morning evening
    nothing something anything everything ceiling building wedding pudding darling sibling
    viking""".split()
)
_DANGLE = re.compile(
    r"^[\"'“‘]?(?:But|And|So|Yet|Or|Nor|However|Meanwhile|Also|Then|Still|Instead|Besides|"
    r"Moreover|Furthermore|Nevertheless|Otherwise|Thus|Hence|He|She|It|They|Him|Her|His|Hers|"
    r"Its|Their|Them|This|That|These|Those|There|Such|Another|The other|Both|Neither|Either|"
    r"Here)\b"
)


def has_verb(sentence: str) -> bool:
    """English: some word looks like a verb (an auxiliary, a common verb form, -ed/-ing, or a
    verb-shaped "-s" word right after a subject), so the sentence is not a bare noun phrase."""
    lower = sentence.lower()
    words = re.findall(r"[a-z’']+", lower)
    if any(w in _AUX or w.endswith(("n't", "n’t")) for w in words):
        return True
    if any(m.group(0) not in _NOT_ED_ING for m in _ED_ING.finditer(lower)):
        return True
    return bool(_SUBJECTISH.search(sentence))


def starts_well(sentence: str) -> bool:
    """Opens as a sentence does: a capital or a digit (after any opening quote), never
    lowercase (a cut-off subject) or punctuation debris."""
    head = sentence.lstrip(_LEAD_PUNCT)
    if not head:
        return False
    first = head[0]
    return first.isupper() or first.isdigit() or (first.isalpha() and not first.islower())


def reads_whole(sentence: str, language: str | None = "en") -> bool:
    """A sentence that can stand alone on screen: starts well, ends with its own punctuation,
    leaves no quote or bracket open, is no table row and (English) has a verb."""
    if not starts_well(sentence) or not _TERMINAL.search(sentence):
        return False
    if _TABLE.search(sentence) or not is_balanced(sentence):
        return False
    return language not in (None, "en") or has_verb(sentence)


def dangles(sentence: str) -> bool:
    """Opens with a connective or pronoun that points back at something ("But ...", "He ..."):
    fine after the sentence it points at, never as a summary's first sentence unless it is the
    article's own."""
    return bool(_DANGLE.match(sentence))
