"""The operator API under /v1/ops: sources, categories, refreshes, jobs, editorial, status."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, jsonify, request
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job

from channel import audit, schemas, status, store
from channel.feed import editorial
from channel.sources import push
from channel.web import openapi, redis_client, settings
from channel.web.auth import require
from workers import queues

bp = Blueprint("ops", __name__, url_prefix="/v1/ops")


def _json_body(schema: str) -> dict[str, Any]:
    if request.content_length and not request.is_json:
        abort(415, description="send JSON (Content-Type: application/json)")
    body = request.get_json(silent=True) if request.content_length else {}
    if body is None:
        abort(400, description="the body is not valid JSON")
    try:
        schemas.validate(schema, body)
    except schemas.DocumentInvalid as exc:
        abort(422, description="; ".join(exc.errors))
    return body


def _limit(default: int = 100, most: int = 1000) -> int:
    raw = request.args.get("limit", str(default))
    if not raw.isdigit():
        abort(400, description="limit must be a whole number")
    return min(int(raw), most)


def _job(job_id: str) -> Job:
    try:
        job = Job.fetch(job_id, connection=redis_client())
    except (NoSuchJobError, ValueError):  # RQ refuses ids outside [A-Za-z0-9_-] with ValueError
        abort(404, description=f"no job {job_id!r}")
    return job


def _accepted(job: Job, status_code: int = 202):
    response = jsonify({"job": status.job_view(job)})
    response.status_code = status_code
    response.headers["Location"] = f"/v1/ops/jobs/{job.id}"
    return response


# --- sources and categories ------------------------------------------------------------------


def _confine(source: dict[str, Any]) -> dict[str, Any]:
    """A local path from the API must stay inside the allowed roots, never e.g. /etc."""
    if "path" not in source:
        return source
    roots = settings().allowed_roots()
    path = (roots[0] / source["path"]).resolve()
    if not any(path.is_relative_to(root) for root in roots):
        abort(422, description="path: must be inside " + ", ".join(map(str, roots))
              + " (NEWSDESK_LOCAL_ROOTS)")
    return {**source, "path": str(path)}


def _source_or_404(source_id: str) -> dict[str, Any]:
    source = store.get_source(redis_client(), source_id)
    if source is None:
        abort(404, description=f"no source {source_id!r}")
    return source


@bp.get("/sources")
@require("viewer")
def list_sources():
    r = redis_client()
    return jsonify({"sources": [{**s, "health": status.source_health(r, s["id"])}
                                for s in store.list_sources(r)]})


@bp.post("/sources")
@require("admin")
def create_source():
    body = _json_body("source")
    r = redis_client()
    if store.get_source(r, body["id"]) is not None:
        abort(409, description=f"source {body['id']!r} exists; PATCH it instead")
    source = store.save_source(r, _confine(body))
    audit.record(r, g.operator, "create source", source["id"])
    return jsonify({"source": source}), 201


@bp.get("/sources/<source_id>")
@require("viewer")
def get_source(source_id: str):
    source = _source_or_404(source_id)
    return jsonify({"source": {**source, "health": status.source_health(redis_client(),
                                                                          source_id)}})


@bp.patch("/sources/<source_id>")
@require("editor")
def update_source(source_id: str):
    source = _source_or_404(source_id)
    changes = _json_body("source-patch")
    try:
        saved = store.update_source(redis_client(), source, _confine(changes))
    except schemas.DocumentInvalid as exc:
        abort(422, description="; ".join(exc.errors))
    audit.record(redis_client(), g.operator, "update source", source_id, changes=changes)
    return jsonify({"source": saved})


@bp.delete("/sources/<source_id>")
@require("admin")
def delete_source(source_id: str):
    _source_or_404(source_id)
    store.delete_source(redis_client(), source_id)
    audit.record(redis_client(), g.operator, "delete source", source_id)
    return "", 204


@bp.get("/categories")
@require("viewer")
def list_categories():
    return jsonify({"categories": store.load_categories(redis_client())})


@bp.put("/categories")
@require("admin")
def replace_categories():
    """Replace the categories; their order is the order of rows on the TV."""
    body = _json_body("categories")
    ids = [c["id"] for c in body["categories"]]
    if len(set(ids)) != len(ids):
        abort(422, description="categories: ids must be unique")
    r = redis_client()
    store.save_categories(r, body["categories"])
    audit.record(r, g.operator, "set categories", ",".join(ids))
    queues.request_publish(r, settings())
    return jsonify({"categories": body["categories"]})


# --- refreshes and jobs -----------------------------------------------------------------------


@bp.post("/refresh")
@require("editor")
def refresh():
    body = _json_body("refresh-request")
    r = redis_client()
    if "source" in body:
        _source_or_404(body["source"])
        job = queues.enqueue_refresh(r, settings(), body["source"])
    elif "category" in body:
        if body["category"] not in {c["id"] for c in store.load_categories(r)}:
            abort(404, description=f"no category {body['category']!r}")
        job = queues.enqueue_refresh_category(r, settings(), body["category"])
    elif "story" in body:
        if store.get_article(r, body["story"]) is None:
            abort(404, description=f"no story {body['story']!r}")
        job = queues.enqueue_process(r, settings(), body["story"])
    else:
        job = queues.enqueue_refresh_all(r, settings())
    return _accepted(job)


@bp.get("/jobs/<job_id>")
@require("viewer")
def job_status(job_id: str):
    job = _job(job_id)
    return jsonify({"job": status.job_view(job)})


@bp.get("/jobs")
@require("viewer")
def list_jobs():
    """Jobs by state (failed by default) across every queue, newest first."""
    state = request.args.get("status", "failed")
    if state not in queues.REGISTRIES:
        abort(400, description=f"status must be one of {', '.join(queues.REGISTRIES)}")
    jobs = queues.jobs_in(redis_client(), state, _limit(50, 500))
    return jsonify({"jobs": [status.job_view(j) for j in jobs]})


@bp.post("/jobs/<job_id>/retry")
@require("editor")
def retry_job(job_id: str):
    job = _job(job_id)
    try:
        queues.requeue_failed(redis_client(), job)
    except InvalidJobOperation:
        state = job.get_status().value
        abort(409, description=f"job {job_id!r} is {state}; only failed jobs retry")
    audit.record(redis_client(), g.operator, "retry job", job_id)
    return _accepted(job)


@bp.delete("/jobs/<job_id>")
@require("editor")
def delete_job(job_id: str):
    job = _job(job_id)
    if job.get_status() == "started":
        abort(409, description=f"job {job_id!r} is running")
    job.delete()
    audit.record(redis_client(), g.operator, "delete job", job_id)
    return "", 204


# --- editorial ------------------------------------------------------------------------------


def _editorial(action, story_id: str, *args, publish: str = "request"):
    r = redis_client()
    try:
        action(r, story_id, *args, who=g.operator)
    except editorial.UnknownStory as exc:
        abort(404, description=str(exc))
    job = (queues.publish_now(r, settings()) if publish == "now"
           else queues.request_publish(r, settings()))
    return jsonify({"story": story_id, "publish": job.id if job else "already queued"})


@bp.get("/stories")
@require("viewer")
def list_stories():
    """Recent stories with their processing status and editorial flags."""
    return jsonify({"stories": status.recent_stories(redis_client(), _limit(50, 500))})


@bp.patch("/stories/<story_id>")
@require("editor")
def update_story(story_id: str):
    """Set an editor's focal point or category; the story is processed again."""
    changes = _json_body("story-update")
    r = redis_client()
    if "category" in changes and changes["category"] not in {
            c["id"] for c in store.load_categories(r)}:
        abort(422, description=f"category: no category {changes['category']!r}")
    try:
        editorial.update_story(r, story_id, who=g.operator, **changes)
    except editorial.UnknownStory as exc:
        abort(404, description=str(exc))
    return _accepted(queues.enqueue_process(r, settings(), story_id))


