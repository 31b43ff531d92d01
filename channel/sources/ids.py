"""What a story is keyed by: one rule for every kind of source, so a story keeps its id.

A story's id is the first 16 hex digits of sha256 of its key, and its key is, in this order:
1. its GUID, inside its source: feeds number their entries ("1234", "urn:news:1001"), so a GUID
   is only unique within one feed. A GUID that is a URL ("https://...") stands alone, so one
   story carried by two sources (a feed and the CMS that pushes it) is one story;
2. else its canonical URL: tracking parameters (utm_*, fbclid...), the fragment, the host's case
   and a default port never make two stories of one, however a feed decorates its links;
3. else a name its source gives it, already unique (a file's source and path; an entry's
   title and date).
"""

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ID_DIGITS = 16
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "igshid"})
_STORY_ID = re.compile(rf"^[0-9a-f]{{{ID_DIGITS}}}$")


def story_id(source_id: str, *, guid: str | None = None, url: str | None = None,
             name: str | None = None) -> str:
    """The story's id by the rule above; ValueError when there is nothing to key it by."""
    if guid:
        key = guid if "://" in guid else f"{source_id}:{guid}"
    elif url:
        key = canonical_url(url)
    elif name:
        key = name
    else:
        raise ValueError("a story needs a guid, a URL or a name to be keyed by")
    return stable_id(key)


def stable_id(key: str) -> str:
    """First 16 hex digits of sha256(key): short enough for URLs, collision-safe at news scale."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:ID_DIGITS]


def is_story_id(value: str) -> bool:
    """True for a string shaped like every story id (a cheap check before any lookup)."""
    return bool(_STORY_ID.match(value))


def canonical_url(url: str) -> str:
    """One spelling per article URL: no fragment, no tracking parameters, lower-case host."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. "http://[broken": still a stable key, just not normalised
        return url.strip()
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    netloc = parts.netloc.lower()
    if parts.scheme == "http" and netloc.endswith(":80"):
        netloc = netloc[:-3]
    elif parts.scheme == "https" and netloc.endswith(":443"):
        netloc = netloc[:-4]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), ""))


def content_hash(*parts: object) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()
