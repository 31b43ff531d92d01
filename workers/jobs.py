"""RQ job functions: plain functions, idempotent, safe to retry.

Transient failures (network, Redis, timeouts) raise and RQ retries them with backoff; permanent
ones (a 404, a refused address, an invalid document, a missing record) fail at once, since a
retry would only repeat them. Either way the reason is recorded where operators look.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import redis
from rq import get_current_job

from channel import metrics, process, schemas, store
from channel.config import Settings
from channel.feed import publish
from channel.sources import refresh
from channel.sources.feedparse import FeedError
from channel.sources.fetch import FetchError
from workers import queues

log = logging.getLogger(__name__)


class PermanentError(Exception):
    """Retrying cannot help."""


def is_permanent(exc: BaseException) -> bool:
    if isinstance(exc, FetchError):
        return exc.permanent
    return isinstance(exc, PermanentError | process.ProcessingError | schemas.DocumentInvalid
                      | FeedError | LookupError | FileNotFoundError)


def _redis() -> redis.Redis:
    job = get_current_job()
    if job is None:
        raise RuntimeError("Newsdesk jobs run inside an RQ worker")
    return job.connection


# The running worker's settings, read once when it started (NewsdeskWorker sets this around every
# job). A job run by any other RQ worker reads the environment itself.
worker_settings: ContextVar[Settings | None] = ContextVar("worker_settings", default=None)


def _settings() -> Settings:
    return worker_settings.get() or Settings.from_env()


def newsdesk_job(func: Callable) -> Callable:
    """Record duration and failures per queue; cancel RQ's retries for permanent errors."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        job = get_current_job()
        started = time.monotonic()
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            if job is not None:
                metrics.job_failed(job.connection, job.origin)
                if is_permanent(exc):
                    job.retries_left = 0  # RQ reads this on failure: fail now, no retry
            raise
        finally:
            if job is not None:
                metrics.job_finished(job.connection, job.origin, time.monotonic() - started)

    return wrapper


@newsdesk_job
def refresh_source(source_id: str) -> dict[str, Any]:
    """Read a source, upsert its entries and queue processing for the new or changed ones."""
    r = _redis()
    source = store.get_source(r, source_id)
    if source is None:
        raise LookupError(f"no source {source_id!r}")
    settings = _settings()
    result = refresh.refresh(r, settings, source)
    for article_id in result.changed:
        queues.enqueue_process(r, settings, article_id)
    return result.as_dict()


@newsdesk_job
def refresh_all() -> dict[str, Any]:
    r, settings = _redis(), _settings()
    jobs = {s["id"]: queues.enqueue_refresh(r, settings, s["id"]).id
            for s in store.list_sources(r) if s.get("enabled", True)}
    return {"queued": jobs}


@newsdesk_job
def refresh_category(category_id: str) -> dict[str, Any]:
    r, settings = _redis(), _settings()
    jobs = {s["id"]: queues.enqueue_refresh(r, settings, s["id"]).id for s in store.list_sources(r)
            if s.get("enabled", True) and s["category"] == category_id}
    return {"queued": jobs}


def _record_failure(r: redis.Redis, article_id: str, exc: Exception) -> None:
    """A story that will not be processed shows in its source's health, whatever the error."""
    if isinstance(exc, process.RECORDED_FAILURES):
        return  # process_article recorded its own reason
    article = store.get_article(r, article_id)
    if article is None:
        return
    try:
        store.mark_failed(r, article, f"{type(exc).__name__}: {exc}")
    except Exception:  # a document too broken to save: the job's failure still says why
        log.exception("could not record the failure of story %s", article_id)


@newsdesk_job
def process_article(article_id: str) -> dict[str, Any]:
    r, settings = _redis(), _settings()
    try:
        card = process.process_article(r, settings, article_id)
    except Exception as exc:
        job = get_current_job()
        if is_permanent(exc) or not (job and job.retries_left):  # the last attempt
            _record_failure(r, article_id, exc)
        raise
    queues.request_publish(r, settings)
    return {"id": card["id"]}  # no title: a job's result carries ids and counts, not content


@newsdesk_job
def publish_feed(urgent: bool = False) -> dict[str, Any]:
    """Coalesced: while a burst of stories is becoming ready, the publish waits for it without
    holding a worker idle. With work queued it goes to the back of the process queue (it runs
    when that work has been taken, or the scheduler queues it again once the request is 5 s
    old); with nothing queued there is nothing better to do than wait. An urgent publish (an
    editor pulled a story) does not wait at all."""
    r = _redis()
    if not urgent and not publish.is_due(r):
        if waiting := queues.waiting(r):
            queues.defer_publish(r, _settings())
            return {"deferred": waiting}
        publish.wait_for_quiet(r)
    started = time.monotonic()
    try:
        version = publish.publish(r, _settings())
    except publish.PublishRefused as exc:
        if exc.empty:
            return {"skipped": str(exc)}
        metrics.publish_refused(r)
        raise PermanentError(f"publish refused; the last good feed stays live: {exc}") from exc
    metrics.published(r, time.monotonic() - started)
    return {"version": version}
