"""`newsdesk refresh` (queue and follow a refresh) and `newsdesk jobs ...` (show, retry, delete)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click
import orjson

from channel.cli.helpers import (
    cell,
    connect,
    job_view,
    json_mode,
    operator,
    settings,
    short,
    show,
    table,
)

if TYPE_CHECKING:
    import redis
    from rq.job import Job, JobStatus

# Heavy modules (rq, redis, the pipeline) are imported where used, so `newsdesk --help` and
# `newsdesk up` start at once.


# --- refreshes and jobs ----------------------------------------------------------------------


def _follow(
    r: redis.Redis, job: Job, timeout: int
) -> tuple[bool, list[tuple[Job, JobStatus]], list[str]]:
    """Wait for the refresh and its follow-ups, drawing a progress bar on stderr.

    On a terminal the bar replaces the per-job lines; when stderr is a log file the per-job lines
    are kept (a bar there is just its label), as before the bar existed.
    """
    from channel.cli.progress import wait_for_refresh

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


@click.command()
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

    from channel import actions

    hints = {"source": "SOURCE", "category": "--category", "story": "--story"}
    request = {k: v for k, v in (("source", source), ("category", category), ("story", story))
               if v is not None}
    if len(request) > 1:
        raise click.UsageError("give one of SOURCE, --category or --story")
    r = connect()
    try:
        job = actions.refresh(r, settings(), request)
    except actions.NotFound as exc:  # the option that named it is what was wrong
        raise click.BadParameter(str(exc), param_hint=hints[next(iter(request))]) from exc
    if not wait:
        show({"job": job_view(job)},
              lambda: click.echo(f"queued {job.id}: {job.description}"))
        return
    if not json_mode():
        click.echo(f"queued {job.id}: {job.description}")
    ok, ended, notes = _follow(r, job, timeout)
    views = []
    for ended_job, _ in ended:
        try:
            ended_job.refresh()  # the copy fetched before it ran lacks timings and result
        except NoSuchJobError:
            pass  # expired or deleted meanwhile: show what we have
        views.append(job_view(ended_job))
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
    show({"job": views[0] if views else job_view(job), "ok": ok, "timedOut": timed_out,
           "jobs": views}, text)
    sys.exit(0 if ok else 1)


def _print_job(view: dict[str, Any]) -> None:
    for key in ("id", "status", "description", "queue", "enqueuedAt", "startedAt", "endedAt",
                "seconds", "error"):
        if key in view:
            click.echo(f"{key + ':':13}{cell(view[key])}")
    if "result" in view:
        click.echo(f"{'result:':13}{orjson.dumps(view['result']).decode()}")


def _show_job(job_id: str) -> None:
    from channel import actions

    view = job_view(actions.job(connect(), job_id))
    show({"job": view}, lambda: _print_job(view))


@click.group(invoke_without_command=True)
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
    views = [job_view(j) for j in queues.jobs_in(connect(), state, limit)]
    show(
        {"jobs": views},
        lambda: table(
            ("ID", "STATUS", "QUEUE", "ENQUEUED", "SECONDS", "DESCRIPTION / ERROR"),
            [
                (v["id"], v["status"], v["queue"], v["enqueuedAt"], v.get("seconds"),
                 short(v.get("error") or v["description"], 70))
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
    from channel import actions

    job = actions.retry_job(connect(), job_id, who=operator())
    show({"job": job_view(job)}, lambda: click.echo(f"queued {job_id} again"))


@jobs.command("delete")
@click.argument("job_id", metavar="ID")
def jobs_delete(job_id: str) -> None:
    """Delete a job that is not running."""
    from channel import actions

    actions.delete_job(connect(), job_id, who=operator())
    show({"deleted": job_id}, lambda: click.echo(f"deleted job {job_id}"))


@click.command("job")
@click.argument("job_id", metavar="ID")
def job(job_id: str) -> None:
    """Same as `jobs show ID` (kept for existing scripts)."""
    _show_job(job_id)
