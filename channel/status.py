"""What operators see: source health, jobs, queues, workers, recent stories, the live feed."""

from __future__ import annotations

from typing import Any

import orjson
import redis
from rq import Worker
from rq.job import Job

from channel import keys, store
from channel.feed import editorial
from workers import queues


def source_health(r: redis.Redis, source_id: str) -> dict[str, Any]:
    state = store.source_state(r, source_id)
    return {
        "lastSuccess": state.get("last_success") or None,
        "lastError": state.get("last_error") or None,
        "lastErrorAt": state.get("last_error_at") or None,
        "consecutiveFailures": int(state.get("failures") or 0),
        "nextPoll": float(state["next_poll"]) if state.get("next_poll") else None,
        "lastResult": state.get("last_result") or None,
        "lastSkipped": state.get("last_skipped") or None,
        "failedStories": store.failed_stories(r, source_id),
        "lastStoryError": state.get("last_story_error") or None,
        "lastStoryErrorAt": state.get("last_story_error_at") or None,
    }


def job_view(job: Job, detail: bool = False) -> dict[str, Any]:
    """A job as operators see it: status, timings, result or error (`detail`: the traceback).

    Shown as text by the console, never as markup; job results hold ids and counts only.
    """
    status_ = job.get_status(refresh=False)
    view: dict[str, Any] = {
        "id": job.id,
        "status": str(getattr(status_, "value", status_)),
        "description": job.description,
        "queue": job.origin,
        "enqueuedAt": job.enqueued_at.isoformat() if job.enqueued_at else None,
        "startedAt": job.started_at.isoformat() if job.started_at else None,
        "endedAt": job.ended_at.isoformat() if job.ended_at else None,
    }
    if job.started_at and job.ended_at:
        view["seconds"] = round((job.ended_at - job.started_at).total_seconds(), 3)
    if view["status"] == "finished":
        view["result"] = job.return_value()
    if view["status"] == "failed":
        latest = job.latest_result()
        traceback = (latest.exc_string or "").strip() if latest else ""
        lines = traceback.splitlines()
        view["error"] = lines[-1] if lines else "failed"
        if detail:
            view["traceback"] = traceback[-20_000:]
    return view


def live_feed(r: redis.Redis) -> dict[str, Any]:
    current = r.get(keys.FEED_CURRENT)
    last_error = r.get(keys.FEED_LAST_ERROR)
    feed: dict[str, Any] = {"version": int(current) if current else None, "publishedAt": None}
    if current:
        published = r.hget(keys.feed_version(int(current)), "published_at")
        feed["publishedAt"] = published.decode() if published else None
    feed["lastError"] = orjson.loads(last_error) if last_error else None
    return feed


def recent_stories(r: redis.Redis, limit: int) -> list[dict[str, Any]]:
    ids = [i.decode() for i in r.zrevrange(keys.ARTICLES, 0, limit - 1)]
    if not ids:
        return []
    raws = r.mget([keys.article(i) for i in ids])
    state = editorial.controls(r)
    stories = []
    for raw in raws:
        if not raw:
            continue
        a = orjson.loads(raw)
        stories.append({
            "id": a["id"], "title": a["title"], "category": a["category"],
            "source": a["source_id"], "publishedAt": a["published_at"], "status": a["status"],
            "error": a.get("error"), "pinned": _order(state.pins.get(a["id"])),
            "hidden": a["id"] in state.hidden, "pulled": a["id"] in state.pulled,
            "focal": a.get("focal"),
        })
    return stories


SEARCHED = 2000  # most recent stories a search looks through


def search_stories(r: redis.Redis, query: str, limit: int) -> list[dict[str, Any]]:
    """Recent stories (on air or not) whose title, id, source or category hold every word."""
    words = query.lower().split()
    found = []
    for s in recent_stories(r, SEARCHED):
        text = " ".join((s["title"], s["id"], s["source"], s["category"])).lower()
        if all(w in text for w in words):
            found.append(s)
            if len(found) >= limit:
                break
    return found


def _order(score: float | None) -> int | None:
    return None if score is None else int(score)


def overview(r: redis.Redis) -> dict[str, Any]:
    return {
        "feed": live_feed(r),
        "sources": [{"id": s["id"], "enabled": s.get("enabled", True),
                     "health": source_health(r, s["id"])} for s in store.list_sources(r)],
        "queues": {name: {"queued": queues.queue(r, name).count,
                          "failed": queues.queue(r, name).failed_job_registry.count}
                   for name in queues.ALL},
        "workers": workers(r),
    }


def workers(r: redis.Redis) -> list[dict[str, Any]]:
    """RQ's workers: state, the job each is running, and their counts."""
    return [{"name": w.name, "state": str(getattr(w.get_state(), "value", w.get_state())),
             "queues": w.queue_names(), "currentJob": w.get_current_job_id(),
             "successfulJobs": w.successful_job_count, "failedJobs": w.failed_job_count,
             "lastHeartbeat": w.last_heartbeat.isoformat() if w.last_heartbeat else None}
            for w in Worker.all(connection=r)]
