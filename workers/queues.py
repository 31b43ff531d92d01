"""Named queues and the one place that enqueues Newsdesk jobs (with de-duplication)."""

from __future__ import annotations

import logging
import time

import redis
from rq import Queue, Retry
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus

from channel import clock, keys
from channel.config import Settings

FETCH, PROCESS, PUBLISH = "fetch", "process", "publish"
ALL = (PUBLISH, PROCESS, FETCH)  # worker priority: publishing first keeps the feed fresh

PUBLISH_OVERDUE = 5.0  # seconds a publish request may wait with no publish job queued or running
FAILURE_TTL = 3 * 24 * 3600  # failed jobs are cleaned from the registry after three days

ACTIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}

log = logging.getLogger(__name__)


def queue(r: redis.Redis, name: str, timeout: int | None = None) -> Queue:
    """A Newsdesk queue; jobs queued on it get `timeout` (settings.job_timeout) seconds to run."""
    return Queue(name, connection=r, default_timeout=timeout)


def _enqueue_once(r: redis.Redis, settings: Settings, name: str, job_id: str, func: str, *args,
                  **opts) -> Job:
    """Answer with the queued or running job of the same id instead of queuing a duplicate."""
    try:
        existing = Job.fetch(job_id, connection=r)
        if existing.get_status(refresh=False) in ACTIVE:
            return existing
    except NoSuchJobError:
        pass
    return _noted(r, queue(r, name, settings.job_timeout).enqueue(
        func, *args, job_id=job_id, failure_ttl=FAILURE_TTL, **opts))


def _noted(r: redis.Redis, job: Job) -> Job:
    """Enter a queued job in the ledger the watchdog checks (watchdog.requeue_astray)."""
    note_queued(r, [job.id])
    return job


def note_queued(r: redis.Redis, job_ids: list[str]) -> None:
    if job_ids:
        r.zadd(keys.JOBS_LEDGER, dict.fromkeys(job_ids, time.time()))


def requeue_failed(r: redis.Redis, job: Job) -> Job:
    """An operator's retry of a failed job (InvalidJobOperation when it has not failed)."""
    job.requeue()
    return _noted(r, job)


def requeue_all_failed(r: redis.Redis, name: str) -> list[str]:
    """Retry every failed job of a queue; jobs that vanished meanwhile are skipped."""
    registry = queue(r, name).failed_job_registry
    requeued = []
    for job_id in registry.get_job_ids():
        try:
            registry.requeue(job_id)
        except (NoSuchJobError, InvalidJobOperation):
            continue
        requeued.append(job_id)
    note_queued(r, requeued)
    return requeued


def counts(r: redis.Redis) -> dict[str, dict[str, int]]:
    """Jobs per queue and state, as operators read them on the console's Jobs page."""
    found = {}
    for name in ALL:
        q = queue(r, name)
        found[name] = {"queued": q.count, "started": q.started_job_registry.count,
                       "scheduled": q.scheduled_job_registry.count,
                       "failed": q.failed_job_registry.count,
                       "finished": q.finished_job_registry.count}
    return found


def enqueue_refresh(r: redis.Redis, settings: Settings, source_id: str) -> Job:
    return _enqueue_once(
        r, settings, FETCH, f"refresh-{source_id}", "workers.jobs.refresh_source", source_id,
        retry=Retry(max=2, interval=[10, 60]), description=f"refresh source {source_id}",
    )


def enqueue_refresh_all(r: redis.Redis, settings: Settings) -> Job:
    return _enqueue_once(r, settings, FETCH, "refresh-all", "workers.jobs.refresh_all",
                         retry=Retry(max=2, interval=[10, 60]),
                         description="refresh every enabled source")


def enqueue_refresh_category(r: redis.Redis, settings: Settings, category_id: str) -> Job:
    return _enqueue_once(r, settings, FETCH, f"refresh-category-{category_id}",
                         "workers.jobs.refresh_category", category_id,
                         retry=Retry(max=2, interval=[10, 60]),
                         description=f"refresh the sources of category {category_id}")


REGISTRIES = ("failed", "started", "finished", "queued", "scheduled")


def jobs_in(r: redis.Redis, state: str, limit: int) -> list[Job]:
    """Jobs in one state across every queue, newest first."""
    ids: list[str] = []
    for name in ALL:
        q = queue(r, name)
        registry = {
            "failed": q.failed_job_registry, "started": q.started_job_registry,
            "finished": q.finished_job_registry, "scheduled": q.scheduled_job_registry,
        }.get(state)
        ids += q.get_job_ids() if registry is None else registry.get_job_ids()
    jobs = [j for j in Job.fetch_many(ids, connection=r) if j is not None]
    jobs.sort(key=lambda j: j.enqueued_at or j.created_at, reverse=True)
    return jobs[:limit]


def enqueue_process(r: redis.Redis, settings: Settings, article_id: str) -> Job:
    return _enqueue_once(
        r, settings, PROCESS, f"process-{article_id}", "workers.jobs.process_article", article_id,
        retry=Retry(max=2, interval=[5, 30]), description=f"process article {article_id}",
    )


def publish_now(r: redis.Redis, settings: Settings) -> Job:
    """Skip coalescing: an editor pulling a story must not wait behind a burst."""
    r.set(keys.PUBLISH_PENDING, clock.now(r), nx=True)
    return _enqueue_publish(r, settings, at_front=True)


def request_publish(r: redis.Redis, settings: Settings) -> Job | None:
    """Coalesce: a burst of ready stories queues one publish.

    The pending mark holds the time of the first request no publish has served yet; a publish
    clears it as it starts building, so stories readied from then on ask again.
    """
    if not r.set(keys.PUBLISH_PENDING, clock.now(r), nx=True):
        return None
    return _enqueue_publish(r, settings)


def requeue_lost_publish(r: redis.Redis, settings: Settings,
                         overdue: float = PUBLISH_OVERDUE) -> Job | None:
    """Queue a publish for a request that has waited `overdue` seconds with no publish job
    queued or running: its job was lost (a killed worker, Redis restarting mid-job).

    The scheduler calls this every tick, so a lost publish delays the feed by seconds; unchanged
    content is not republished, so a needless one costs a feed build.
    """
    since = r.get(keys.PUBLISH_PENDING)
    if since is None or clock.now(r) - float(since) < overdue:
        return None
    q = queue(r, PUBLISH)
    if q.count or q.started_job_registry.get_job_count(cleanup=False):
        return None
    log.warning("publish requested %.0f s ago and no publish job is queued or running; "
                "queuing one", clock.now(r) - float(since))
    return _enqueue_publish(r, settings)


def waiting(r: redis.Redis) -> int:
    """Jobs queued on the process and fetch queues (not started)."""
    return queue(r, PROCESS).count + queue(r, FETCH).count


def defer_publish(r: redis.Redis, settings: Settings) -> Job:
    """A publish at the back of the process queue: after the stories queued before it."""
    return _noted(r, queue(r, PROCESS, settings.job_timeout).enqueue(
        "workers.jobs.publish_feed", description="publish feed (after the queued stories)",
        failure_ttl=FAILURE_TTL))


def _enqueue_publish(r: redis.Redis, settings: Settings, *, at_front: bool = False) -> Job:
    return _noted(r, queue(r, PUBLISH, settings.job_timeout).enqueue(
        "workers.jobs.publish_feed", urgent=at_front, description="publish feed",
        at_front=at_front, failure_ttl=FAILURE_TTL))
