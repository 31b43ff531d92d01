"""Every operator action, once: the operator API, the CLI and the console are thin adapters.

An action checks its input, makes the change, writes the audit entry and asks for the publish
the change needs, so an editor's pin over HTTP and one at a terminal are the same pin. Refusals
are typed (NotFound, Conflict, Invalid) with a message for the operator; each adapter turns
them into its own answer (a 404/409/422, a non-zero exit). `who` is the name the audit log
records: an operator's name, or ``cli:$USER``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import redis
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus

from channel import audit, config, schemas, store
from channel.config import Settings
from channel.feed import build_inputs, editorial, publish
from channel.sources import push
from workers import queues


class ActionError(Exception):
    """An action refused; nothing was changed."""


class NotFound(ActionError):
    """No such source, category, story or job."""


class Conflict(ActionError):
    """The thing exists but is in the wrong state for this action."""


class Invalid(ActionError):
    """The input breaks its schema or a rule; the message names the field."""


def _validated(schema: str, document: Any) -> None:
    try:
        schemas.validate(schema, document)
    except schemas.DocumentInvalid as exc:
        raise Invalid("; ".join(exc.errors)) from exc


# --- the channel config and sources ----------------------------------------------------------


def load_config(r: redis.Redis, path: Path, *, who: str) -> dict[str, Any]:
    """Store a channel config file's identity, categories and sources (others are kept)."""
    try:
        doc = config.read_channel_config(path)
    except schemas.DocumentInvalid as exc:
        raise Invalid("; ".join(exc.errors)) from exc
    except ValueError as exc:  # not YAML/JSON at all
        raise Invalid(str(exc)) from exc
    store.save_channel_config(r, doc)
    audit.record(r, who, "load config", str(path), sources=[s["id"] for s in doc["sources"]])
    return doc


def source(r: redis.Redis, source_id: str) -> dict[str, Any]:
    found = store.get_source(r, source_id)
    if found is None:
        raise NotFound(f"no source {source_id!r}")
    return found


def _confined(doc: dict[str, Any], roots: tuple[Path, ...] | None) -> dict[str, Any]:
    """A local path is stored as its real path (symlinks resolved) and stays inside `roots`
    (None: the caller may read anywhere, as a local CLI)."""
    if "path" not in doc:
        return doc
    try:
        base = roots[0] if roots else Path.cwd()
        path = (base / Path(doc["path"]).expanduser()).resolve()
    except (OSError, ValueError, RuntimeError) as exc:  # NUL, too long, a symlink loop
        raise Invalid(f"path: cannot be resolved ({exc})") from exc
    if len(str(path)) > 1000:
        raise Invalid("path: over 1000 characters once resolved")
    if roots is not None and not any(path.is_relative_to(root) for root in roots):
        raise Invalid("path: must be inside " + ", ".join(map(str, roots))
                      + " (NEWSDESK_LOCAL_ROOTS)")
    return {**doc, "path": str(path)}


def create_source(r: redis.Redis, doc: dict[str, Any], *, who: str,
                  roots: tuple[Path, ...] | None = None) -> dict[str, Any]:
    _validated("source", doc)
    if store.get_source(r, doc["id"]) is not None:
        raise Conflict(f"source {doc['id']!r} exists; change it instead")
    saved = store.save_source(r, _confined(doc, roots))
    audit.record(r, who, "create source", saved["id"])
    return saved


def update_source(r: redis.Redis, source_id: str, changes: dict[str, Any], *, who: str,
                  roots: tuple[Path, ...] | None = None) -> dict[str, Any]:
    """A partial update; a new url replaces the path and vice versa."""
    current = source(r, source_id)
    _validated("source-patch", changes)
    try:
        saved = store.update_source(r, current, _confined(changes, roots))
    except schemas.DocumentInvalid as exc:
        raise Invalid("; ".join(exc.errors)) from exc
    audit.record(r, who, "update source", source_id, changes=changes)
    return saved


