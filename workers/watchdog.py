"""Re-queue the jobs of workers that died without a word (SIGKILL, OOM kill, lost machine).

A running job whose worker's liveness key has expired is handed to RQ's own abandoned-job
handling: retried when it has retries left, otherwise moved to the failed registry.

A job can also go astray before it runs: a worker on several queues pops it with BLPOP and
only then records it as running, so a worker killed, or Redis restarting, in between leaves a
job that is in no queue and no registry, and whose fixed id makes every later request for the
same work a no-op. The ledger of queued jobs (workers/queues.py) lets the watchdog find those.
"""

from __future__ import annotations

import logging

import redis
from rq.executions import Execution
from rq.job import Job, JobStatus
from rq.utils import now

from channel import clock, keys
from workers import queues

log = logging.getLogger(__name__)

# A worker refreshes its liveness key (keys.worker_alive) on every heartbeat (workers/worker.py);
# three missed beats and it is taken for dead.
HEARTBEAT = 5  # seconds between a busy worker's heartbeats
LIVENESS_TTL = 3 * HEARTBEAT


def rescue_orphans(r: redis.Redis) -> list[str]:
    """The ids of the jobs handed back. Safe to run from many processes (idempotent)."""
    rescued = []
    for name in queues.ALL:
        registry = queues.queue(r, name).started_job_registry
        expired = []
        for job_id, execution_id in registry.get_job_and_execution_ids():
            if not Job.exists(job_id, connection=r):
                continue  # RQ's own cleanup deals with dangling entries
            job = Job.fetch(job_id, connection=r)
            try:
                # The worker records the execution as it dequeues; the job itself is marked
                # started a moment later, by the work horse. A worker that died in between
                # (or lost Redis) leaves a job only the execution names a worker for.
                execution = Execution.fetch(execution_id, job_id, connection=r)
                worker, since = execution.worker_name, execution.created_at
            except ValueError:  # the execution expired: RQ's own cleanup takes over
                continue
            if not worker or (now() - since).total_seconds() < LIVENESS_TTL:
                continue  # a worker that was idle refreshes its key within this grace
            if any(r.exists(keys.worker_alive(name)) for name in {worker, job.worker_name} if name):
                continue
            expired.append(f"{job_id}:{execution_id}")
            rescued.append(job_id)
        if expired:
            # Mark the executions as long expired, then let RQ clean them up its usual way.
            r.zadd(registry.key, dict.fromkeys(expired, 0), xx=True)
            registry.cleanup(timestamp=1)
            log.warning("watchdog: %s jobs of dead workers handed back: %s", name,
                        ", ".join(rescued))
    return rescued


ASTRAY_GRACE = 10.0  # seconds a job may be in no queue and no registry (a dequeue takes ms)
ENDED = {JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}


def requeue_astray(r: redis.Redis) -> list[str]:
    """Queue again the ledger's jobs seen queued or started, yet in no queue and no running
    registry, on two looks ASTRAY_GRACE apart. Ended jobs leave the ledger."""
    ids = [i.decode() for i in r.zrange(keys.JOBS_LEDGER, 0, -1)]
    if not ids:
        return []
    present: set[str] = set()
    for name in queues.ALL:  # read before the statuses: a job that moves on is then not astray
        q = queues.queue(r, name)
        present.update(q.get_job_ids())
        present.update(q.started_job_registry.get_job_ids(cleanup=False))
    with r.pipeline(transaction=False) as p:
        for job_id in ids:
            p.hget(Job.key_for(job_id), "status")
        statuses = [JobStatus(s.decode()) if s else None for s in p.execute()]
    ended = [i for i, s in zip(ids, statuses, strict=True) if s is None or s in ENDED]
    astray = [i for i, s in zip(ids, statuses, strict=True)
              if s in (JobStatus.QUEUED, JobStatus.STARTED) and i not in present]
    with r.pipeline(transaction=False) as p:
        if ended:
            p.zrem(keys.JOBS_LEDGER, *ended)
        settled = set(ids) - set(astray)
        if settled:
            p.zrem(keys.JOBS_ASTRAY, *settled)
        if astray:
            p.zadd(keys.JOBS_ASTRAY, dict.fromkeys(astray, clock.now(r)), nx=True)
            p.zmscore(keys.JOBS_ASTRAY, astray)
        replies = p.execute()
    seen = replies[-1] if astray else []
    requeued = []
    checked_at = clock.now(r)  # schedulers on two hosts take turns: one clock for both
    for job_id, since in zip(astray, seen, strict=True):
        if checked_at - since < ASTRAY_GRACE:
            continue
        job = Job.fetch(job_id, connection=r)
        queues.queue(r, job.origin).enqueue_job(job)
        r.zrem(keys.JOBS_ASTRAY, job_id)
        requeued.append(job_id)
    if requeued:
        log.warning("watchdog: jobs dequeued but never run, queued again: %s", ", ".join(requeued))
    return requeued
