"""Fault tests with real processes: the feed stays served, nothing is lost, work resumes.

Each test is bounded in time; traffic goes only to servers on 127.0.0.1 that the test starts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson
import pytest
from rq.job import Job

from channel import keys, schemas, store
from channel.config import Settings
from channel.feed import editorial, publish
from channel.redisconn import EmbeddedRedis, connect
from tests.conftest import run_worker
from tests.httpserver import serve
from tests.newsroom import load_newsroom
from workers import queues, watchdog
from workers.scheduler import Scheduler, enqueue_due_jobs

ROOT = Path(__file__).resolve().parents[2]

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Slow wire</title>
<item><guid isPermaLink="false">slow-1</guid><title>Late item arrives</title>
<description>The late item finally arrived on Thursday after a long wait.</description>
<pubDate>Thu, 26 Nov 2026 10:00:00 +0000</pubDate></item></channel></rss>"""


LOGS = Path(os.environ.get("NEWSDESK_TEST_LOGS", "/tmp")) / "newsdesk-fault-tests.log"


def _spawn(code: str, env: dict[str, str]) -> subprocess.Popen:
    """A real Newsdesk process in its own process group, so kill -9 takes it whole.

    Its output goes to LOGS (appended), which a failing test prints the end of.
    """
    log = LOGS.open("ab")
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env},
                            start_new_session=True, stdout=log, stderr=log)


def _log_tail(lines: int = 60) -> str:
    return "\n".join(LOGS.read_text(errors="replace").splitlines()[-lines:]) if LOGS.exists() \
        else ""


def _worker(url: str, name: str) -> subprocess.Popen:
    return _spawn("from channel.config import Settings; from workers.worker import run; "
                  f"run(Settings.from_env(), name={name!r})", {"REDIS_URL": url})


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        for child in (task / "children").read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


