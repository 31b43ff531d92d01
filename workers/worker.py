"""The RQ worker Newsdesk runs: jobs in-process, a short liveness key, and a loop that
outlives Redis restarts.

Jobs run in the worker's own process (RQ's SimpleWorker), not in a forked work horse per job:
at our job sizes (tens of milliseconds) the fork and the bookkeeping around it were most of a
worker's time (bench/pipeline.py measures both models in one run). What the fork gave is kept
another way. A job that hangs is stopped at its timeout by RQ's SIGALRM death penalty, in this
process. A job that raises is recorded and the worker goes on. A worker killed with SIGKILL
stops refreshing its liveness key, and the scheduler's watchdog (workers/watchdog.py) hands its
job back within seconds; RQ alone notices only when its registry entries expire. While a job
runs, a thread refreshes the key, but only until the job's timeout has passed (a job stuck in C
code past it is then taken for dead too).
"""

from __future__ import annotations

import logging
import threading
import time

import redis
from rq import SimpleWorker

from channel import keys
from channel.config import Settings
from channel.redisconn import connect_to, warn_if_evicting

# Imported at start, so the first job does not pay for loading the pipeline.
from workers import jobs, queues
from workers.watchdog import HEARTBEAT, LIVENESS_TTL

log = logging.getLogger(__name__)

MAINTENANCE_INTERVAL = 300  # RQ's own registry cleaning (expired failed jobs and the like)


class NewsdeskWorker(SimpleWorker):
    """RQ's in-process worker, with a liveness key and the settings every job it runs is given."""

    stop_signalled = False  # a SIGTERM/SIGINT arrived: run() must not start another worker

    def __init__(self, *args, settings: Settings | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.settings = settings  # None: each job reads the environment, as under RQ's worker

    def perform_job(self, job, queue) -> bool:
        token = jobs.worker_settings.set(self.settings)
        done = threading.Event()
        beating = threading.Thread(target=self._beat_while_running, args=(job, done),
                                   name="liveness", daemon=True)
        beating.start()
        try:
            return super().perform_job(job, queue)
        finally:
            done.set()
            jobs.worker_settings.reset(token)

    def _beat_while_running(self, job, done: threading.Event) -> None:
        """The main thread is busy with the job: keep the liveness key fresh from here, until
        the job's timeout (plus a beat) has passed."""
        timeout = job.timeout if job.timeout and job.timeout > 0 else 3600
        deadline = time.monotonic() + timeout + HEARTBEAT
        while not done.wait(HEARTBEAT) and time.monotonic() < deadline:
            try:
                self.connection.set(keys.worker_alive(self.name), "1", ex=LIVENESS_TTL)
            except redis.RedisError as exc:
                log.warning("worker: liveness key not refreshed: %s", exc)

    def request_stop(self, signum, frame):
        # An idle RQ worker leaves by raising StopRequested without setting `_stop_requested`,
        # which looked like "RQ's loop ended on its own" to run(): it started a new worker and
        # `newsdesk up` had to SIGKILL it 15 s later.
        self.stop_signalled = True
        super().request_stop(signum, frame)

    def heartbeat(self, timeout: int | None = None, pipeline=None):
        super().heartbeat(timeout, pipeline=pipeline)
        conn = pipeline if pipeline is not None else self.connection
        conn.set(keys.worker_alive(self.name), "1", ex=LIVENESS_TTL)


def run(settings: Settings, *, burst: bool = False, name: str | None = None) -> None:
    """Work until told to stop; reconnect with backoff when Redis goes away."""
    delay, attempt = 0.5, 0
    while True:
        # After a crash RQ may still hold the old name as alive for minutes: take a new one.
        current = f"{name}-{attempt}" if name and attempt else name
        attempt += 1
        try:
            r = connect_to(settings)
            warn_if_evicting(r)
            worker = NewsdeskWorker(
                [queues.queue(r, q) for q in queues.ALL], connection=r, name=current,
                settings=settings, job_monitoring_interval=HEARTBEAT,
                maintenance_interval=MAINTENANCE_INTERVAL,
            )
            # Delayed retries are enqueued by Newsdesk's scheduler (workers/scheduler.py).
            worker.work(burst=burst, logging_level="INFO", with_scheduler=False)
            if burst or worker.stop_signalled:
                return
            # RQ's loop gives up ("unhandled exception, quitting") when Redis drops it mid-call.
            log.warning("worker: RQ's loop ended on its own; starting again in %.1fs", delay)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            log.warning("worker: Redis unavailable (%s); reconnecting in %.1fs", exc, delay)
        time.sleep(delay)
        delay = min(delay * 2, 10.0)
