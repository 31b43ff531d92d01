"""The operator API: queue refreshes and watch jobs."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, jsonify, request
from rq.exceptions import NoSuchJobError
from rq.job import Job

from channel import editorial, schemas, store
from channel.web import redis_client
from channel.web.auth import require_token
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


def job_view(job: Job) -> dict[str, Any]:
    status = job.get_status(refresh=False)
    view: dict[str, Any] = {
        "id": job.id,
        "status": str(status.value if hasattr(status, "value") else status),
        "description": job.description,
        "enqueuedAt": job.enqueued_at.isoformat() if job.enqueued_at else None,
        "startedAt": job.started_at.isoformat() if job.started_at else None,
        "endedAt": job.ended_at.isoformat() if job.ended_at else None,
    }
    if view["status"] == "finished":
        view["result"] = job.return_value()
    if view["status"] == "failed":
        latest = job.latest_result()
        view["error"] = (latest.exc_string or "").strip().splitlines()[-1] if latest else None
    return view


@bp.post("/refresh")
@require_token
def refresh():
    body = _json_body("refresh-request")
    r = redis_client()
    if "source" in body:
        if store.get_source(r, body["source"]) is None:
            abort(404, description=f"no source {body['source']!r}")
        job = queues.enqueue_refresh(r, body["source"])
    else:
        job = queues.enqueue_refresh_all(r)
    response = jsonify({"job": job_view(job)})
    response.status_code = 202
    response.headers["Location"] = f"/v1/ops/jobs/{job.id}"
    return response


@bp.get("/jobs/<job_id>")
@require_token
def job_status(job_id: str):
    try:
        job = Job.fetch(job_id, connection=redis_client())
    except NoSuchJobError:
        abort(404, description=f"no job {job_id!r}")
    job.refresh()
    return jsonify({"job": job_view(job)})


def _editorial(action, story_id: str, *args, publish: str = "request"):
    r = redis_client()
    try:
        action(r, story_id, *args, who=g.operator)
    except editorial.UnknownStory as exc:
        abort(404, description=str(exc))
    job = queues.publish_now(r) if publish == "now" else queues.request_publish(r)
    return jsonify({"story": story_id, "publish": job.id if job else "already queued"})


@bp.put("/stories/<story_id>/pin")
@require_token
def pin(story_id: str):
    order = _json_body("pin-request").get("order", 0)
    return _editorial(editorial.pin, story_id, order)


@bp.delete("/stories/<story_id>/pin")
@require_token
def unpin(story_id: str):
    return _editorial(editorial.unpin, story_id)


@bp.put("/stories/<story_id>/hidden")
@require_token
def hide(story_id: str):
    return _editorial(editorial.hide, story_id)


@bp.delete("/stories/<story_id>/hidden")
@require_token
def unhide(story_id: str):
    return _editorial(editorial.unhide, story_id)


@bp.post("/stories/<story_id>/pull")
@require_token
def pull(story_id: str):
    return _editorial(editorial.pull, story_id, publish="now")


@bp.delete("/stories/<story_id>/pull")
@require_token
def unpull(story_id: str):
    response = _editorial(editorial.unpull, story_id)
    queues.enqueue_process(redis_client(), story_id)  # its thumbnails were deleted on pull
    return response


@bp.get("/audit")
@require_token
def audit():
    raw = request.args.get("limit", "100")
    if not raw.isdigit():
        abort(400, description="limit must be a whole number")
    limit = min(int(raw), 1000)
    return jsonify({"entries": editorial.audit_log(redis_client(), limit)})
