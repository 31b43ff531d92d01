"""One story, one card: near-duplicate stories across sources, found by MinHash LSH.

The wire's copy and the newsroom's rewrite of the same story must not fill Top stories twice.
Each ready story's clean text (its paragraphs) becomes a MinHash of word shingles (datasketch);
LSH bands of the signature index it in Redis, so a new story meets its candidates in a few set
reads, and a candidate counts when the estimated Jaccard similarity reaches THRESHOLD
(parameters tuned by bench/dedup.py on one half of a pair set, reported on both in
BENCHMARKS.md). Only stories of different sources are matched.

A group of duplicates has one leader, the best version: the channel's own source over a wire,
then the most complete (words), then one with a real image over a title card. The feed shows
the leader; the others are its article detail's "also from". An editor splits a wrong match,
and that pair is never matched again. All of this happens when a story becomes ready, never on
the poll path: the feed builder reads one small hash (the followers) per build.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import cache
from typing import Any

import numpy as np
import orjson
import redis
from datasketch import MinHash, MinHashLSH

from channel import keys

NUM_PERM = 128
SCHEME = "affine32"  # datasketch's hash scheme, named: stored signatures must stay comparable
SHINGLE = 2  # words per shingle (tuned: bench/dedup.py)
THRESHOLD = 0.30  # estimated Jaccard for a duplicate (tuned: bench/dedup.py)
WORD = re.compile(r"\w+", re.UNICODE)
OWN_KINDS = ("folder", "push")  # a newsroom's own copy, unless its source says otherwise


def shingles(text: str, size: int = SHINGLE) -> set[bytes]:
    words = WORD.findall(text.lower())
    if len(words) < size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i:i + size]).encode() for i in range(len(words) - size + 1)}


def signature(text: str, size: int = SHINGLE, num_perm: int = NUM_PERM) -> MinHash:
    found = MinHash(num_perm=num_perm, seed=1, scheme=SCHEME)
    found.update_batch(list(shingles(text, size)))
    return found


@cache
def bands(threshold: float = THRESHOLD, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows per band) datasketch's LSH chooses for the threshold."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def band_digests(sig: MinHash, threshold: float = THRESHOLD) -> list[str]:
    """One digest per LSH band: stories sharing any band are candidates."""
    b, rows = bands(threshold, len(sig.hashvalues))
    values = sig.hashvalues
    return [f"{i}:{_digest(values[i * rows:(i + 1) * rows].tobytes())}" for i in range(b)]


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def similarity(a: MinHash, b: MinHash) -> float:
    return a.jaccard(b)


def is_duplicate(a: MinHash, b: MinHash, threshold: float = THRESHOLD) -> bool:
    """What the index decides for a pair: a shared band (a candidate), then the estimate."""
    return bool(set(band_digests(a, threshold)) & set(band_digests(b, threshold))) \
        and similarity(a, b) >= threshold


def text_of(article: dict[str, Any]) -> str:
    return "\n".join(article.get("paragraphs") or [])


# --- the index in Redis -------------------------------------------------------------------


def rank(article: dict[str, Any], source: dict[str, Any] | None) -> tuple[int, int, int]:
    """Higher is better: own source, then words, then a real image."""
    own = (source or {}).get("origin") == "own" if (source or {}).get("origin") \
        else article.get("source_kind", (source or {}).get("kind", "push")) in OWN_KINDS
    words = sum(len(p.split()) for p in article.get("paragraphs") or [])
    return int(own), words, int(article.get("image_kind") not in (None, "titlecard"))


def _pair(a: str, b: str) -> str:
    return "|".join(sorted((a, b)))


def _load_sig(raw: bytes | None) -> MinHash | None:
    if raw is None:
        return None
    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME,
                   hashvalues=np.frombuffer(raw, dtype=np.uint64))


def index(r: redis.Redis, article: dict[str, Any], source: dict[str, Any] | None) -> str | None:
    """Index a ready story and join it to its duplicates' group. Returns its group id, if any."""
    story_id = article["id"]
    text = text_of(article)
    if len(WORD.findall(text)) < 20:  # too little text to tell stories apart
        return None
    sig = signature(text)
    digests = band_digests(sig)
    info = {"source": article["source_id"], "title": article["title"],
            "url": article.get("canonical_url") or article.get("url"),
            "rank": list(rank(article, source))}
    with r.pipeline(transaction=False) as p:
        p.set(keys.dedup_signature(story_id), sig.hashvalues.astype(np.uint64).tobytes())
        p.hset(keys.DEDUP_INFO, story_id, orjson.dumps(info))
        p.hset(keys.DEDUP_BANDS, story_id, ",".join(digests))
        for d in digests:
            p.sadd(keys.dedup_band(d), story_id)
        p.sunion([keys.dedup_band(d) for d in digests])
        found = p.execute()[-1]
    candidates = sorted(m.decode() for m in found if m.decode() != story_id)
    if not candidates:
        return _group_of(r, story_id)
    with r.pipeline(transaction=False) as p:
        for c in candidates:
            p.get(keys.dedup_signature(c))
        p.hmget(keys.DEDUP_INFO, candidates)
        p.smembers(keys.DEDUP_SPLIT)
        *sigs, infos, split = p.execute()
    split = {s.decode() for s in split}
    best: tuple[float, str] | None = None
    for c, raw, raw_info in zip(candidates, sigs, infos, strict=True):
        other = _load_sig(raw)
        if other is None or raw_info is None or _pair(story_id, c) in split:
            continue
        if orjson.loads(raw_info)["source"] == article["source_id"]:
            continue  # one source's own stories are never merged
        score = similarity(sig, other)
        if score >= THRESHOLD and (best is None or score > best[0]):
            best = (score, c)
    if best is None:
        return _group_of(r, story_id)
    return join(r, story_id, best[1])


