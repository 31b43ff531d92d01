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
    marks opens closes hopes aims claims tries uses moves lives dies says go come make take
    rise fall need want see get give find think tell become leave feel bring begin keep hold
    write stand hear mean meet run pay sit speak lead grow lose send spend buy win fight catch
    face remain plan warn call show join open close hope aim claim try use move live die work
    play look seem help ask continue expect believe allow include offer provide create agree
    happen appear follow change stop reach return start stay turn bring""".split()
)
# A verb-shaped "-s" word: "The package costs ...", "Apple plans ..." (not after a determiner
# or preposition, where it is a plural noun: "to the islands").
_S_WORD = re.compile(r"\b([\w'’-]+) ([a-z]{2,}[^s\W]s)\b")
# A plural subject's verb: "studios form part of", "those efforts now count", "they host".
_PLURAL_VERB = re.compile(
    r"\b(?:[A-Za-z][a-z]+[^s\W]s|they|we|you|who|which|that|I)"
    r" (?:now |also |still |often |all |both |will |would |could )?([a-z]{3,})\b"
)
_CONTRACTION = re.compile(r"\b(?:he|she|it|that|there|who|what|here)['’]s\b", re.IGNORECASE)
_BEFORE_NOUN = frozenset(
    """the a an of in on at to for with by from his her their its our my your these those some
    many few several two three four five six seven eight nine ten and or all both most more
    other such no any each every into onto over under about after before between""".split()
)
# -ed/-ing, except right after a determiner, where it describes a noun: "a famed leader",
# "the injured", "his winning goal".
_ED_ING = re.compile(
    r"(?<!\ba )(?<!\ban )(?<!\bthe )(?<!\bhis )(?<!\bher )(?<!\bits )(?<!\btheir )"
    r"(?<!\bA )(?<!\bAn )(?<!\bThe )(?<!\bHis )(?<!\bHer )(?<!\bIts )(?<!\bTheir )"
    r"\b[a-z]{2,}(?:ed|ing)\b"
)
_OPENING_PARTICIPLE = re.compile(r"^[\"'“‘]?[A-Z][a-z]{2,}(?:ed|ing)\b(?! [A-Z])")
_NOT_ED_ING = frozenset(
    """bed red shed need feed seed speed bleed breed greed hundred kindred sacred naked wicked
    thing things king kings ring sing wing bring spring string sting during morning evening
    nothing something anything everything ceiling building wedding pudding darling sibling
    viking""".split()
)
_NOT_VERB = frozenset(
    """near than like as up down out off per plus via across against along around behind beyond
    during inside outside through toward towards upon within without who which that whose
    what when where why how not only just very too also now then here there this these those
    all both each every one new old first last next same own other another such""".split()
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
    if _OPENING_PARTICIPLE.match(sentence) or any(
        m.group(0) not in _NOT_ED_ING for m in _ED_ING.finditer(sentence)
    ):
        return True
    if _CONTRACTION.search(sentence):
        return True
    if any(m.group(1).lower() not in _BEFORE_NOUN for m in _S_WORD.finditer(sentence)):
        return True
    return any(
        m.group(1) not in _BEFORE_NOUN and m.group(1) not in _NOT_VERB and
        not m.group(1).endswith("ly") for m in _PLURAL_VERB.finditer(sentence)
    )


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
