"""Workers on several hosts: the web tier and two workers each in a network namespace of its own,
reaching Redis over veth links. One worker host's link is cut mid-job; its job goes to the
worker on the other host, and when the link is back the cut-off worker puts nothing older live.

Runs as root (CI does); otherwise it says why and skips. Bounded in time; the namespaces, links
and every process are removed at the end.
"""

from __future__ import annotations

import os
import time
import urllib.request

import orjson
import pytest
from rq.job import Job

from channel import keys
from tests.ha import netns
from tests.ha.cluster import redis_node, wait_for
from tests.ha.processes import TOKEN, TV, Processes, newsdesk_env

pytestmark = pytest.mark.timeout(300)

UPSTREAM_PORT = 18080  # each host's own upstream, on its own loopback
SLOW = 35.0  # seconds the cut-off host's upstream takes: its job is mid-fetch when cut
RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><guid isPermaLink="false">wire-ha-1</guid><title>Ferry crews agree a new timetable</title>
<pubDate>Thu, 26 Nov 2026 09:00:00 +0000</pubDate>
<description>Ferry crews and operators agreed a new winter timetable on Thursday after talks.
</description></item>
<item><guid isPermaLink="false">wire-ha-2</guid><title>Night trams return to the old town</title>
<pubDate>Thu, 26 Nov 2026 10:00:00 +0000</pubDate>
<description>Night trams will run through the old town again from Friday, the city said.
</description></item></channel></rss>"""
CONFIG = """provider: HA Test Channel
language: en
categories:
  - {id: world, title: World}
sources:
  - {id: wire, kind: rss, url: "http://127.0.0.1:%d/feed.xml", category: world, interval: 3600,
     enabled: false}
"""


def _request(url: str, method: str = "GET", body: dict | None = None) -> dict:
    request = urllib.request.Request(
        url, method=method, data=orjson.dumps(body) if body is not None else None,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return orjson.loads(response.read())


def _titles(feed_url: str) -> list[str]:
    doc = _request(feed_url)
    return [c["title"] for row in doc["rows"] if row["id"] == "world" for c in row["items"]]


@pytest.mark.skipif(bool(reason := netns.unavailable()), reason=reason or "")
def test_a_cut_off_worker_host_hands_its_job_over_and_publishes_nothing_older(tmp_path):
    procs = Processes(tmp_path / "newsdesk.log")
    (tmp_path / "feed.xml").write_bytes(RSS)
    config = tmp_path / "channel.yaml"
    config.write_text(CONFIG % UPSTREAM_PORT)
    with netns.hosts("web", "hosta", "hostb") as hosts:
        web, host_a, host_b = hosts["web"], hosts["hosta"], hosts["hostb"]
        server = redis_node(tmp_path / "redis", host_a.gateway, 6390 + os.getpid() % 500)
        # One Redis, reachable on each host's link (the test's namespace plays the Redis host).
        server.args[server.args.index("--bind") + 1] = " ".join(h.gateway for h in hosts.values())
        tv = TV(f"http://{web.address}:8000/v1/feed.json", every=0.1)
        r = server.client()
        try:
            server.start()

            def env_on(host: netns.Host) -> dict[str, str]:
                url = f"redis://{host.gateway}:{server.port}/0"
                return newsdesk_env(tmp_path, {"REDIS_URL": url}, NEWSDESK_ALLOW_LOOPBACK="1",
                                    NEWSDESK_CHANNEL_CONFIG=str(config))

            here = env_on(host_a)  # the scheduler and the CLI run beside Redis
            procs.cli(here, "load-config", str(config))
            for host, delay in ((host_a, SLOW), (host_b, 0)):
                procs.spawn(["-m", "tests.ha.upstream", str(UPSTREAM_PORT), str(delay),
                             str(tmp_path / "feed.xml")], here, prefix=host.prefix)
            procs.web(env_on(web), f"{web.address}:8000", prefix=web.prefix)
            procs.worker(env_on(host_a), "hosta", prefix=host_a.prefix)
            procs.scheduler(here)
            base = f"http://{web.address}:8000"
            assert wait_for(lambda: _request(f"{base}/healthz"), 60, step=0.5), procs.tail()

            # A first story, pushed through the web host and processed on host A: TVs have a feed.
            _request(f"{base}/v1/ops/articles", "POST", {
                "guid": "desk-1", "title": "Harbour cranes are back at work", "category": "world",
                "body": "The harbour cranes were back at work on Thursday after repairs that "
                        "took a week, the port authority said on Thursday."})
            feed_url = f"{base}/v1/feed.json"
            assert wait_for(lambda: _titles(feed_url), 60, step=0.5), procs.tail()
            tv.start()

            # Host A takes the refresh and waits on its slow upstream; then its link is cut.
            procs.cli(here, "sources", "enable", "wire")
            started = wait_for(lambda: Job.exists("refresh-wire", connection=r) and
                               Job.fetch("refresh-wire", connection=r).get_status() == "started",
                               30, step=0.2)
            assert started, procs.tail()
            assert Job.fetch("refresh-wire", connection=r).worker_name.startswith("hosta")
            procs.worker(env_on(host_b), "hostb", prefix=host_b.prefix)
            time.sleep(2)  # host B is listening
            live_before = int(r.get(keys.FEED_CURRENT))
            host_a.cut()
            cut = time.monotonic()

            def taken_by_b() -> bool:
                job = Job.fetch("refresh-wire", connection=r)
                return (job.worker_name or "").startswith("hostb") and \
                    job.get_status() in ("started", "finished")
            assert wait_for(taken_by_b, 60, step=0.5), "not handed over in 60 s\n" + procs.tail()
            handed_over = time.monotonic() - cut
            assert wait_for(lambda: len(_titles(feed_url)) == 3, 30, step=0.5), procs.tail()
            live_after_b = int(r.get(keys.FEED_CURRENT))
            assert live_after_b > live_before

            # The link is back; host A's job wakes up, writes and asks for a publish. Nothing
            # older than what host B published may go live.
            host_a.restore()
            restored = time.monotonic()
            time.sleep(max(0.0, SLOW + 10 - (restored - cut)))  # its fetch has answered by now
            assert wait_for(lambda: r.exists(keys.worker_alive("hosta")) or
                            any(r.exists(keys.worker_alive(f"hosta-{n}")) for n in range(1, 5)),
                            30, step=0.5), "host A did not come back\n" + procs.tail()
            assert int(r.get(keys.FEED_CURRENT)) >= live_after_b
            titles = _titles(feed_url)
            assert sorted(titles) == sorted(set(titles)) and len(titles) == 3  # each story once
            _request(f"{base}/v1/ops/articles", "POST", {
                "guid": "desk-2", "title": "Lighthouse keepers open the tower to visitors",
                "category": "world", "body": "The lighthouse keepers opened the tower to "
                "visitors on Saturday for the first time in ten years, the trust said."})
            assert wait_for(lambda: len(_titles(feed_url)) == 4, 60, step=0.5), procs.tail()
            tv.stop()
            seen = tv.versions
            assert seen == sorted(seen), "a TV saw the feed go back to an older version"
            assert not tv.errors, (tv.statuses, tv.errors[:10])
            print(f"handed over in {handed_over:.1f} s; {tv.polls} polls, versions "
                  f"{seen[0]}..{seen[-1]}")
        finally:
            try:
                tv.stop()
            finally:
                procs.stop_all()  # whatever failed above, nothing this test started outlives it
            r.close()
            server.stop()
