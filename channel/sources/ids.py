"""Stable article ids: the same story always lands under the same key."""

import hashlib
import re

ID_DIGITS = 16
_STORY_ID = re.compile(rf"^[0-9a-f]{{{ID_DIGITS}}}$")


def stable_id(key: str) -> str:
    """First 16 hex digits of sha256(key): short enough for URLs, collision-safe at news scale."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:ID_DIGITS]


def is_story_id(value: str) -> bool:
    """True for a string shaped like every story id (a cheap check before any lookup)."""
    return bool(_STORY_ID.match(value))


def content_hash(*parts: object) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()