def import_source(r: redis.Redis, doc: dict[str, Any], *, who: str) -> bool:
    """Add or replace a source from a bulk import; True when one was replaced."""
    _validated("source", doc)
    replaced = store.get_source(r, doc["id"]) is not None
    store.save_source(r, doc)
    audit.record(r, who, "import source", doc["id"], replaced=replaced)
    return replaced


def delete_source(r: redis.Redis, source_id: str, *, who: str) -> None:
    """Forget a source and its polling state; its stories stay until they age out."""
    source(r, source_id)
    store.delete_source(r, source_id)
    audit.record(r, who, "delete source", source_id)


def replace_categories(r: redis.Redis, settings: Settings, categories: list[dict[str, Any]], *,
                       who: str) -> list[dict[str, Any]]:
    """The categories in the order of the TV's rows; the feed is published again."""
    _validated("categories", {"categories": categories})
    ids = [c["id"] for c in categories]
    if len(set(ids)) != len(ids):
        raise Invalid("categories: ids must be unique")
    store.save_categories(r, categories)
    audit.record(r, who, "set categories", ",".join(ids))
    queues.request_publish(r, settings)
    return categories


def _has_category(r: redis.Redis, category_id: str) -> bool:
    return category_id in {c["id"] for c in store.load_categories(r)}


# --- refreshes and jobs ----------------------------------------------------------------------


def refresh(r: redis.Redis, settings: Settings, request: dict[str, Any]) -> Job:
    """{"source": id}, {"category": id}, {"story": id} (processed again) or {} (everything).

    De-duplicated: while the same refresh is queued or running, that job is the answer.
    """
    _validated("refresh-request", request)
    if "source" in request:
        source(r, request["source"])
        return queues.enqueue_refresh(r, settings, request["source"])
    if "category" in request:
        if not _has_category(r, request["category"]):
            raise NotFound(f"no category {request['category']!r}")
        return queues.enqueue_refresh_category(r, settings, request["category"])
    if "story" in request:
        story(r, request["story"])
        return queues.enqueue_process(r, settings, request["story"])
    return queues.enqueue_refresh_all(r, settings)


def job(r: redis.Redis, job_id: str) -> Job:
    try:
        return Job.fetch(job_id, connection=r)
    except (NoSuchJobError, ValueError) as exc:  # RQ refuses ids outside [A-Za-z0-9_-]
        raise NotFound(f"no job {job_id!r}") from exc


def retry_job(r: redis.Redis, job_id: str, *, who: str) -> Job:
    """Queue a failed job again."""
    found = job(r, job_id)
    try:
        queues.requeue_failed(r, found)
    except InvalidJobOperation as exc:
        state = found.get_status()
        raise Conflict(f"job {job_id!r} is {getattr(state, 'value', state)}; "
                       "only failed jobs retry") from exc
    audit.record(r, who, "retry job", job_id)
    return found


def delete_job(r: redis.Redis, job_id: str, *, who: str) -> None:
    """Delete a job that is not running."""
    found = job(r, job_id)
    if found.get_status() == JobStatus.STARTED:
        raise Conflict(f"job {job_id!r} is running")
    found.delete()
    audit.record(r, who, "delete job", job_id)


def _queue_name(name: str) -> str:
    if name not in queues.ALL:
        raise NotFound(f"no queue {name[:40]!r}; the queues are {', '.join(queues.ALL)}")
    return name


def retry_failed_jobs(r: redis.Redis, queue_name: str, *, who: str) -> list[str]:
    """Queue every failed job of a queue again (an operator's "retry all")."""
    requeued = queues.requeue_all_failed(r, _queue_name(queue_name))
    audit.record(r, who, "retry failed jobs", queue_name, jobs=len(requeued))
    return requeued


# --- stories ---------------------------------------------------------------------------------


def story(r: redis.Redis, story_id: str) -> dict[str, Any]:
    found = store.get_article(r, story_id)
    if found is None:
        raise NotFound(f"no story {story_id!r}")
    return found


