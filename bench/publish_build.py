"""Publish timing: build and validate a ~500-story feed from 10,000 stored ready stories.

    .venv/bin/python bench/publish_build.py [--stories 10000] [--runs 7]

Starts a private Redis (EmbeddedRedis, no persistence), writes N ready story cards straight
into the store (as processing leaves them: card hash + per-category time index) across 8
categories, sets items_per_row so the channel feed holds ~500 stories, then times:

  * build+validate: ``build_feed`` + ``schemas.validate("channel-feed", ...)`` (the part of a
    publish that decides what TVs see; target < 200 ms);
  * publish: the whole ``channel.feed.publish.publish`` (build, validate, the low-end variants and
    per-category feeds, each validated, gzip -9 of every document, the Roku export, the atomic
    switch). Each run pins a different story first, so every run is a real, new version.

Medians of --runs warm runs (the first, cold run — schema compilation — is shown apart), as wall
time and as this process's CPU time (steadier on a shared machine; Redis's own time is not in it).
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402
import redis  # noqa: E402

from channel import keys, schemas, store  # noqa: E402
from channel.config import Settings  # noqa: E402
from channel.feed import publish  # noqa: E402
from channel.feed.build import build_feed  # noqa: E402
from channel.redisconn import EmbeddedRedis, connect  # noqa: E402
from channel.sources.ids import stable_id  # noqa: E402

CATEGORIES = [
    ("world", "World"), ("business", "Business"), ("science", "Science & Tech"),
    ("local", "Local"), ("sport", "Sport"), ("culture", "Culture"), ("health", "Health"),
    ("politics", "Politics"),
]
THUMB_SIZES = {"hero": (1280, 720), "dp": (800, 450), "fhd": (480, 270), "hd": (320, 180)}
WORDS = (
    "council port levy ferry operators minister budget talks storm coast rail strike vote "
    "hospital funding league final record season market shares energy prices climate report "
    "court ruling election campaign school teachers housing plan bridge repairs festival opens "
    "museum exhibition research team discovers vaccine trial results airline delays harbour "
    "fishing quotas regional growth inflation figures bank rates exports factory jobs union "
    "agreement summit leaders border crossing police inquiry river flood warning heatwave "
    "drought farmers harvest satellite launch startup funding data breach privacy rules"
).split()
TAGS = ["economy", "transport", "weather", "politics", "health", "sport", "science", "courts",
        "energy", "education", "culture", "housing", "europe", "local", "climate", "tech"]


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def make_card(n: int, category: str, public_url: str, rng: random.Random) -> dict:
    """A ready story card shaped as channel.feed.build.build_card makes it (4 thumbnail sizes)."""
    story = stable_id(f"bench-story-{n}")
    title = _sentence(rng, 5, 9)[:-1]
    summary = " ".join(_sentence(rng, 6, 10) for _ in range(2))[:150]
    day, minute = 1 + n % 27, n % 1440
    card = {
        "id": story,
        "title": title,
        "summary": summary,
        "ticker": title[:80],
        "publishedAt": f"2026-11-{day:02d}T{minute // 60:02d}:{minute % 60:02d}:00Z",
        "category": category,
        "tags": rng.sample(TAGS, rng.randint(2, 4)),
        "thumbnails": {
            name: {"url": f"{public_url}/v1/thumbnails/{stable_id(f'img-{n}-{name}')}"
                          f"{stable_id(f'img2-{n}-{name}')}.jpg", "width": w, "height": h}
            for name, (w, h) in THUMB_SIZES.items()
        },
        "placeholderColor": f"#{rng.randrange(0x1000000):06x}",
        "detailUrl": f"{public_url}/v1/articles/{story}.json",
    }
    if n % 10 == 0:
        card["video"] = {"url": f"{public_url}/media/{story}/index.m3u8", "videoType": "HLS",
                         "duration": 60 + n % 300}
    return card


def seed(r: redis.Redis, stories: int, public_url: str, seed_value: int = 7) -> list[str]:
    """Write `stories` ready cards across the 8 categories, round-robin. Returns their ids."""
    rng = random.Random(seed_value)
    store.save_channel(r, {"provider": "Newsdesk Bench", "language": "en",
                           "liveStream": {"id": "live", "title": "Newsdesk Live",
                                          "url": "/live/index.m3u8", "videoType": "HLS"}})
    store.save_categories(r, [{"id": c, "title": t} for c, t in CATEGORIES])
    ids = []
    with r.pipeline(transaction=False) as p:
        for n in range(stories):
            category = CATEGORIES[n % len(CATEGORIES)][0]
            card = make_card(n, category, public_url, rng)
            p.hset(keys.CARDS, card["id"], orjson.dumps(card))
            ts = 1_790_000_000 + n * 60
            p.zadd(keys.category_index(category), {card["id"]: ts})
            ids.append(card["id"])
            if n % 1000 == 999:
                p.execute()
        p.execute()
    return ids


def settings_for(redis_url: str, public_url: str, feed_stories: int) -> Settings:
    """items_per_row so the category rows together hold ~feed_stories stories."""
    per_row = max(1, round(feed_stories / len(CATEGORIES)))
    return replace(Settings(), redis_url=redis_url, public_url=public_url,
                   items_per_row=per_row, top_stories=10)


def feed_shape(body: bytes) -> tuple[int, int, int]:
    """(unique stories, cards incl. the top row, bytes) of a feed body."""
    doc = orjson.loads(body)
    cards = [c["id"] for row in doc["rows"] for c in row["items"]]
    return len(set(cards)), len(cards), len(body)


def _median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f}"


def run(stories: int, feed_stories: int, runs: int) -> list[str]:
    """Time build+validate and publish; returns the markdown table lines."""
    public_url = "https://news.example.com"
    with tempfile.TemporaryDirectory(prefix="nd-bench-build-") as tmp:
        server = EmbeddedRedis(Path(tmp) / "redis").start(persist=False)
        try:
            r = connect(server.url)
            ids = seed(r, stories, public_url)
            settings = settings_for(server.url, public_url, feed_stories)
            steps = ("build", "build_only", "validate_only", "publish")
            timings: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in steps}
            cold: dict[str, tuple[float, float]] = {}
            shape = (0, 0, 0)
            for n in range(runs + 1):
                w0, c0 = time.perf_counter(), time.process_time()
                doc, body = build_feed(r, settings, version=1_000 + n)
                wb, cb = time.perf_counter(), time.process_time()
                schemas.validate("channel-feed", doc)
                w1, c1 = time.perf_counter(), time.process_time()
                shape = feed_shape(body)
                r.zadd(keys.PINS, {ids[-1 - n]: n})  # a real change: every publish is new
                w2, c2 = time.perf_counter(), time.process_time()
                version = publish.publish(r, settings)
                w3, c3 = time.perf_counter(), time.process_time()
                assert int(r.get(keys.FEED_CURRENT)) == version
                run = {"build": (w1 - w0, c1 - c0), "build_only": (wb - w0, cb - c0),
                       "validate_only": (w1 - wb, c1 - cb), "publish": (w3 - w2, c3 - c2)}
                if n == 0:
                    cold = run
                    continue
                for step, (wall, cpu) in run.items():
                    timings[step][0].append(wall)
                    timings[step][1].append(cpu)
            fields = r.hgetall(keys.feed_version(version))
            documents = sorted(k.decode().removesuffix(".json") for k in fields
                               if k.endswith(b".json"))
            error = r.get(keys.FEED_LAST_ERROR)
            r.close()
        finally:
            server.stop()
    unique, cards, size = shape
    build_ms = statistics.median(timings["build"][0]) * 1000
    lines = [
        f"Stored ready stories: {stories}; feed: {unique} stories ({cards} cards with the top row),"
        f" {size:,} bytes; items_per_row={settings.items_per_row}; a version holds "
        f"{len(documents)} documents ({', '.join(documents[:4])}, ...)",
        "",
        f"| step (medians of {runs} warm runs) | wall ms | CPU ms (this process) "
        "| cold first run wall ms | target |",
        "|---|---:|---:|---:|---|",
        f"| build_feed + validate(channel-feed) | {_median_ms(timings['build'][0])} "
        f"| {_median_ms(timings['build'][1])} | {cold['build'][0] * 1000:.1f} "
        f"| < 200 ms: {'met' if build_ms < 200 else 'MISSED'} |",
        f"| - of which build_feed | {_median_ms(timings['build_only'][0])} "
        f"| {_median_ms(timings['build_only'][1])} | {cold['build_only'][0] * 1000:.1f} | |",
        f"| - of which validate(channel-feed) | {_median_ms(timings['validate_only'][0])} "
        f"| {_median_ms(timings['validate_only'][1])} | {cold['validate_only'][0] * 1000:.1f} | |",
        f"| publish() (all documents, gzip -9, Roku export, switch) "
        f"| {_median_ms(timings['publish'][0])} | {_median_ms(timings['publish'][1])} "
        f"| {cold['publish'][0] * 1000:.1f} | (reported) |",
    ]
    if error:
        lines += ["", f"Note: last publish error recorded: {orjson.loads(error)['reason'][:200]}"]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=10_000, help="stored ready stories")
    parser.add_argument("--feed-stories", type=int, default=500, help="stories in the feed")
    parser.add_argument("--runs", type=int, default=7, help="warm runs (median)")
    args = parser.parse_args(argv)
    print("$ " + shlex.join([os.path.relpath(sys.executable, ROOT), os.path.relpath(__file__, ROOT),
                             *sys.argv[1:]]))
    print()
    print("\n".join(run(args.stories, args.feed_stories, args.runs)))


if __name__ == "__main__":
    main()