def _group_of(r: redis.Redis, story_id: str) -> str | None:
    raw = r.hget(keys.DEDUP_GROUP_OF, story_id)
    return raw.decode() if raw else None


def join(r: redis.Redis, story_id: str, other: str) -> str:
    """Put story_id in other's group (made if need be) and choose the group's leader again."""
    group = _group_of(r, other) or _group_of(r, story_id) or other
    with r.pipeline(transaction=True) as p:
        p.hset(keys.DEDUP_GROUP_OF, mapping={story_id: group, other: group})
        p.sadd(keys.dedup_members(group), story_id, other)
        p.execute()
    elect(r, group)
    return group


def elect(r: redis.Redis, group: str) -> str | None:
    """The group's best version leads; every other member follows it (FOLLOWERS: id -> leader)."""
    members = sorted(m.decode() for m in r.smembers(keys.dedup_members(group)))
    if len(members) < 2:
        with r.pipeline(transaction=True) as p:
            p.hdel(keys.DEDUP_FOLLOWERS, *members) if members else None
            p.hdel(keys.DEDUP_GROUP_OF, *members) if members else None
            p.delete(keys.dedup_members(group))
            p.execute()
        return members[0] if members else None
    infos = dict(zip(members, r.hmget(keys.DEDUP_INFO, members), strict=True))
    ranked = sorted(members, key=lambda m: tuple(orjson.loads(infos[m])["rank"])
                    if infos[m] else (-1, -1, -1), reverse=True)
    leader = ranked[0]
    with r.pipeline(transaction=True) as p:
        p.hdel(keys.DEDUP_FOLLOWERS, leader)
        p.hset(keys.DEDUP_FOLLOWERS, mapping={m: leader for m in ranked[1:]})
        p.execute()
    return leader


def followers(r: redis.Redis) -> dict[str, str]:
    """Every story that is another's duplicate -> its leader (one HGETALL per feed build)."""
    return {k.decode(): v.decode() for k, v in r.hgetall(keys.DEDUP_FOLLOWERS).items()}


def versions(r: redis.Redis, story_id: str) -> list[dict[str, Any]]:
    """The other versions of a story's group: [{id, source, title, url, leads}] (one HGET for
    a story in no group: the article detail reads this)."""
    group = _group_of(r, story_id)
    if group is None:
        return []
    members = sorted(m.decode() for m in r.smembers(keys.dedup_members(group)) if m.decode()
                     != story_id)
    if not members:
        return []
    with r.pipeline(transaction=False) as p:
        p.hmget(keys.DEDUP_INFO, members)
        p.hmget(keys.DEDUP_FOLLOWERS, members)
        infos, leaders = p.execute()
    found = []
    for m, raw, leader in zip(members, infos, leaders, strict=True):
        if raw is None:
            continue
        info = orjson.loads(raw)
        found.append({"id": m, "source": info["source"], "title": info["title"],
                      "url": info["url"], "leads": leader is None})
    return found


def split(r: redis.Redis, story_id: str) -> list[str]:
    """Take a story out of its group; it is never matched with those stories again. Returns
    the stories it was grouped with."""
    group = _group_of(r, story_id)
    if group is None:
        return []
    others = [m.decode() for m in r.smembers(keys.dedup_members(group)) if m.decode() != story_id]
    with r.pipeline(transaction=True) as p:
        if others:
            p.sadd(keys.DEDUP_SPLIT, *[_pair(story_id, o) for o in others])
        p.srem(keys.dedup_members(group), story_id)
        p.hdel(keys.DEDUP_GROUP_OF, story_id)
        p.hdel(keys.DEDUP_FOLLOWERS, story_id)
        p.execute()
    if group == story_id and others:  # the group was named after it: rename to a member
        with r.pipeline(transaction=True) as p:
            p.rename(keys.dedup_members(group), keys.dedup_members(others[0]))
            p.hset(keys.DEDUP_GROUP_OF, mapping=dict.fromkeys(others, others[0]))
            p.execute()
        group = others[0]
    elect(r, group)
    return others


def forget(r: redis.Redis, story_ids: Iterable[str]) -> None:
    """Drop stories from the index (used when a story is processed again, before re-indexing)."""
    for story_id in story_ids:
        raw = r.hget(keys.DEDUP_BANDS, story_id)
        with r.pipeline(transaction=False) as p:
            for d in (raw.decode().split(",") if raw else []):
                p.srem(keys.dedup_band(d), story_id)
            p.hdel(keys.DEDUP_BANDS, story_id)
            p.execute()
