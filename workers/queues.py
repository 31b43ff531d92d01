"""Named queues and the one place that enqueues Newsdesk jobs (with de-duplication)."""

from __future__ import annotations

import redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from channel import keys
from channel.config import Settings

FETCH, PROCESS, PUBLISH = "fetch", "process", "publish"
ALL = (PUBLISH, PROCESS, FETCH)  # worker priority: publishing first keeps the feed fresh

PUBLISH_FLAG_TTL = 10  # seconds
FAILURE_TTL = 3 * 24 * 3600  # failed jobs are cleaned from the registry after three days

ACTIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


def queue(r: redis.Redis, name: str) -> Queue:
    return Queue(name, connection=r, default_timeout=Settings.from_env().job_timeout)


def _enqueue_once(r: redis.Redis, name: str, job_id: str, func: str, *args, **opts) -> Job:
    """Answer with the queued or running job of the same id instead of queuing a duplicate."""
    try:
        existing = Job.fetch(job_id, connection=r)
        if existing.get_status(refresh=False) in ACTIVE:
            return existing
    except NoSuchJobError:
        pass
    return queue(r, name).enqueue(func, *args, job_id=job_id, failure_ttl=FAILURE_TTL, **opts)


def enqueue_refresh(r: redis.Redis, source_id: str) -> Job:
    return _enqueue_once(
        r, FETCH, f"refresh-{source_id}", "workers.jobs.refresh_source", source_id,
        retry=Retry(max=2, interval=[10, 60]), description=f"refresh source {source_id}",
    )


def enqueue_refresh_all(r: redis.Redis) -> Job:
    return _enqueue_once(r, FETCH, "refresh-all", "workers.jobs.refresh_all",
                         retry=Retry(max=2, interval=[10, 60]),
                         description="refresh every enabled source")


def enqueue_refresh_category(r: redis.Redis, category_id: str) -> Job:
    return _enqueue_once(r, FETCH, f"refresh-category-{category_id}",
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


def enqueue_process(r: redis.Redis, article_id: str) -> Job:
    return _enqueue_once(
        r, PROCESS, f"process-{article_id}", "workers.jobs.process_article", article_id,
        retry=Retry(max=2, interval=[5, 30]), description=f"process article {article_id}",
    )


def publish_now(r: redis.Redis) -> Job:
    """Skip coalescing: an editor pulling a story must not wait behind a burst."""
    r.set(keys.PUBLISH_PENDING, "1", ex=PUBLISH_FLAG_TTL)
    return queue(r, PUBLISH).enqueue("workers.jobs.publish_feed", description="publish feed",
                                     at_front=True, failure_ttl=FAILURE_TTL)


def request_publish(r: redis.Redis) -> Job | None:
    """Coalesce: a burst of ready stories queues one publish; the flag clears when it starts.

    The flag expires quickly, so a publish job lost with a killed worker delays the next one by
    seconds, not minutes; a duplicate publish is harmless (unchanged content is not republished).
    """
    if not r.set(keys.PUBLISH_PENDING, "1", nx=True, ex=PUBLISH_FLAG_TTL):
        return None
    return queue(r, PUBLISH).enqueue("workers.jobs.publish_feed", description="publish feed",
                                     failure_ttl=FAILURE_TTL)