@bp.put("/stories/<story_id>/pin")
@require("editor")
def pin(story_id: str):
    order = _json_body("pin-request").get("order", 0)
    return _editorial(editorial.pin, story_id, order)


@bp.delete("/stories/<story_id>/pin")
@require("editor")
def unpin(story_id: str):
    return _editorial(editorial.unpin, story_id)


@bp.put("/stories/<story_id>/hidden")
@require("editor")
def hide(story_id: str):
    return _editorial(editorial.hide, story_id)


@bp.delete("/stories/<story_id>/hidden")
@require("editor")
def unhide(story_id: str):
    return _editorial(editorial.unhide, story_id)


@bp.post("/stories/<story_id>/pull")
@require("editor")
def pull(story_id: str):
    return _editorial(editorial.pull, story_id, publish="now")


@bp.delete("/stories/<story_id>/pull")
@require("editor")
def unpull(story_id: str):
    response = _editorial(editorial.unpull, story_id)
    r = redis_client()
    if store.get_article(r, story_id) is not None:  # unknown ids make no job (nor an RQ error)
        queues.enqueue_process(r, settings(), story_id)  # its thumbnails were deleted on pull
    return response


@bp.get("/audit", endpoint="audit")
@require("viewer")
def audit_log():
    return jsonify({"entries": audit.entries(redis_client(), _limit())})


@bp.get("/status")
@require("viewer")
def channel_status():
    return jsonify(status.overview(redis_client()))


@bp.post("/articles")
@require("editor")
def push_article():
    """A CMS pushes a story; the same guid again updates it. Processing is queued at once."""
    body = _json_body("article-push")
    r = redis_client()
    if body["category"] not in {c["id"] for c in store.load_categories(r)}:
        abort(422, description=f"category: no category {body['category']!r}")
    entry = push.entry(body)
    changed = store.upsert_entry(r, entry)
    audit.record(r, g.operator, "push article", entry["id"], changed=changed)
    job = queues.enqueue_process(r, settings(), entry["id"]) if changed else None
    response = jsonify({"story": entry["id"], "changed": changed,
                        "job": status.job_view(job) if job else None})
    response.status_code = 202 if job else 200
    return response


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())
