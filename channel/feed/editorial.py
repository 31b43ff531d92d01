"""Editorial controls the feed honours: pin, hide, pull. Every change lands in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis

from channel import audit, keys, store


class UnknownStory(LookupError):
    pass


@dataclass(frozen=True)
class Controls:
    """Every story's editorial state, read in one round trip."""

    pins: dict[str, float]  # story id -> pin order (lowest leads)
    hidden: frozenset[str]
    pulled: frozenset[str]

    @property
    def excluded(self) -> frozenset[str]:
        """Stories no feed shows."""
        return self.hidden | self.pulled


def controls(r: redis.Redis) -> Controls:
    with r.pipeline(transaction=False) as p:
        p.zrange(keys.PINS, 0, -1, withscores=True)
        p.smembers(keys.HIDDEN)
        p.smembers(keys.PULLED)
        pins, hidden, pulled = p.execute()
    return Controls(pins={m.decode(): score for m, score in pins},
                    hidden=frozenset(m.decode() for m in hidden),
                    pulled=frozenset(m.decode() for m in pulled))


def is_shown(r: redis.Redis, story_id: str) -> bool:
    """False for a hidden or pulled story: its detail is not served either."""
    with r.pipeline(transaction=False) as p:
        p.sismember(keys.HIDDEN, story_id)
        p.sismember(keys.PULLED, story_id)
        return not any(p.execute())


def _known(r: redis.Redis, story_id: str) -> dict[str, Any]:
    article = store.get_article(r, story_id)
    if article is None:
        raise UnknownStory(f"no story {story_id!r}")
    return article


def update_story(r: redis.Redis, story_id: str, who: str,
                 focal: list[float] | None = None, category: str | None = None) -> None:
    """An editor's focal point or category; kept across content updates, applied on processing."""
    article = _known(r, story_id)
    if focal is not None:
        article["focal"] = focal
    if category is not None:
        article["category_override"] = category
    store.save_article(r, article)
    audit.record(r, who, "update story", story_id, focal=focal, category=category)


def pin(r: redis.Redis, story_id: str, order: int, who: str) -> None:
    """Pinned stories lead their rows (and Top stories), lowest order first."""
    _known(r, story_id)
    r.zadd(keys.PINS, {story_id: order})
    audit.record(r, who, "pin", story_id, order=order)


def unpin(r: redis.Redis, story_id: str, who: str) -> None:
    _known(r, story_id)
    r.zrem(keys.PINS, story_id)
    audit.record(r, who, "unpin", story_id)


def hide(r: redis.Redis, story_id: str, who: str) -> None:
    """Left out of feeds until unhidden; its data and thumbnails stay."""
    _known(r, story_id)
    r.sadd(keys.HIDDEN, story_id)
    audit.record(r, who, "hide", story_id)


def unhide(r: redis.Redis, story_id: str, who: str) -> None:
    _known(r, story_id)
    r.srem(keys.HIDDEN, story_id)
    audit.record(r, who, "unhide", story_id)


def pull(r: redis.Redis, story_id: str, who: str) -> None:
    """Take a story down now: out of the next publish, detail and thumbnails gone at once."""
    article = _known(r, story_id)
    digests = [t["digest"] for t in (article.get("thumbnails") or {}).values()]
    with r.pipeline() as p:
        p.sadd(keys.PULLED, story_id)
        p.zrem(keys.PINS, story_id)
        if digests:
            p.delete(*[keys.thumbnail(d) for d in digests])
        p.execute()
    audit.record(r, who, "pull", story_id)


def unpull(r: redis.Redis, story_id: str, who: str) -> None:
    """Allow a pulled story back; it needs processing again (its thumbnails were deleted)."""
    _known(r, story_id)
    r.srem(keys.PULLED, story_id)
    audit.record(r, who, "unpull", story_id)
