"""The cost of counting views and of the Most viewed row, against the same paths without them.

    .venv/bin/python bench/views.py [--requests 3000] [--stories 10000] [--runs 7]

Starts a private Redis (EmbeddedRedis), seeds --stories ready stories as bench/publish_build.py
does (plus their article documents), publishes, then, in this one process:

  * the article-detail path (the Flask app through werkzeug's test client, so the same request
    machinery for both): --requests details of random stories from random client addresses,
    with view counting on, then with it off (views.count replaced by a no-op), interleaved in
    blocks; latency median and p99, and Redis commands per request (INFO commandstats);
  * the poll path /v1/feed.json (untouched by counting): the same, for reference;
  * publish() with the channel's Most viewed row asked for, and without (medians of --runs).
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import orjson  # noqa: E402
import redis  # noqa: E402
from publish_build import seed, settings_for  # noqa: E402

from channel import keys, store, views  # noqa: E402
from channel.feed import publish  # noqa: E402
from channel.redisconn import EmbeddedRedis, connect  # noqa: E402

PARAGRAPHS = ["The council met on Monday to discuss the harbour levy. " * 3] * 8


def commands(r: redis.Redis) -> int:
    return sum(v["calls"] for k, v in r.info("commandstats").items()
               if k not in ("cmdstat_info",))


def timed(client, paths: list[str], r: redis.Redis) -> tuple[list[float], float]:
    before = commands(r)
    took = []
    for n, path in enumerate(paths):
        t0 = time.perf_counter()
        response = client.get(path, environ_base={"REMOTE_ADDR": f"10.{n % 250}.{n % 7}.1"},
                              headers={"User-Agent": "Roku/DVP-12.0"})
        took.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code
    return took, (commands(r) - before - 1) / len(paths)  # the INFO in between


def ms(values: list[float], q: float) -> str:
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.2f}"


def run(requests: int, stories: int, runs: int) -> list[str]:
    public_url = "https://news.example.com"
    with tempfile.TemporaryDirectory(prefix="nd-bench-views-") as tmp:
        server = EmbeddedRedis(Path(tmp) / "redis").start(persist=False)
        try:
            r = connect(server.url)
            ids = seed(r, stories, public_url)
            with r.pipeline(transaction=False) as p:
                for story_id in ids:
                    p.set(keys.article(story_id), orjson.dumps(
                        {"id": story_id, "paragraphs": PARAGRAPHS, "byline": "Desk",
                         "source_id": "bench"}))
                p.execute()
            settings = settings_for(server.url, public_url, 500)
            publish.publish(r, settings)
            os.environ.update(REDIS_URL=server.url, NEWSDESK_PUBLIC_URL=public_url)
            from app import create_app

            client = create_app(settings).test_client()
            rng = random.Random(3)
            live = list(dict.fromkeys(c["id"] for row in orjson.loads(
                client.get("/v1/feed.json").data)["rows"] for c in row["items"]))
            real_count = views.count
            detail = {"on": ([], []), "off": ([], [])}
            block = max(100, requests // 10)
            for _ in range(0, requests, block):
                for mode in ("on", "off"):
                    views.count = real_count if mode == "on" else (lambda *a, **k: None)
                    paths = [f"/v1/articles/{rng.choice(live)}.json" for _ in range(block)]
                    took, per = timed(client, paths, r)
                    detail[mode][0].extend(took)
                    detail[mode][1].append(per)
            views.count = real_count
            poll, poll_cmds = timed(client, ["/v1/feed.json"] * block, r)

            timings = {"without": [], "with": []}
            channel = store.load_channel(r)
            for n in range(runs + 1):
                for mode in ("without", "with"):
                    extra = {"mostViewed": {"items": 10}} if mode == "with" else {}
                    store.save_channel(r, {**channel, **extra})
                    r.zadd(keys.PINS, {ids[-1 - n]: n})  # a real change: a new version
                    t0 = time.perf_counter()
                    publish.publish(r, settings)
                    if n:
                        timings[mode].append(time.perf_counter() - t0)
            rows = orjson.loads(client.get("/v1/feed.json").data)["rows"]
            most = next((row for row in rows if row["id"] == "most-viewed"), None)
            r.close()
        finally:
            server.stop()
    lines = [
        f"{stories} stored stories, feed of {len(live)} stories; {len(detail['on'][0])} details "
        f"per mode in interleaved blocks of {block}; Most viewed row: "
        f"{len(most['items']) if most else 0} stories",
        "",
        "| path | median ms | p99 ms | Redis commands per request |",
        "|---|---:|---:|---:|",
    ]
    for mode in ("off", "on"):
        took, per = detail[mode]
        lines.append(f"| article detail, counting {mode} | {ms(took, 0.5)} | {ms(took, 0.99)} "
                     f"| {statistics.mean(per):.2f} |")
    lines.append(f"| feed poll (/v1/feed.json, 200, test client) | {ms(poll, 0.5)} "
                 f"| {ms(poll, 0.99)} | {poll_cmds:.2f} |")
    lines += [
        "",
        f"| publish() (medians of {runs}) | wall ms |",
        "|---|---:|",
        f"| without the Most viewed row | {statistics.median(timings['without']) * 1000:.1f} |",
        f"| with the Most viewed row (PFCOUNT x2 per feed story, pipelined) "
        f"| {statistics.median(timings['with']) * 1000:.1f} |",
    ]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    print("$ " + shlex.join([os.path.relpath(sys.executable, ROOT), os.path.relpath(__file__, ROOT),
                             *sys.argv[1:]]))
    print()
    print("\n".join(run(args.requests, args.stories, args.runs)))


if __name__ == "__main__":
    main()
