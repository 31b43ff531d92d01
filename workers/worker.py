"""The RQ worker Newsdesk runs: a short liveness key, and a loop that outlives Redis restarts.

RQ notices a worker killed with SIGKILL only when its registry entries expire (a minute or
more) and its maintenance runs (every ten minutes by default). The liveness key here expires
within seconds, so the scheduler's watchdog (workers/watchdog.py) re-queues such jobs quickly.
"""

from __future__ import annotations

import logging
import time

import redis
from rq import Worker

from channel import keys
from channel.config import Settings
from channel.redisconn import connect, warn_if_evicting

# Imported here, before any fork, so every work horse starts with the pipeline loaded.
from workers import jobs, queues
from workers.watchdog import HEARTBEAT, LIVENESS_TTL

log = logging.getLogger(__name__)

MAINTENANCE_INTERVAL = 300  # RQ's own registry cleaning (expired failed jobs and the like)


class NewsdeskWorker(Worker):
    """RQ's worker, with a liveness key and the settings every job it runs is given."""

    stop_signalled = False  # a SIGTERM/SIGINT arrived: run() must not start another worker

    def __init__(self, *args, settings: Settings | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.settings = settings  # None: each job reads the environment, as under RQ's worker

    def perform_job(self, job, queue) -> bool:
        token = jobs.worker_settings.set(self.settings)
        try:
            return super().perform_job(job, queue)
        finally:
            jobs.worker_settings.reset(token)

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
            r = connect(settings.redis_url)
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
