"""Wire-service tags at the very start of a story: "LONDON (Reuters) -", "(CNN)", "(AP) —".

A tag is cut only where it really is one: a known agency in brackets at the very start (with an
optional dateline before it and a dash after), or any short bracketed credit followed by its dash
after an upper-case dateline. "The European Union (EU) has ..." and "The All Progressives
Congress (APC) won ..." open a great deal of news: a name with its abbreviation is the subject of
the sentence and is never a tag.
"""

from __future__ import annotations

import re

__all__ = ["strip_source_tag"]

_AGENCIES = (
    r"CNN|CNN Money|CNNMoney|CNN Student News|AP|AFP|Reuters|UPI|dpa|ANSA|EFE|Xinhua|"
    r"The Hollywood Reporter|EW\.com|Mashable|Bloomberg|PA|TASS|IANS|PTI"
)
_DASH = r"\s*(?:--|—|–|-)\s*"
# A dateline: an upper-case place ("LONDON", "NEW YORK, N.Y.") or capitalised words that do not
# start like a sentence's subject ("Washington", "Hong Kong").
_DATELINE = (
    r"(?:[A-Z][A-Z .,'-]{1,40}(?:, [A-Z][a-z.]+(?: [A-Z][a-z.]+)?)?|"
    r"(?!(?:The|A|An|This|That|These|Those)\b)[A-Z][a-z]+(?:[ ,]+[A-Z][a-z.]+){0,3})"
)
_AGENCY_TAG = re.compile(rf"^(?:{_DATELINE}\s)?\((?:{_AGENCIES})\)(?:{_DASH}|\s*)")
_CREDIT_TAG = re.compile(rf"^(?:[A-Z][A-Z .,'-]{{1,40}}\s)?\([A-Z][A-Za-z.&' ]{{1,30}}\){_DASH}")


def strip_source_tag(line: str) -> str:
    """The line without a leading wire-service tag; unchanged when it has none."""
    match = _AGENCY_TAG.match(line) or _CREDIT_TAG.match(line)
    if match is None:
        return line
    rest = line[match.end() :]
    return rest if rest[:1].isupper() or rest[:1] in "\"“‘'" else line
