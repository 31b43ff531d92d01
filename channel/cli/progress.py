"""Follow a refresh job and the processing it queued, for terminals and scripts."""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

DONE = {JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}


def _wait(job: Job, deadline: float) -> JobStatus | None:
    while time.monotonic() < deadline:
        status = job.get_status()
        if status in DONE:
            return status
        time.sleep(0.2)
    return None


def _follow_ups(r: redis.Redis, job: Job) -> list[Job]:
    """The jobs a finished refresh queued: per-source refreshes, then article processing."""
    result = job.return_value() or {}
    ids = [f"process-{a}" for a in result.get("changed", [])]
    ids += list(result.get("queued", {}).values())
    jobs = []
    for job_id in ids:
        try:
            jobs.append(Job.fetch(job_id, connection=r))
        except NoSuchJobError:
            continue
    return jobs


def wait_for_refresh(r: redis.Redis, job: Job, *, timeout: float,
                     echo: Callable[[str], None],
                     on_done: Callable[[Job, JobStatus, int, int], None] | None = None) -> bool:
    """True when the refresh and everything it queued finished without failure.

    ``on_done(job, status, done, total)`` is called as each job ends, so a caller can draw a
    progress bar (``total`` grows as finished jobs reveal the work they queued) instead of
    parsing the ``echo`` lines.
    """
    deadline = time.monotonic() + timeout
    pending, ok, done = [job], True, 0
    while pending:
        current = pending.pop(0)
        status = _wait(current, deadline)
        if status is None:
            echo(f"timed out waiting for {current.id}")
            return False
        done += 1
        ok &= status == JobStatus.FINISHED
        if status == JobStatus.FINISHED:
            pending.extend(_follow_ups(r, current))
        echo(f"[{done}/{done + len(pending)}] {current.id}: {status.value}")
        if on_done is not None:
            on_done(current, status, done, done + len(pending))
    return ok