def _kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL a worker and every process under it (RQ's work horse has its own session)."""
    for pid in [proc.pid, *_descendants(proc.pid)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _wait(predicate, timeout: float, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def _served_feed(client) -> dict:
    response = client.get("/v1/feed.json")
    assert response.status_code == 200
    doc = orjson.loads(response.data)
    schemas.validate("channel-feed", doc)
    return doc


def _titles(doc: dict) -> set[str]:
    return {c["title"] for row in doc["rows"] for c in row["items"]}


def _ready(r, tmp_path) -> None:
    load_newsroom(r, tmp_path)
    queues.enqueue_refresh_all(r, Settings.from_env())
    run_worker(r)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_idle_worker_stops_on_the_first_signal(r, settings, signum) -> None:
    """What `newsdesk up` and docker send: one signal to the worker's main process. The worker
    must leave within seconds, not start a fresh RQ worker and wait to be killed."""
    from rq import Worker

    name = f"idle-{signum}"
    worker = _worker(settings.redis_url, name)
    try:
        listening = _wait(lambda: any(w.name == name for w in Worker.all(connection=r)), 30)
        assert listening, _log_tail()
        time.sleep(0.5)  # into the blocking dequeue, where an idle worker spends its life
        signalled = time.monotonic()
        worker.send_signal(signum)
        assert worker.wait(timeout=10) == 0, _log_tail()
        assert time.monotonic() - signalled < 5
        assert not any(w.name.startswith(name) for w in Worker.all(connection=r))
    finally:
        _stop(worker)


def test_job_of_a_killed_worker_is_handed_back_within_20s(r, client, settings, tmp_path,
                                                          monkeypatch):
    _ready(r, tmp_path)
    before = _served_feed(client)
    release = threading.Event()

    def slow(request):
        release.wait(30)
        return 200, {"Content-Type": "application/rss+xml"}, RSS

    with serve({"/feed.xml": slow}) as upstream:
        monkeypatch.setenv("NEWSDESK_ALLOW_LOOPBACK", "1")
        store.save_source(r, {"id": "slow", "kind": "rss", "url": upstream.url("/feed.xml"),
                              "category": "world"})
        job = queues.enqueue_refresh(r, settings, "slow")
        worker = _worker(settings.redis_url, "doomed")
        try:
            assert _wait(lambda: job.get_status() == "started", 30), "the job never started"
            _kill_tree(worker)  # main process and work horse, no goodbye
            killed_at = time.monotonic()
            assert job.get_status() == "started"  # RQ alone would leave it so for minutes
            # The scheduler runs this every 2 s tick; polled here every second.
            rescued = _wait(lambda: watchdog.rescue_orphans(r), 30, step=1)
            assert rescued == [job.id]
            assert time.monotonic() - killed_at < 20  # the liveness key's 15 s, then a check
        finally:
            release.set()
            _stop(worker)
        assert job.get_status() in ("scheduled", "queued")  # retried, not lost
        if job.get_status() == "scheduled":  # the scheduler queues it when its retry delay ends
            assert _wait(lambda: enqueue_due_jobs(r), 15, step=0.5) == [job.id]
        run_worker(r)
        assert job.get_status() == "finished"
    after = _served_feed(client)
    assert _titles(before) < _titles(after)
    assert "Late item arrives" in _titles(after)


def test_a_job_dequeued_by_a_worker_that_died_before_starting_it_is_handed_back(
        r, tmp_path, settings,
):
    """A worker records the execution as it dequeues; its work horse marks the job started a
    moment later. A worker killed, or losing Redis, in between leaves a job that is neither
    queued nor started, and RQ alone hands it back only when its registry entry expires."""
    from workers.worker import NewsdeskWorker

    load_newsroom(r, tmp_path)
    job = queues.enqueue_refresh(r, settings, "desk")
    ghost = NewsdeskWorker([queues.queue(r, queues.FETCH)], connection=r, name="ghost")
    dequeued, _ = ghost.dequeue_job_and_maintain_ttl(timeout=1)
    ghost.prepare_execution(dequeued)  # ... and the worker dies here
    assert dequeued.id == job.id and not job.get_status() == "started"
    assert job.id not in queues.queue(r, queues.FETCH).get_job_ids()
    dead_at = time.monotonic()
    rescued = _wait(lambda: watchdog.rescue_orphans(r), 40, step=1)
    assert rescued == [job.id], "the job was never handed back"
    assert time.monotonic() - dead_at < 25  # the liveness key's 15 s, then the next check
    if job.get_status() == "scheduled":
        assert _wait(lambda: enqueue_due_jobs(r), 15, step=0.5) == [job.id]
    run_worker(r)
    assert job.get_status() == "finished"


def test_a_job_popped_by_a_worker_that_died_before_recording_it_is_queued_again(
        r, tmp_path, settings,
):
    """A worker on several queues pops a job (BLPOP) and only then records it as running. Killed,
    or losing Redis, in between, it leaves the job in no queue and no registry, its status still
    "queued": every later request for the same work (same job id) would be a no-op, forever."""
    from rq import Queue

    load_newsroom(r, tmp_path)
    job = queues.enqueue_refresh(r, settings, "desk")
    waiting = queues.enqueue_refresh(r, settings, "wire")
    popped, _ = Queue.dequeue_any([queues.queue(r, n) for n in queues.ALL], timeout=1,
                                  connection=r)
    assert popped.id == job.id  # ... and the worker is gone before it records the job
    assert job.get_status() == "queued" and queues.enqueue_refresh(r, settings, "desk").id == job.id
    assert watchdog.requeue_astray(r) == []  # it may be a dequeue in progress: not yet
    requeued = _wait(lambda: watchdog.requeue_astray(r), 20, step=1)
    assert requeued == [job.id]
    assert queues.queue(r, queues.FETCH).get_job_ids() == [waiting.id, job.id]  # once each
    run_worker(r)
    assert job.get_status() == "finished" and waiting.get_status() == "finished"
    assert watchdog.requeue_astray(r) == []
    assert r.zcard(keys.JOBS_LEDGER) == 0 and r.zcard(keys.JOBS_ASTRAY) == 0  # ended: forgotten


def test_everything_resumes_after_a_redis_restart(settings, tmp_path, monkeypatch):
    server = EmbeddedRedis(tmp_path / "redis").start(persist=True)
    monkeypatch.setenv("REDIS_URL", server.url)
    monkeypatch.setenv("NEWSDESK_PUBLIC_URL", "http://newsdesk.test")
    r = connect(server.url)
    _ready(r, tmp_path)
    from app import create_app
    from channel.web import public

    public.live_feed.current = None
    client = create_app(Settings.from_env()).test_client()
    first = _served_feed(client)
    worker = _worker(server.url, "survivor")
    scheduler = _spawn("from channel.config import Settings; from channel.redisconn import "
                       "connect; from workers.scheduler import Scheduler; "
                       f"Scheduler(connect({server.url!r}), Settings.from_env(), tick=0.5).run()",
                       {"REDIS_URL": server.url})
    try:
        assert _wait(lambda: r.exists(keys.SCHEDULER_LOCK), 30)
        # A new story arrives and a refresh is queued ... then Redis goes away mid-flight.
        article = tmp_path / "newsroom" / "articles" / "03-late.json"
        article.write_bytes(orjson.dumps({"title": "Night buses return to the city",
                                          "paragraphs": ["Night buses will run again from "
                                                         "Friday, the city said."]}))
        queues.enqueue_refresh_all(r, settings)
        server.stop()
        down = client.get("/v1/feed.json")
        assert down.status_code == 200 and down.data == _served_feed_bytes(first)
        time.sleep(2)
        server.start(persist=True)
        resumed = _wait(lambda: "Night buses return to the city" in _titles(
            orjson.loads(client.get("/v1/feed.json").data)), 90, step=0.5)
        assert resumed, "processing did not resume after Redis came back:\n" + _log_tail()
        assert worker.poll() is None and scheduler.poll() is None  # they rode it out
        after = _served_feed(client)
        assert _titles(first) < _titles(after)  # nothing that was ready was lost
    finally:
        _stop(worker)
        _stop(scheduler)
        server.stop()


def test_a_lost_publish_job_is_queued_again_within_seconds(settings, r, client, tmp_path):
    """Redis restarting, or a worker killed, between queuing a publish and building it loses
    the job, and the stories readied meanwhile were coalesced into it. The scheduler sees the
    unserved request and queues a publish, instead of leaving the feed stale for a minute."""
    _ready(r, tmp_path)
    story = next(c for row in _served_feed(client)["rows"] for c in row["items"])
    editorial.hide(r, story["id"], "test")
    assert queues.request_publish(r, settings) is not None
    assert queues.request_publish(r, settings) is None  # a second change joins the queued publish
    queues.queue(r, queues.PUBLISH).empty()  # ... and that job is lost
    scheduler = Scheduler(connect_like(r), settings)
    scheduler.last_publish = time.time()  # leave the once-a-minute publish out of this
    scheduler.run_once()
    assert queues.queue(r, queues.PUBLISH).count == 0  # not overdue yet: it may just be slow
    time.sleep(queues.PUBLISH_OVERDUE)
    scheduler.run_once()
    scheduler.run_once()
    assert queues.queue(r, queues.PUBLISH).count == 1  # one publish, not one per tick
    run_worker(r)
    assert story["id"] not in {c["id"] for row in _served_feed(client)["rows"]
                               for c in row["items"]}
    assert not r.exists(keys.PUBLISH_PENDING)
    scheduler.run_once()
    assert queues.queue(r, queues.PUBLISH).count == 0


def _served_feed_bytes(doc: dict) -> bytes:
    return orjson.dumps(doc)


@pytest.mark.parametrize("upstream", ["hang", "reset", "garbage", "html", "error"])
def test_a_broken_upstream_is_a_recorded_reason_not_a_crash(r, client, tmp_path, monkeypatch,
                                                            upstream, settings):
    _ready(r, tmp_path)
    before = _served_feed(client)

    def handler(request):
        if upstream == "hang":
            request.stopping.wait(5)
            return None
        if upstream == "reset":
            request.handler.connection.shutdown(2)
            return None
        body = {"garbage": b"\x00\xff<rss<<<" * 500, "html": b"<html><body>Hi</body></html>",
                "error": b"oops"}[upstream]
        return (500 if upstream == "error" else 200), {"Content-Type": "text/xml"}, body

    monkeypatch.setenv("NEWSDESK_ALLOW_LOOPBACK", "1")
    monkeypatch.setenv("NEWSDESK_FETCH_TIMEOUT", "1.5")
    with serve(handler) as server:
        store.save_source(r, {"id": "flaky", "kind": "rss", "url": server.url("/feed.xml"),
                              "category": "world"})
        job = queues.enqueue_refresh(r, settings, "flaky")
        run_worker(r)
    assert job.get_status() in ("failed", "scheduled")
    health = store.source_state(r, "flaky")
    assert int(health["failures"]) == 1 and health["last_error"]
    assert float(health["next_poll"]) > time.time() + 30  # backed off, no hot loop
    assert _served_feed(client)["rows"] == before["rows"]


def test_two_schedulers_never_double_the_work(settings, r, tmp_path):
    load_newsroom(r, tmp_path)
    first = Scheduler(connect_like(r), settings, lock_ttl=2)
    second = Scheduler(connect_like(r), settings, lock_ttl=2)
    assert sorted(first.run_once()) == ["desk", "wire"]
    assert second.run_once() == []  # locked out
    for source in ("desk", "wire"):  # make both due again
        store.update_source_state(r, source, next_poll=0)
    assert second.run_once() == []
    assert sorted(first.run_once()) == ["desk", "wire"]
    assert len(queues.queue(r, queues.FETCH).get_job_ids()) == 2  # de-duplicated job ids
    # The first scheduler dies without releasing its lock; the second takes over in time.
    for source in ("desk", "wire"):
        store.update_source_state(r, source, next_poll=0)
    assert _wait(lambda: second.run_once(), 5, step=0.25) is not None


def connect_like(r):
    return connect(f"unix://{r.connection_pool.connection_kwargs['path']}")


def test_invalid_document_in_the_publish_path_keeps_the_last_good_feed(
        r, client, tmp_path, settings,
):
    _ready(r, tmp_path)
    before = client.get("/v1/feed.json")
    story = next(iter(r.hkeys(keys.CARDS))).decode()
    card = orjson.loads(r.hget(keys.CARDS, story))
    r.hset(keys.CARDS, story, orjson.dumps({**card, "placeholderColor": "red"}))
    job = queues.publish_now(r, settings)
    run_worker(r)
    assert job.get_status() == "failed"  # permanent: not retried
    assert "placeholderColor" in orjson.loads(r.get(keys.FEED_LAST_ERROR))["reason"]
    after = client.get("/v1/feed.json")
    assert after.status_code == 200 and after.data == before.data
    r.hset(keys.CARDS, story, orjson.dumps(card))  # fixed: the next publish goes through
    assert publish.publish(r, Settings.from_env()) >= 1
    assert job.id in queues.queue(r, queues.PUBLISH).failed_job_registry.get_job_ids()


def test_job_ids_are_stable_so_duplicates_are_answered_with_the_same_job(settings, r, tmp_path):
    load_newsroom(r, tmp_path)
    first = queues.enqueue_refresh(r, settings, "desk")
    again = queues.enqueue_refresh(r, settings, "desk")
    assert first.id == again.id
    assert Job.fetch(first.id, connection=r).get_status() == "queued"
