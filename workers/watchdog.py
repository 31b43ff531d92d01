"""Re-queue the jobs of workers that died without a word (SIGKILL, OOM kill, lost machine).

A running job whose worker's liveness key has expired is handed to RQ's own abandoned-job
handling: retried when it has retries left, otherwise moved to the failed registry.
"""

from __future__ import annotations

import logging

import redis
from rq.executions import Execution
from rq.job import Job
from rq.utils import now

from channel import keys
from workers import queues
from workers.worker import LIVENESS_TTL

log = logging.getLogger(__name__)


def rescue_orphans(r: redis.Redis) -> list[str]:
    """The ids of the jobs handed back. Safe to run from many processes (idempotent)."""
    rescued = []
    for name in queues.ALL:
        registry = queues.queue(r, name).started_job_registry
        expired = []
        for job_id, execution_id in registry.get_job_and_execution_ids():
            if not r.exists(f"rq:job:{job_id}"):
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
