"""Redis memory per 1,000 stored stories with thumbnails, measured on a real pipeline run.

    .venv/bin/python bench/redis_memory.py [--stories 1000]

Starts a private Redis (EmbeddedRedis, in a temporary folder), writes --stories article files
with a lead photo each (crops of the demo channel's photos, each one different, so no two
stories share a thumbnail), loads them as folder sources, runs the real pipeline with an
in-process RQ worker (refresh, process: extract, summarise, tag, thumbnails at every TV size;
publish) and reads Redis's `used_memory` before and after, plus `MEMORY USAGE` of every key
grouped by kind. Prints one table; nothing is left behind.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from channel import keys, store  # noqa: E402
from channel.config import Settings, read_channel_config  # noqa: E402
from channel.redisconn import EmbeddedRedis, connect  # noqa: E402
from workers import queues  # noqa: E402
from workers.worker import NewsdeskWorker  # noqa: E402

PHOTOS = sorted((ROOT / "channel" / "demo" / "articles").glob("*.jpg"))
PER_SOURCE = 500  # a folder source reads at most 500 entries a refresh (schemas/source)
WORDS = ("harbour council river market station bridge school hospital trial vote budget "
         "festival league weather ferry tram museum library port farm").split()


def write_stories(folder: Path, first: int, count: int, rng: random.Random) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(first, first + count):
        words = rng.sample(WORDS, 6)
        title = f"{words[0].title()} {words[1]} report {n}: {words[2]} and {words[3]}"
        body = "\n\n".join(
            " ".join(rng.choice(WORDS) for _ in range(40)).capitalize() + "." for _ in range(6))
        (folder / f"story-{n:05d}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
        with Image.open(PHOTOS[n % len(PHOTOS)]) as photo:
            w, h = photo.size
            cw, ch = int(w * 0.85), int(h * 0.85)
            x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
            photo.convert("RGB").crop((x, y, x + cw, y + ch)).save(
                folder / f"story-{n:05d}.jpg", quality=85)


KINDS = (("thumbnails", keys.thumbnail("")), ("articles", keys.article("")),
         ("feed versions", keys.feed_version(0)[:-1]), ("cards", keys.CARDS),
         ("indexes", keys.ARTICLES), ("indexes", keys.category_index("")))


def kind_of(key: str) -> str:
    for kind, prefix in KINDS:
        if key.startswith(prefix):
            return kind
    return "queues, jobs, other" if key.startswith("rq:") or key.startswith(keys.PREFIX) \
        else "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=1000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="nd-bench-mem-"))
    server = EmbeddedRedis(tmp / "redis").start(persist=False)
    try:
        r = connect(server.url)
        rng = random.Random(18)
        sources = []
        for s, first in enumerate(range(0, args.stories, PER_SOURCE)):
            count = min(PER_SOURCE, args.stories - first)
            write_stories(tmp / f"desk{s}", first, count, rng)
            sources.append(f"  - {{id: desk{s}, kind: folder, path: desk{s}, category: news, "
                           f"interval: 86400, max_items: {PER_SOURCE}}}")
        config = tmp / "channel.yaml"
        config.write_text("provider: Memory bench\nlanguage: en\ncategories:\n"
                          "  - {id: news, title: News}\nsources:\n" + "\n".join(sources) + "\n")
        settings = Settings(redis_url=server.url, channel_config=config)
        store.save_channel_config(r, read_channel_config(config))
        base = int(r.info("memory")["used_memory"])
        started = time.monotonic()
        queues.enqueue_refresh_all(r, settings)
        NewsdeskWorker([queues.queue(r, q) for q in queues.ALL], connection=r,
                       settings=settings).work(burst=True, logging_level="WARNING")
        took = time.monotonic() - started
        ready = r.hlen(keys.CARDS)
        used = int(r.info("memory")["used_memory"]) - base
        by_kind: dict[str, int] = defaultdict(int)
        counts: dict[str, int] = defaultdict(int)
        for key in r.scan_iter(count=1000):
            name = key.decode()
            by_kind[kind_of(name)] += int(r.memory_usage(key) or 0)
            counts[kind_of(name)] += 1
        per_k = 1000 / max(ready, 1)
        print(f"{ready} stories ready of {args.stories} in {took:.0f} s "
              f"(one in-process worker); Redis {r.info('server')['redis_version']}\n")
        print("| what | keys | MB per 1,000 stories |\n|---|---:|---:|")
        for kind in sorted(by_kind, key=by_kind.get, reverse=True):
            print(f"| {kind} | {counts[kind]} | {by_kind[kind] * per_k / 1e6:.2f} |")
        print(f"| **used_memory rise** | | **{used * per_k / 1e6:.2f}** |")
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
