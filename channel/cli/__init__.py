"""The ``newsdesk`` command: run the system, and the operator's and benchmark's tools.

The operator commands (sources, refresh, jobs, stories, pin/hide/pull, status, audit) are the
terminal twin of the operator API in ``channel/web/ops.py``: they call the same library
functions (``channel.store``, ``channel.feed.editorial``, ``channel.status``, ``workers.queues``)
so a change made here and one made over HTTP are indistinguishable, audit log included. Without
``--json`` they print tables and lines for people; with it, one JSON document on stdout.
"""

from __future__ import annotations

import getpass
import logging
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import orjson

from channel.config import Settings

if TYPE_CHECKING:  # imported where used: `newsdesk --help` and `up` should start at once
    import redis
    from rq.job import Job, JobStatus

    from channel import schemas


def _redis() -> redis.Redis:
    import redis

    from channel.redisconn import connect

    settings = Settings.from_env()
    if not settings.redis_url:
        raise click.UsageError("REDIS_URL is not set (scripts/up prints the one it started)")
    r = connect(settings.redis_url)
    try:
        r.ping()
    except redis.RedisError as exc:
        raise click.ClickException(f"cannot reach Redis at {settings.redis_url}: {exc}") from exc
    return r


def _emit(doc: object) -> None:
    sys.stdout.write(orjson.dumps(doc).decode() + "\n")
    sys.stdout.flush()


def _json_mode() -> bool:
    """The group's --json flag, read from the root context so every command sees the same one."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().params.get("as_json"))


def _show(doc: object, text: Callable[[], None]) -> None:
    """One JSON document for scripts, or the readable rendering for people."""
    if _json_mode():
        _emit(doc)
    else:
        text()


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _short(value: object, width: int = 60) -> str:
    text = _cell(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Left-aligned columns sized to their content; a table stays greppable line by line."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    for row in [list(headers), *cells]:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _operator() -> str:
    """Who the audit log names: ``cli:$USER``, so terminal changes are told apart from API ones."""
    user = os.environ.get("USER")
    if not user:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "unknown"
    return f"cli:{user}"


def _invalid(exc: schemas.DocumentInvalid) -> click.BadParameter:
    """Schema errors already name the field (``interval: 1 is less than ...``); keep them."""
    return click.BadParameter("; ".join(exc.errors))


def _job_view(job: Job) -> dict[str, Any]:
    from channel import status

    return status.job_view(job)


def _fetch_job(r: redis.Redis, job_id: str) -> Job:
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        return Job.fetch(job_id, connection=r)
    except (NoSuchJobError, ValueError) as exc:  # RQ refuses ids outside [A-Za-z0-9_-]
        raise click.ClickException(f"no job {job_id!r}") from exc


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON document (JSON lines for streams) on stdout instead of tables.",
)
def main(verbose: bool, as_json: bool) -> None:
    """Newsdesk: sources in, a TV channel feed out."""
    from channel import logs

    logs.configure(logging.DEBUG if verbose else logging.INFO)  # JSON lines on stderr


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers", "worker_count", default=2, show_default=True, type=int, help="RQ worker processes."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, path_type=Path),
    help="Channel config file (default: the bundled demo channel).",
)
def up(host: str, port: int, worker_count: int, config_path: Path | None) -> None:
    """Run everything (Redis unless REDIS_URL is set, web, workers, scheduler) in the foreground."""
    from channel.cli.supervisor import Supervisor

    sys.exit(Supervisor(host, port, worker_count, config_path).run())


@main.command()
@click.option("--burst", is_flag=True, help="Exit when the queues are empty.")
@click.option("--name", default=None, help="Worker name (default: RQ picks one).")
def worker(burst: bool, name: str | None) -> None:
    """Run an RQ worker on the fetch, process and publish queues (rides out Redis restarts)."""
    from workers.worker import run

    _redis()  # a clear error when REDIS_URL is missing
    run(Settings.from_env().redis_url, burst=burst, name=name)


@main.command()
def scheduler() -> None:
    """Queue each source's refresh on its interval (only one scheduler is ever active)."""
    from workers.scheduler import Scheduler

    Scheduler(_redis()).run()


