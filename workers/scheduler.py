"""Queue each enabled source's refresh on its interval. Exactly one scheduler runs at a time.

The lock is a Redis key with an expiry renewed on every tick: a second scheduler waits, and
takes over within LOCK_TTL seconds if the first one dies.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
import uuid

import redis
from rq.job import Job

from channel import actions, clock, keys, store
from channel.config import Settings
from channel.feed import due
from workers import queues, watchdog

log = logging.getLogger(__name__)

LOCK_TTL = 15  # seconds
TICK = 2.0
# A publish now and then, besides requeue_lost_publish's: unchanged content is not
# republished, so this costs one feed build.
PUBLISH_EVERY = 60.0

# Renew only if we still own the lock: compare-and-expire in one step.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


def enqueue_due_jobs(r: redis.Redis) -> list[str]:
    """Move retries whose delay has passed from RQ's scheduled registries onto their queues.

    This is what RQ's worker-side scheduler does; here the one active Newsdesk scheduler does
    it every tick, instead of whichever worker holds RQ's lock (held for a minute or more by
    a worker that was killed).
    """
    moved = []
    for name in queues.ALL:
        q = queues.queue(r, name)
        registry = q.scheduled_job_registry
        for job_id in registry.get_jobs_to_schedule(int(time.time())):
            job = Job.fetch(job_id, connection=r) if Job.exists(job_id, connection=r) else None
            registry.remove(job_id)
            if job is not None:
                q.enqueue_job(job)
                moved.append(job_id)
    return moved


class Scheduler:
    def __init__(self, r: redis.Redis, settings: Settings, tick: float = TICK,
                 lock_ttl: int = LOCK_TTL):
        self.r = r
        self.settings = settings
        self.tick = tick
        self.lock_ttl = lock_ttl
        self.token = uuid.uuid4().hex
        self.stopping = threading.Event()
        self.last_publish = 0.0

    def acquire(self) -> bool:
        """Take or keep the lock; False means another scheduler holds it."""
        ttl_ms = int(self.lock_ttl * 1000)
        if self.r.eval(_RENEW, 1, keys.SCHEDULER_LOCK, self.token, ttl_ms):
            return True
        return bool(self.r.set(keys.SCHEDULER_LOCK, self.token, nx=True, px=ttl_ms))

    def release(self) -> None:
        self.r.eval(_RELEASE, 1, keys.SCHEDULER_LOCK, self.token)

    def due_sources(self, now: float) -> list[str]:
        due = []
        for source in store.list_sources(self.r):
            if not source.get("enabled", True):
                continue
            next_poll = store.source_state(self.r, source["id"]).get("next_poll")
            if not next_poll or float(next_poll) <= now:
                due.append(source["id"])
        return due

    def run_once(self) -> list[str]:
        """One tick: queue every due refresh. Returns the source ids queued."""
        if not self.acquire():
            return []
        now = clock.now(self.r)  # next_poll is the Redis server's time (channel/clock.py)
        queued = []
        for source_id in self.due_sources(now):
            source = store.get_source(self.r, source_id) or {}
            # Push next_poll forward now, so a slow worker doesn't get the same refresh twice.
            store.update_source_state(self.r, source_id,
                                      next_poll=now + source.get("interval", 300))
            queues.enqueue_refresh(self.r, self.settings, source_id)
            queued.append(source_id)
        if queued:
            log.info("queued refresh for %s", ", ".join(queued))
        watchdog.rescue_orphans(self.r)
        watchdog.requeue_astray(self.r)
        enqueue_due_jobs(self.r)
        queues.requeue_lost_publish(self.r, self.settings)
        if due.take_due(self.r, now):  # an alert expired, an embargo lifted: publish now
            queues.publish_now(self.r, self.settings)
        if now - self.last_publish >= PUBLISH_EVERY:
            self.last_publish = now
            queues.request_publish(self.r, self.settings)
        return queued

    def follow_config(self) -> list[str]:
        """Once at start: a public URL or thumbnail sizes the live feed was not built with
        republish it (see channel.actions.follow_config)."""
        try:
            changed = actions.follow_config(self.r, self.settings)
        except redis.RedisError as exc:
            log.warning("scheduler: could not compare the configuration with the live feed "
                        "(%s); the periodic publish will catch up", exc)
            return []
        if changed:
            log.info("configuration changed since the live feed was built (%s): publishing "
                     "again", ", ".join(changed))
        return changed

    def run(self) -> None:
        def stop(*_):
            self.stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        log.info("scheduler %s started", self.token[:8])
        self.follow_config()
        try:
            while not self.stopping.is_set():
                try:
                    self.run_once()
                except redis.RedisError as exc:
                    log.warning("scheduler: Redis unavailable (%s); retrying", exc)
                self.stopping.wait(self.tick)
        finally:
            try:
                self.release()
            except redis.RedisError:
                pass
            log.info("scheduler %s stopped", self.token[:8])
