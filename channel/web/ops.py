"""The operator API under /v1/ops: HTTP over channel.actions, plus the read-only views.

Each write parses its JSON body, checks it against its schema (the OpenAPI contract), calls the
action as the token's operator and answers; an action's refusal becomes a JSON 404, 409 or 422.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, g, jsonify, request
from rq.job import Job

from channel import actions, audit, process, status, store
from channel.sources.feedparse import FeedError
from channel.sources.fetch import FetchError
from channel.web import inputs, openapi, redis_client, settings
from channel.web.auth import require
from channel.web.errors import error
from workers import queues

bp = Blueprint("ops", __name__, url_prefix="/v1/ops")

REFUSALS = {actions.NotFound: 404, actions.Conflict: 409, actions.Invalid: 422}


@bp.errorhandler(actions.ActionError)
def _refused(exc: actions.ActionError) -> Response:
    return error(REFUSALS.get(type(exc), 400), str(exc))


def _limit(default: int = 100, most: int = 1000) -> int:
    return inputs.whole_number("limit", default, most=most)


def _accepted(job: Job, status_code: int = 202) -> Response:
    response = jsonify({"job": status.job_view(job)})
    response.status_code = status_code
    response.headers["Location"] = f"/v1/ops/jobs/{job.id}"
    return response


def _published(story_id: str, job: Job | None) -> Response:
    return jsonify({"story": story_id, "publish": job.id if job else "already queued"})


# --- sources and categories ------------------------------------------------------------------


@bp.get("/sources")
@require("viewer")
def list_sources():
    r = redis_client()
    return jsonify({"sources": [{**s, "health": status.source_health(r, s["id"])}
                                for s in store.list_sources(r)]})


@bp.post("/sources")
@require("admin")
def create_source():
    source = actions.create_source(redis_client(), inputs.json_body("source"), who=g.operator,
                                   roots=settings().allowed_roots())
    return jsonify({"source": source}), 201


@bp.post("/sources/try")
@require("admin")
def try_source():
    """What the source would give (its first entries as stories), without saving anything."""
    source = actions.source_to_try(inputs.json_body("source"), roots=settings().allowed_roots())
    try:
        return jsonify(process.try_source(source, settings(),
                                          store.load_categories(redis_client())))
    except (FetchError, FeedError, OSError) as exc:  # the field that could not be read
        return error(422, f"{'url' if 'url' in source else 'path'}: cannot be read: "
                          f"{str(exc)[:300]}")


@bp.get("/sources/<source_id>")
@require("viewer")
def get_source(source_id: str):
    r = redis_client()
    return jsonify({"source": {**actions.source(r, source_id),
                               "health": status.source_health(r, source_id)}})


@bp.patch("/sources/<source_id>")
@require("editor")
def update_source(source_id: str):
    saved = actions.update_source(redis_client(), source_id, inputs.json_body("source-patch"),
                                  who=g.operator, roots=settings().allowed_roots())
    return jsonify({"source": saved})


@bp.delete("/sources/<source_id>")
@require("admin")
def delete_source(source_id: str):
    actions.delete_source(redis_client(), source_id, who=g.operator)
    return "", 204


@bp.get("/categories")
@require("viewer")
def list_categories():
    return jsonify({"categories": store.load_categories(redis_client())})


@bp.put("/categories")
@require("admin")
def replace_categories():
    """Replace the categories; their order is the order of rows on the TV."""
    categories = actions.replace_categories(redis_client(), settings(),
                                            inputs.json_body("categories")["categories"],
                                            who=g.operator)
    return jsonify({"categories": categories})


# --- refreshes and jobs -----------------------------------------------------------------------


@bp.post("/refresh")
@require("editor")
def refresh():
    request_ = inputs.json_body("refresh-request")
    return _accepted(actions.refresh(redis_client(), settings(), request_))


@bp.get("/jobs/<job_id>")
@require("viewer")
def job_status(job_id: str):
    """One job; a failed one with its whole traceback (the list shows only its last line)."""
    return jsonify({"job": status.job_view(actions.job(redis_client(), job_id), detail=True)})


@bp.get("/queues")
@require("viewer")
def list_queues():
    """Jobs per queue and state, and the workers with what each is doing."""
    r = redis_client()
    return jsonify({"queues": queues.counts(r), "workers": status.workers(r)})


@bp.post("/queues/<queue_name>/retry")
@require("editor")
def retry_failed_jobs(queue_name: str):
    requeued = actions.retry_failed_jobs(redis_client(), queue_name, who=g.operator)
    return jsonify({"queue": queue_name, "requeued": requeued})


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
    return _accepted(actions.retry_job(redis_client(), job_id, who=g.operator))


@bp.delete("/jobs/<job_id>")
@require("editor")
def delete_job(job_id: str):
    actions.delete_job(redis_client(), job_id, who=g.operator)
    return "", 204


# --- stories and editorial -------------------------------------------------------------------


@bp.get("/stories")
@require("viewer")
def list_stories():
    """Recent stories with their processing status and editorial flags; ?q= searches them."""
    query = request.args.get("q") or ""
    if len(query) > 200:
        abort(400, description="q is over 200 characters")
    if query.strip():
        return jsonify({"stories": status.search_stories(redis_client(), query, _limit(50, 500))})
    return jsonify({"stories": status.recent_stories(redis_client(), _limit(50, 500))})


@bp.patch("/stories/<story_id>")
@require("editor")
def update_story(story_id: str):
    """Set an editor's focal point or category; the story is processed again."""
    return _accepted(actions.update_story(redis_client(), settings(), story_id,
                                          inputs.json_body("story-update"), who=g.operator))


