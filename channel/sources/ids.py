"""Stable article ids: the same story always lands under the same key."""

import hashlib


def stable_id(key: str) -> str:
    """First 16 hex digits of sha256(key): short enough for URLs, collision-safe at news scale."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def content_hash(*parts: object) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()
