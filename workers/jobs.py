"""RQ job functions: plain functions, idempotent, safe to retry."""

from __future__ import annotations

import logging
from typing import Any

import redis
from rq import get_current_job

from channel import process, publish, sources, store
from channel.config import Settings
from channel.fetch import FetchError
from workers import queues

log = logging.getLogger(__name__)


def _redis() -> redis.Redis:
    job = get_current_job()
    if job is None:
        raise RuntimeError("Newsdesk jobs run inside an RQ worker")
    return job.connection


def refresh_source(source_id: str) -> dict[str, Any]:
    """Read a source, upsert its entries and queue processing for the new or changed ones."""
    r = _redis()
    source = store.get_source(r, source_id)
    if source is None:
        raise LookupError(f"no source {source_id!r}")
    try:
        result = sources.refresh(r, source)
    except FetchError as exc:
        if exc.permanent:  # retrying a 404 or a refused address only repeats the error
            return {"source": source_id, "error": exc.reason, "permanent": True}
        raise
    for article_id in result.changed:
        queues.enqueue_process(r, article_id)
    return result.as_dict()


def refresh_all() -> dict[str, Any]:
    r = _redis()
    jobs = {s["id"]: queues.enqueue_refresh(r, s["id"]).id
            for s in store.list_sources(r) if s.get("enabled", True)}
    return {"queued": jobs}


def refresh_category(category_id: str) -> dict[str, Any]:
    r = _redis()
    jobs = {s["id"]: queues.enqueue_refresh(r, s["id"]).id for s in store.list_sources(r)
            if s.get("enabled", True) and s["category"] == category_id}
    return {"queued": jobs}


def process_article(article_id: str) -> dict[str, Any]:
    r = _redis()
    card = process.process_article(r, Settings.from_env(), article_id)
    queues.request_publish(r)
    return {"id": card["id"], "title": card["title"]}


def publish_feed() -> dict[str, Any]:
    r = _redis()
    publish.wait_for_quiet(r)
    try:
        return {"version": publish.publish(r, Settings.from_env())}
    except publish.PublishRefused as exc:
        return {"refused": str(exc)}