@bp.put("/stories/<story_id>/pin")
@require("editor")
def pin(story_id: str):
    order = inputs.json_body("pin-request").get("order", 0)
    return _published(story_id, actions.pin(redis_client(), settings(), story_id, order,
                                            who=g.operator))


def _editorial(action: Any, story_id: str) -> Response:
    return _published(story_id, action(redis_client(), settings(), story_id, who=g.operator))


@bp.delete("/stories/<story_id>/pin")
@require("editor")
def unpin(story_id: str):
    return _editorial(actions.unpin, story_id)


@bp.put("/stories/<story_id>/hidden")
@require("editor")
def hide(story_id: str):
    return _editorial(actions.hide, story_id)


@bp.delete("/stories/<story_id>/hidden")
@require("editor")
def unhide(story_id: str):
    return _editorial(actions.unhide, story_id)


@bp.post("/stories/<story_id>/pull")
@require("editor")
def pull(story_id: str):
    return _editorial(actions.pull, story_id)


@bp.delete("/stories/<story_id>/pull")
@require("editor")
def unpull(story_id: str):
    return _editorial(actions.unpull, story_id)


@bp.get("/stories/<story_id>/versions")
@require("viewer")
def story_versions(story_id: str):
    """The same story from other sources, and which version the feed shows."""
    return jsonify(actions.story_versions(redis_client(), story_id))


@bp.post("/stories/<story_id>/split")
@require("editor")
def split_duplicate(story_id: str):
    """A wrong match: the story gets its own card again (a publish is queued)."""
    others, job = actions.split_duplicate(redis_client(), settings(), story_id, who=g.operator)
    return jsonify({"story": story_id, "splitFrom": others,
                    "publish": job.id if job else "already queued"})


@bp.post("/articles")
@require("editor")
def push_article():
    """A CMS pushes a story; the same guid again updates it. Processing is queued at once."""
    story_id, changed, job = actions.push_article(redis_client(), settings(),
                                                  inputs.json_body("article-push"), who=g.operator)
    response = jsonify({"story": story_id, "changed": changed,
                        "job": status.job_view(job) if job else None})
    response.status_code = 202 if job else 200
    return response


# --- the breaking news alert ------------------------------------------------------------------


@bp.get("/breaking")
@require("viewer")
def breaking_alert():
    return jsonify({"alert": actions.breaking_alert(redis_client())})


@bp.put("/breaking")
@require("editor")
def raise_alert():
    """Raise (or replace) the alert; it is in the live feed when this answers."""
    alert, version = actions.raise_alert(redis_client(), settings(),
                                         inputs.json_body("breaking-alert"), who=g.operator)
    return jsonify({"alert": alert, "version": version})


@bp.delete("/breaking")
@require("editor")
def clear_alert():
    alert, version = actions.clear_alert(redis_client(), settings(), who=g.operator)
    return jsonify({"cleared": alert, "version": version})


# --- what operators read ---------------------------------------------------------------------


@bp.get("/audit", endpoint="audit")
@require("viewer")
def audit_log():
    return jsonify({"entries": audit.entries(redis_client(), _limit())})


@bp.get("/status")
@require("viewer")
def channel_status():
    return jsonify(status.overview(redis_client()))


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())
