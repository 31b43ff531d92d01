"""The operator API: queue refreshes and watch jobs."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request
from rq.exceptions import NoSuchJobError
from rq.job import Job

from channel import schemas, store
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