def update_story(r: redis.Redis, settings: Settings, story_id: str, changes: dict[str, Any], *,
                 who: str) -> Job:
    """An editor's focal point or category: kept across content updates, processed again."""
    _validated("story-update", changes)
    if "category" in changes and not _has_category(r, changes["category"]):
        raise Invalid(f"category: no category {changes['category']!r}")
    try:
        editorial.update_story(r, story_id, who=who, **changes)
    except editorial.UnknownStory as exc:
        raise NotFound(str(exc)) from exc
    return queues.enqueue_process(r, settings, story_id)


def _editorial(r: redis.Redis, settings: Settings, change, story_id: str, *args: Any,
               who: str, now: bool = False) -> Job | None:
    """An editorial change, then the publish that shows it (None: one is already coming)."""
    try:
        change(r, story_id, *args, who=who)
    except editorial.UnknownStory as exc:
        raise NotFound(str(exc)) from exc
    return queues.publish_now(r, settings) if now else queues.request_publish(r, settings)


def pin(r: redis.Redis, settings: Settings, story_id: str, order: int = 0, *,
        who: str) -> Job | None:
    """Pinned stories lead their row and Top stories, lowest order first."""
    _validated("pin-request", {"order": order})
    return _editorial(r, settings, editorial.pin, story_id, order, who=who)


def unpin(r: redis.Redis, settings: Settings, story_id: str, *, who: str) -> Job | None:
    return _editorial(r, settings, editorial.unpin, story_id, who=who)


def hide(r: redis.Redis, settings: Settings, story_id: str, *, who: str) -> Job | None:
    """Left out of feeds until unhidden; its data and thumbnails stay."""
    return _editorial(r, settings, editorial.hide, story_id, who=who)


def unhide(r: redis.Redis, settings: Settings, story_id: str, *, who: str) -> Job | None:
    return _editorial(r, settings, editorial.unhide, story_id, who=who)


def pull(r: redis.Redis, settings: Settings, story_id: str, *, who: str) -> Job | None:
    """Take a story down now: published at once, its detail and thumbnails gone."""
    return _editorial(r, settings, editorial.pull, story_id, who=who, now=True)


def unpull(r: redis.Redis, settings: Settings, story_id: str, *, who: str) -> Job | None:
    """Allow a pulled story back: it is processed again (its thumbnails were deleted)."""
    publishing = _editorial(r, settings, editorial.unpull, story_id, who=who)
    queues.enqueue_process(r, settings, story_id)
    return publishing


def push_article(r: redis.Redis, settings: Settings, body: dict[str, Any], *,
                 who: str) -> tuple[str, bool, Job | None]:
    """A CMS's article (the same guid again updates it): (story id, changed, processing job)."""
    _validated("article-push", body)
    if not _has_category(r, body["category"]):
        raise Invalid(f"category: no category {body['category']!r}")
    entry = push.entry(body)
    changed = store.upsert_entry(r, entry)
    audit.record(r, who, "push article", entry["id"], changed=changed)
    return entry["id"], changed, queues.enqueue_process(r, settings, entry["id"]) if changed \
        else None


def publish_feed(r: redis.Redis, settings: Settings, *, who: str) -> int:
    """Build, validate and publish now; the live version (unchanged content keeps it)."""
    try:
        version = publish.publish(r, settings)
    except publish.PublishRefused as exc:
        raise Conflict(f"publish refused: {exc}") from exc
    audit.record(r, who, "publish", str(version))
    return version


def follow_config(r: redis.Redis, settings: Settings) -> list[str]:
    """At start: bring the live feed in line with the configuration it was not built from.

    A new public URL needs only a publish (cards are rebased on it at every build); new
    thumbnail sizes need every ready story processed again, which publishes as it goes.
    Returns what changed ("publicUrl", "thumbnailSizes"); [] costs one Redis read or two.
    """
    changed = build_inputs.changed(r, settings)
    if "thumbnailSizes" in changed:
        for story_id in store.ready_ids(r):
            queues.enqueue_process(r, settings, story_id)
    if changed:
        queues.request_publish(r, settings)
        audit.record(r, "newsdesk", "follow config", ", ".join(changed))
    return changed
