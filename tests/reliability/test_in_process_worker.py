"""What the work horse's fork gave, kept by the in-process worker (issue 17): a job that hangs
is stopped at its timeout, a job that raises leaves the worker running, the liveness key stays
fresh during a long job (and only until its timeout), and memory stays bounded."""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

import pytest

from channel import keys
from channel.config import Settings
from workers import queues
from workers.worker import NewsdeskWorker


def _worker(r) -> NewsdeskWorker:
    return NewsdeskWorker([queues.queue(r, q) for q in queues.ALL], connection=r,
                          settings=Settings.from_env())


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_a_hanging_job_is_stopped_at_its_timeout_and_the_next_job_runs(r, settings):
    q = queues.queue(r, queues.FETCH)
    hung = q.enqueue(time.sleep, 60, job_timeout=1)
    broken = q.enqueue("operator.truediv", 1, 0)
    fine = q.enqueue(len, "four")
    worker = _worker(r)
    started = time.monotonic()
    worker.work(burst=True)
    assert time.monotonic() - started < 20
    assert hung.get_status() == "failed" and "JobTimeoutException" in hung.latest_result(
    ).exc_string
    assert broken.get_status() == "failed"  # a job that raises ...
    assert fine.get_status() == "finished" and fine.return_value() == 4  # ... the worker goes on
    assert worker.pid == os.getpid()  # no work horse: the job ran in this process


def test_the_liveness_key_stays_fresh_while_a_long_job_runs(r, settings, monkeypatch):
    from workers import worker as worker_module

    monkeypatch.setattr(worker_module, "HEARTBEAT", 0.2)
    monkeypatch.setattr(worker_module, "LIVENESS_TTL", 1)
    job = queues.queue(r, queues.FETCH).enqueue(time.sleep, 3, job_timeout=30)
    worker = _worker(r)
    seen = []

    def watch():
        while job.get_status() != "finished":
            seen.append(r.exists(keys.worker_alive(worker.name)))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    worker.work(burst=True)
    watcher.join(10)
    assert job.get_status() == "finished"
    assert len(seen) > 20 and all(seen[10:]), "the key lapsed during the job"


def test_the_liveness_key_is_not_kept_past_the_jobs_timeout(r, settings, monkeypatch):
    """A job stuck past its timeout (in C code no signal interrupts) is taken for dead."""
    from workers import worker as worker_module

    monkeypatch.setattr(worker_module, "HEARTBEAT", 0.2)
    worker = _worker(r)
    job = queues.queue(r, queues.FETCH).enqueue(len, "x", job_timeout=1)
    done = threading.Event()
    beat = threading.Thread(target=worker._beat_while_running, args=(job, done))
    started = time.monotonic()
    beat.start()
    beat.join(5)
    assert not beat.is_alive() and time.monotonic() - started < 2.5
    done.set()


@pytest.mark.timeout(300)
def test_memory_stays_bounded_over_many_stories(r, settings, tmp_path):
    from channel import actions, store

    store.save_categories(r, [{"id": "world", "title": "World"}])
    pages = sorted((Path(__file__).parents[1] / "fixtures" / "pages").glob("*.html"))
    assert pages

    def batch(start: int, count: int) -> None:
        for i in range(start, start + count):
            actions.push_article(r, settings, {
                "guid": f"mem-{i}", "title": f"Story {i}", "category": "world",
                "html": pages[i % len(pages)].read_text(errors="replace")}, who="t")
        _worker(r).work(burst=True)

    batch(0, 20)  # warm: caches, fonts, trafilatura's and syntok's tables
    before = _rss_mb()
    batch(20, 80)
    grown = _rss_mb() - before
    assert grown < 20, f"RSS grew {grown:.1f} MB over 80 stories"


def test_rq_info_sees_newsdesk_workers_and_queues(r, settings):
    """`newsdesk worker` stays on RQ's own queues and registry, so RQ's tools still see it."""
    import subprocess
    import sys

    q = queues.queue(r, queues.FETCH)
    job = q.enqueue(time.sleep, 3, job_timeout=30)
    queues.queue(r, queues.PROCESS).enqueue(len, "waiting")
    worker = NewsdeskWorker([q], connection=r, settings=Settings.from_env())
    shown = []

    def look():  # while the worker (in the main thread: RQ's signals) runs the job
        deadline = time.monotonic() + 10
        while job.get_status() != "started" and time.monotonic() < deadline:
            time.sleep(0.05)
        rq = Path(sys.executable).with_name("rq")
        shown.append(subprocess.run([str(rq), "info", "--raw", "--url", settings.redis_url],
                                    capture_output=True, text=True, timeout=30))

    looker = threading.Thread(target=look)
    looker.start()
    worker.work(burst=True)
    looker.join(30)
    assert shown and shown[0].returncode == 0, shown and shown[0].stderr
    out = shown[0].stdout
    assert f"queue {queues.PROCESS} 1," in out  # a waiting job, as RQ counts it
    assert f"queue {queues.FETCH} 0, 1 executing" in out
    assert re.search(rf"worker {worker.name} \(.*\) busy {queues.FETCH}\.", out), out