@main.command("load-config")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_config(path: Path) -> None:
    """Load a channel config file (categories, sources) into Redis."""
    from channel import channelconfig, schemas

    try:
        doc = channelconfig.load(_redis(), path)
    except schemas.DocumentInvalid as exc:
        raise _invalid(exc) from exc
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="PATH") from exc
    ids = [s["id"] for s in doc["sources"]]
    _show(
        {"provider": doc["provider"], "categories": len(doc["categories"]), "sources": ids},
        lambda: click.echo(
            f"loaded {doc['provider']}: {len(doc['categories'])} categories, "
            f"sources {', '.join(ids) or '-'}"
        ),
    )


# --- sources ---------------------------------------------------------------------------------


def _source_fields(func: Callable[..., Any]) -> Callable[..., Any]:
    """The fields `sources add` and `sources update` share; the schema checks their values."""
    options = [
        click.option("--url", default=None, help="Feed or page URL (http/https)."),
        click.option(
            "--path",
            default=None,
            type=click.Path(path_type=Path),
            help="Local folder or file; stored absolute, since workers may run elsewhere.",
        ),
        click.option("--category", default=None, help="Category id the stories go to."),
        click.option("--interval", default=None, type=int, help="Seconds between polls."),
        click.option("--max-items", default=None, type=int, help="Entries read per poll."),
        click.option("--language", default=None, help="Language code, e.g. en."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _fields(**given: Any) -> dict[str, Any]:
    """The options actually given, paths made absolute, in the schema's field names."""
    fields = {k: v for k, v in given.items() if v is not None}
    if "path" in fields:
        fields["path"] = str(Path(fields["path"]).resolve())
    return fields


def _source_or_fail(r: redis.Redis, source_id: str) -> dict[str, Any]:
    from channel import store

    source = store.get_source(r, source_id)
    if source is None:
        raise click.ClickException(f"no source {source_id!r}")
    return source


def _update_source(r: redis.Redis, source_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply a partial update exactly as PATCH /v1/ops/sources/<id> does, audit included."""
    from channel import audit, schemas, store

    source = _source_or_fail(r, source_id)
    try:
        schemas.validate("source-patch", changes)
        saved = store.update_source(r, source, changes)
    except schemas.DocumentInvalid as exc:
        raise _invalid(exc) from exc
    audit.record(r, _operator(), "update source", source_id, changes=changes)
    return saved


def _source_saved(verb: str, source: dict[str, Any]) -> None:
    _show(
        {"source": source},
        lambda: click.echo(
            f"{verb} source {source['id']} ({source['kind']}, {source['category']}, "
            f"every {source['interval']}s, {'enabled' if source['enabled'] else 'disabled'})"
        ),
    )


@main.group()
def sources() -> None:
    """List, add, change, enable/disable, delete and bulk-import sources."""


@sources.command("list")
def sources_list() -> None:
    """Every source with its health: last success, consecutive failures, last error."""
    from channel import status, store

    r = _redis()
    found = [{**s, "health": status.source_health(r, s["id"])} for s in store.list_sources(r)]
    _show(
        {"sources": found},
        lambda: _table(
            ("ID", "KIND", "CATEGORY", "EVERY", "ENABLED", "LAST SUCCESS", "FAILS", "WHERE",
             "LAST ERROR"),
            [
                (s["id"], s["kind"], s["category"], f"{s.get('interval', 300)}s",
                 s.get("enabled", True), s["health"]["lastSuccess"],
                 s["health"]["consecutiveFailures"], _short(s.get("url") or s.get("path"), 50),
                 _short(s["health"]["lastError"], 50))
                for s in found
            ],
        ),
    )


@sources.command("add")
@click.argument("source_id", metavar="ID")
@click.option("--kind", required=True, help="rss, folder or page (the source schema's kinds).")
@_source_fields
@click.option("--disabled", is_flag=True, help="Add it switched off (no polling).")
def sources_add(source_id: str, kind: str, disabled: bool, **given: Any) -> None:
    """Add a source (give --url or --path, and --category)."""
    from channel import audit, schemas, store

    r = _redis()
    if store.get_source(r, source_id) is not None:
        raise click.ClickException(f"source {source_id!r} exists; use `sources update`")
    doc = {"id": source_id, "kind": kind, **_fields(**given)}
    if disabled:
        doc["enabled"] = False
    try:
        source = store.save_source(r, doc)
    except schemas.DocumentInvalid as exc:
        raise _invalid(exc) from exc
    audit.record(r, _operator(), "create source", source["id"])
    _source_saved("added", source)


@sources.command("update")
@click.argument("source_id", metavar="ID")
@_source_fields
def sources_update(source_id: str, **given: Any) -> None:
    """Change some of a source's fields (id and kind cannot change)."""
    changes = _fields(**given)
    if not changes:
        raise click.UsageError("nothing to change: give at least one option")
    _source_saved("updated", _update_source(_redis(), source_id, changes))


@sources.command("enable")
@click.argument("source_id", metavar="ID")
def sources_enable(source_id: str) -> None:
    """Poll the source again on its interval."""
    _source_saved("enabled", _update_source(_redis(), source_id, {"enabled": True}))


@sources.command("disable")
@click.argument("source_id", metavar="ID")
def sources_disable(source_id: str) -> None:
    """Stop polling the source; its stories stay until they age out."""
    _source_saved("disabled", _update_source(_redis(), source_id, {"enabled": False}))


@sources.command("delete")
@click.argument("source_id", metavar="ID")
def sources_delete(source_id: str) -> None:
    """Forget a source and its polling state (its stories stay until they age out)."""
    from channel import audit, store

    r = _redis()
    _source_or_fail(r, source_id)
    store.delete_source(r, source_id)
    audit.record(r, _operator(), "delete source", source_id)
    _show({"deleted": source_id}, lambda: click.echo(f"deleted source {source_id}"))


def _read_source_list(path: Path) -> list[Any]:
    """A file holding a list of sources, or a channel config (only its ``sources:`` are used)."""
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"not valid YAML/JSON: {exc}", param_hint="FILE") from exc
    if isinstance(doc, dict) and isinstance(doc.get("sources"), list):
        doc = doc["sources"]
    if not isinstance(doc, list):
        raise click.BadParameter(
            "expected a list of sources or a mapping with a `sources:` list", param_hint="FILE"
        )
    if not doc:
        raise click.BadParameter("the file holds no sources", param_hint="FILE")
    for entry in doc:  # relative paths mean "next to the file", as in a channel config
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            entry["path"] = str((path.parent / entry["path"]).resolve())
    return doc


@sources.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and report; store nothing.")
def sources_import(file: Path, dry_run: bool) -> None:
    """Add or replace every source in FILE (YAML or JSON); exits 1 if any is invalid.

    Valid sources are stored even when others fail, so one typo does not block the rest; each
    failure is reported with the field the schema rejected.
    """
    from channel import audit, schemas, store

    entries = _read_source_list(file)
    r = _redis()
    who = _operator()
    imported: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    seen: set[str] = set()
    label = f"{'checking' if dry_run else 'importing'} {len(entries)} sources"
    with click.progressbar(entries, label=label, file=sys.stderr, show_pos=True) as bar:
        for index, entry in enumerate(bar):
            source_id = entry.get("id") if isinstance(entry, dict) else None
            errors = schemas.errors("source", entry)
            if not errors and source_id in seen:
                errors = [f"id: {source_id!r} appears earlier in the file"]
            if errors:
                failed.append({"index": index, "id": source_id, "errors": errors})
                continue
            seen.add(source_id)
            replaced = store.get_source(r, source_id) is not None
            if not dry_run:
                store.save_source(r, entry)
                audit.record(r, who, "import source", source_id, replaced=replaced)
            imported.append({"id": source_id, "replaced": replaced})

    def text() -> None:
        for failure in failed:
            name = f" ({failure['id']})" if failure["id"] else ""
            for error in failure["errors"]:
                click.echo(f"sources[{failure['index']}]{name}: {error}", err=True)
        new = sum(not i["replaced"] for i in imported)
        verb = "would import" if dry_run else "imported"
        click.echo(
            f"{verb} {len(imported)} sources ({new} new, {len(imported) - new} replaced), "
            f"{len(failed)} failed"
        )

    _show({"imported": imported, "failed": failed, "dryRun": dry_run}, text)
    sys.exit(1 if failed else 0)


# --- refreshes and jobs ----------------------------------------------------------------------


def _follow(
    r: redis.Redis, job: Job, timeout: int
) -> tuple[bool, list[tuple[Job, JobStatus]], list[str]]:
    """Wait for the refresh and its follow-ups, drawing a progress bar on stderr.

    On a terminal the bar replaces the per-job lines; when stderr is a log file the per-job lines
    are kept (a bar there is just its label), as before the bar existed.
    """
    from workers.progress import wait_for_refresh

    tty = sys.stderr.isatty()
    ended: list[tuple[Job, JobStatus]] = []
    notes: list[str] = []

    def echo(message: str) -> None:
        notes.append(message)
        if not tty:
            click.echo(message, err=True)

    with click.progressbar(
        length=1, label=f"waiting for {job.id}", file=sys.stderr, show_pos=True, show_eta=False,
        item_show_func=lambda item: item,
    ) as bar:

        def on_done(current: Job, state: JobStatus, done: int, total: int) -> None:
            ended.append((current, state))
            bar.length = total  # grows as finished jobs reveal the work they queued
            bar.update(done - bar.pos, f"{current.id}: {state.value}")

        ok = wait_for_refresh(r, job, timeout=timeout, echo=echo, on_done=on_done)
    return ok, ended, notes


@main.command()
@click.argument("source", required=False)
@click.option("--category", default=None, help="Refresh the enabled sources of this category.")
@click.option("--story", default=None, help="Process this story again (its id).")
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Wait until the refresh and the processing it queued have finished.",
)
@click.option("--timeout", default=300, show_default=True, type=int, help="Seconds to wait.")
def refresh(
    source: str | None, category: str | None, story: str | None, wait: bool, timeout: int
) -> None:
    """Queue a refresh of SOURCE, a --category, a --story, or of every enabled source.

    Waiting exits 0 only when the refresh and everything it queued finished without failure.
    """
    from rq.exceptions import NoSuchJobError
    from rq.job import JobStatus

    from channel import schemas, store
    from workers import queues

    request = {k: v for k, v in (("source", source), ("category", category), ("story", story))
               if v is not None}
    if len(request) > 1:
        raise click.UsageError("give one of SOURCE, --category or --story")
    try:
        schemas.validate("refresh-request", request)
    except schemas.DocumentInvalid as exc:
        raise _invalid(exc) from exc
    r = _redis()
    if source is not None:
        if store.get_source(r, source) is None:
            raise click.BadParameter(f"no source {source!r}", param_hint="SOURCE")
        job = queues.enqueue_refresh(r, source)
    elif category is not None:
        if category not in {c["id"] for c in store.load_categories(r)}:
            raise click.BadParameter(f"no category {category!r}", param_hint="--category")
        job = queues.enqueue_refresh_category(r, category)
    elif story is not None:
        if store.get_article(r, story) is None:
            raise click.BadParameter(f"no story {story!r}", param_hint="--story")
        job = queues.enqueue_process(r, story)
    else:
        job = queues.enqueue_refresh_all(r)
    if not wait:
        _show({"job": _job_view(job)},
              lambda: click.echo(f"queued {job.id}: {job.description}"))
        return
    if not _json_mode():
        click.echo(f"queued {job.id}: {job.description}")
    ok, ended, notes = _follow(r, job, timeout)
    views = []
    for ended_job, _ in ended:
        try:
            ended_job.refresh()  # the copy fetched before it ran lacks timings and result
        except NoSuchJobError:
            pass  # expired or deleted meanwhile: show what we have
        views.append(_job_view(ended_job))
    # Not ok although every job that ended finished: the wait ran out of time.
    timed_out = not ok and all(state == JobStatus.FINISHED for _, state in ended)

    def text() -> None:
        counts: dict[str, int] = {}
        for view in views:
            counts[view["status"]] = counts.get(view["status"], 0) + 1
        summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "none ended"
        click.echo(f"{'done' if ok else 'NOT done'}: {len(views)} jobs ({summary})")
        for view in views:
            if view["status"] != "finished":
                click.echo(f"  {view['id']}: {view['status']} {view.get('error') or ''}".rstrip())
        if timed_out and notes:
            click.echo(f"  {notes[-1]}")

    if not views:  # nothing ended in time: show the refresh as it stands now
        try:
            job.refresh()
        except NoSuchJobError:
            pass
    _show({"job": views[0] if views else _job_view(job), "ok": ok, "timedOut": timed_out,
           "jobs": views}, text)
    sys.exit(0 if ok else 1)


def _print_job(view: dict[str, Any]) -> None:
    for key in ("id", "status", "description", "queue", "enqueuedAt", "startedAt", "endedAt",
                "seconds", "error"):
        if key in view:
            click.echo(f"{key + ':':13}{_cell(view[key])}")
    if "result" in view:
        click.echo(f"{'result:':13}{orjson.dumps(view['result']).decode()}")


def _show_job(job_id: str) -> None:
    view = _job_view(_fetch_job(_redis(), job_id))
    _show({"job": view}, lambda: _print_job(view))


@main.group(invoke_without_command=True)
@click.option(
    "--status",
    "state",
    default="failed",
    show_default=True,
    help="failed, started, finished, queued or scheduled.",
)
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
@click.pass_context
def jobs(ctx: click.Context, state: str, limit: int) -> None:
    """List jobs by state across every queue, newest first (or show, retry, delete one)."""
    from workers import queues

    if ctx.invoked_subcommand is not None:
        return
    if state not in queues.REGISTRIES:
        raise click.BadParameter(f"must be one of {', '.join(queues.REGISTRIES)}",
                                 param_hint="--status")
    views = [_job_view(j) for j in queues.jobs_in(_redis(), state, limit)]
    _show(
        {"jobs": views},
        lambda: _table(
            ("ID", "STATUS", "QUEUE", "ENQUEUED", "SECONDS", "DESCRIPTION / ERROR"),
            [
                (v["id"], v["status"], v["queue"], v["enqueuedAt"], v.get("seconds"),
                 _short(v.get("error") or v["description"], 70))
                for v in views
            ],
        ),
    )


@jobs.command("show")
@click.argument("job_id", metavar="ID")
def jobs_show(job_id: str) -> None:
    """Show a job's status, timings and result or error."""
    _show_job(job_id)


@jobs.command("retry")
@click.argument("job_id", metavar="ID")
def jobs_retry(job_id: str) -> None:
    """Queue a failed job again."""
    from rq.exceptions import InvalidJobOperation

    from channel import audit
    from workers import queues

    r = _redis()
    job = _fetch_job(r, job_id)
    try:
        queues.requeue_failed(r, job)
    except InvalidJobOperation as exc:
        state = job.get_status()
        raise click.ClickException(
            f"job {job_id!r} is {getattr(state, 'value', state)}; only failed jobs retry"
        ) from exc
    audit.record(r, _operator(), "retry job", job_id)
    _show({"job": _job_view(job)}, lambda: click.echo(f"queued {job_id} again"))


@jobs.command("delete")
@click.argument("job_id", metavar="ID")
def jobs_delete(job_id: str) -> None:
    """Delete a job that is not running."""
    from rq.job import JobStatus

    from channel import audit

    r = _redis()
    job = _fetch_job(r, job_id)
    if job.get_status() == JobStatus.STARTED:
        raise click.ClickException(f"job {job_id!r} is running")
    job.delete()
    audit.record(r, _operator(), "delete job", job_id)
    _show({"deleted": job_id}, lambda: click.echo(f"deleted job {job_id}"))


@main.command("job")
@click.argument("job_id", metavar="ID")
def job(job_id: str) -> None:
    """Same as `jobs show ID` (kept for existing scripts)."""
    _show_job(job_id)


# --- stories and editorial -------------------------------------------------------------------


@main.command()
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
def stories(limit: int) -> None:
    """Recent stories with their processing status and editorial flags (ids for pin/pull)."""
    from channel import status

    found = status.recent_stories(_redis(), limit)

    def flags(s: dict[str, Any]) -> str:
        marks = [f"pinned:{s['pinned']}" if s["pinned"] is not None else "",
                 "hidden" if s["hidden"] else "", "pulled" if s["pulled"] else ""]
        return ",".join(m for m in marks if m) or "-"

    _show(
        {"stories": found},
        lambda: _table(
            ("ID", "STATUS", "CATEGORY", "PUBLISHED", "FLAGS", "TITLE"),
            [(s["id"], s["status"], s["category"], s["publishedAt"], flags(s),
              _short(s["title"], 60)) for s in found],
        ),
    )


def _editorial(
    action: Callable[..., None],
    verb: str,
    story_id: str,
    *args: Any,
    publish: str = "request",
    reprocess: bool = False,
) -> None:
    """Apply an editorial action as the operator API does: audit as cli:$USER, then publish.

    Unknown ids fail here even for the undo actions, which the library would accept silently:
    at a terminal a typo that "succeeds" is worse than an error.
    """
    from channel import store
    from channel.feed import editorial
    from workers import queues

    r = _redis()
    if store.get_article(r, story_id) is None:
        raise click.ClickException(f"no story {story_id!r}")
    try:
        action(r, story_id, *args, who=_operator())
    except editorial.UnknownStory as exc:
        raise click.ClickException(str(exc)) from exc
    job = queues.publish_now(r) if publish == "now" else queues.request_publish(r)
    if reprocess:
        queues.enqueue_process(r, story_id)
    doc = {"story": story_id, "publish": job.id if job else "already queued"}
    _show(doc, lambda: click.echo(
        f"{verb} {story_id}; publish {'queued: ' + job.id if job else 'already queued'}"))


@main.command()
@click.argument("story_id", metavar="ID")
@click.option("--order", default=0, show_default=True, type=int,
              help="Lower leads its row (0 to 1000).")
def pin(story_id: str, order: int) -> None:
    """Pin a story to the front of its row and of Top stories."""
    from channel import schemas
    from channel.feed import editorial

    try:
        schemas.validate("pin-request", {"order": order})
    except schemas.DocumentInvalid as exc:
        raise click.BadParameter("; ".join(exc.errors), param_hint="--order") from exc
    _editorial(editorial.pin, f"pinned (order {order})", story_id, order)


@main.command()
@click.argument("story_id", metavar="ID")
def unpin(story_id: str) -> None:
    """Let a pinned story take its normal place again."""
    from channel.feed import editorial

    _editorial(editorial.unpin, "unpinned", story_id)


@main.command()
@click.argument("story_id", metavar="ID")
def hide(story_id: str) -> None:
    """Leave a story out of feeds (its data and thumbnails stay)."""
    from channel.feed import editorial

    _editorial(editorial.hide, "hid", story_id)


@main.command()
@click.argument("story_id", metavar="ID")
def unhide(story_id: str) -> None:
    """Show a hidden story again."""
    from channel.feed import editorial

    _editorial(editorial.unhide, "unhid", story_id)


@main.command()
@click.argument("story_id", metavar="ID")
def pull(story_id: str) -> None:
    """Take a story down now: publishes at once, deletes its thumbnails."""
    from channel.feed import editorial

    _editorial(editorial.pull, "pulled", story_id, publish="now")


@main.command()
@click.argument("story_id", metavar="ID")
def unpull(story_id: str) -> None:
    """Allow a pulled story back (it is processed again)."""
    from channel.feed import editorial

    _editorial(editorial.unpull, "unpulled", story_id, reprocess=True)  # thumbnails were deleted


@main.command()
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
def audit(limit: int) -> None:
    """Who changed what, newest first (editorial actions, source and job changes)."""
    from channel import audit

    entries = audit.entries(_redis(), limit)
    base = {"at", "who", "action", "target"}

    def details(entry: dict[str, Any]) -> str:
        extra = {k: v for k, v in entry.items() if k not in base}
        return orjson.dumps(extra).decode() if extra else ""

    _show(
        {"entries": entries},
        lambda: _table(("AT", "WHO", "ACTION", "TARGET", "DETAILS"),
                       [(e["at"], e["who"], e["action"], e["target"], _short(details(e), 70))
                        for e in entries]),
    )


@main.command("status")
def channel_status() -> None:
    """The live feed, queues, workers and every source's health at a glance."""
    from channel import status

    doc = status.overview(_redis())

    def text() -> None:
        feed = doc["feed"]
        click.echo(f"feed: version {_cell(feed['version'])}, published "
                   f"{_cell(feed['publishedAt'])}")
        if feed["lastError"]:
            click.echo(f"feed last error: {orjson.dumps(feed['lastError']).decode()}")
        click.echo("queues: " + ", ".join(f"{name} {q['queued']} queued/{q['failed']} failed"
                                          for name, q in doc["queues"].items()))
        click.echo(f"workers: {len(doc['workers'])}" + "".join(
            f"\n  {w['name']}: {w['state']} (heartbeat {_cell(w['lastHeartbeat'])})"
            for w in doc["workers"]))
        click.echo("")
        _table(("SOURCE", "ENABLED", "LAST SUCCESS", "FAILS", "LAST ERROR"),
               [(s["id"], s["enabled"], s["health"]["lastSuccess"],
                 s["health"]["consecutiveFailures"], _short(s["health"]["lastError"], 60))
                for s in doc["sources"]])

    _show(doc, text)


@main.command()
def publish() -> None:
    """Build, validate and publish the feed now."""
    from channel.feed import publish as publishing

    try:
        version = publishing.publish(_redis(), Settings.from_env())
    except publishing.PublishRefused as exc:
        raise click.ClickException(f"publish refused: {exc}") from exc
    _show({"version": version}, lambda: click.echo(f"published feed version {version}"))


@main.command()
@click.argument("inputs", nargs=-1, required=True)
def inspect(inputs: tuple[str, ...]) -> None:
    """Show what Newsdesk makes of pages (files or URLs), without storing anything."""
    from channel.process import dry_run

    failed = False
    for item in inputs:
        doc = dry_run(item)
        failed |= "error" in doc
        _emit(doc)
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("files", nargs=-1, type=click.File("r", encoding="utf-8"))
def summarize(files) -> None:
    """Read JSON lines {id, text[, title]} (stdin or FILES); write {id, summary, ticker}."""
    from channel.text.summarize import summarize as summarize_text

    for handle in files or (click.get_text_stream("stdin"),):
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                doc = orjson.loads(line)
                result = summarize_text(doc.get("text") or "", title=doc.get("title"))
                _emit({"id": doc.get("id"), "summary": result.summary, "ticker": result.ticker})
            except (ValueError, AttributeError) as exc:
                _emit({"line": number, "error": str(exc)})


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--focal", default=None, help="Focal point as X,Y fractions, e.g. 0.5,0.3.")
def thumbnail(inputs: tuple[str, ...], out_dir: Path, focal: str | None) -> None:
    """Write every configured thumbnail size for each image (file or URL)."""
    from channel.images.thumbnails import ImageRefused, make_thumbnails, write_thumbnails
    from channel.sources.fetch import FetchError, fetch

    point = tuple(float(v) for v in focal.split(",")) if focal else None
    failed = False
    for item in inputs:
        try:
            if item.startswith(("http://", "https://")):
                data = fetch(item, max_bytes=15_000_000).body
            else:
                data = Path(item).read_bytes()
            tset = make_thumbnails(data, focal=point)
            files = write_thumbnails(tset, out_dir, Path(item).stem or "image")
            _emit(
                {
                    "input": item,
                    "files": files,
                    "crop": tset.crop_box,
                    "placeholder": tset.placeholder,
                }
            )
        except (ImageRefused, FetchError, OSError) as exc:
            failed = True
            _emit({"input": item, "error": str(exc)})
    sys.exit(1 if failed else 0)

