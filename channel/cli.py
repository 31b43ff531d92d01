"""The ``newsdesk`` command: run the system, and the operator's and benchmark's tools."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
import orjson

from channel.config import Settings


def _redis():
    from channel.redisconn import connect

    settings = Settings.from_env()
    if not settings.redis_url:
        raise click.UsageError("REDIS_URL is not set (scripts/up prints the one it started)")
    return connect(settings.redis_url)


def _emit(doc: object) -> None:
    sys.stdout.write(orjson.dumps(doc).decode() + "\n")
    sys.stdout.flush()


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
def main(verbose: bool) -> None:
    """Newsdesk: sources in, a TV channel feed out."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )


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
    from channel.supervisor import Supervisor

    sys.exit(Supervisor(host, port, worker_count, config_path).run())


@main.command()
@click.option("--burst", is_flag=True, help="Exit when the queues are empty.")
@click.option("--name", default=None, help="Worker name (default: RQ picks one).")
def worker(burst: bool, name: str | None) -> None:
    """Run an RQ worker on the fetch, process and publish queues."""
    from rq import Worker

    import workers.jobs  # noqa: F401  (imported once here, so each forked job starts warm)
    from workers import queues

    r = _redis()
    w = Worker([queues.queue(r, q) for q in queues.ALL], connection=r, name=name)
    # with_scheduler: retries with a delay and scheduled jobs need a worker-side scheduler.
    w.work(burst=burst, logging_level="INFO", with_scheduler=True)


@main.command()
def scheduler() -> None:
    """Queue each source's refresh on its interval (only one scheduler is ever active)."""
    from workers.scheduler import Scheduler

    Scheduler(_redis()).run()


@main.command("load-config")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_config(path: Path) -> None:
    """Load a channel config file (categories, sources) into Redis."""
    from channel import channelconfig

    doc = channelconfig.load(_redis(), path)
    _emit(
        {
            "provider": doc["provider"],
            "categories": len(doc["categories"]),
            "sources": [s["id"] for s in doc["sources"]],
        }
    )


@main.command()
@click.argument("source", required=False)
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Wait until the refresh and the processing it queued have finished.",
)
@click.option("--timeout", default=300, show_default=True, type=int)
def refresh(source: str | None, wait: bool, timeout: int) -> None:
    """Queue a refresh of SOURCE, or of every enabled source."""
    from channel import store
    from workers import queues

    r = _redis()
    if source and store.get_source(r, source) is None:
        raise click.BadParameter(f"no source {source!r}", param_hint="SOURCE")
    job = queues.enqueue_refresh(r, source) if source else queues.enqueue_refresh_all(r)
    _emit({"job": job.id, "status": str(job.get_status())})
    if not wait:
        return
    from workers.progress import wait_for_refresh

    ok = wait_for_refresh(r, job, timeout=timeout, echo=lambda msg: click.echo(msg, err=True))
    _emit({"job": job.id, "status": str(job.get_status()), "result": job.return_value()})
    sys.exit(0 if ok else 1)


@main.command()
@click.argument("job_id")
def job(job_id: str) -> None:
    """Show a job's status, timings and result or error."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    from channel.web.ops import job_view

    try:
        _emit(job_view(Job.fetch(job_id, connection=_redis())))
    except NoSuchJobError as exc:
        raise click.ClickException(f"no job {job_id!r}") from exc


@main.command()
def publish() -> None:
    """Build, validate and publish the feed now."""
    from channel import publish as publishing

    try:
        _emit({"version": publishing.publish(_redis(), Settings.from_env())})
    except publishing.PublishRefused as exc:
        raise click.ClickException(f"publish refused: {exc}") from exc


@main.command()
@click.argument("inputs", nargs=-1, required=True)
def inspect(inputs: tuple[str, ...]) -> None:
    """Show what Newsdesk makes of pages (files or URLs), without storing anything."""
    from channel.inspect import inspect_input

    failed = False
    for item in inputs:
        doc = inspect_input(item)
        failed |= "error" in doc
        _emit(doc)
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("files", nargs=-1, type=click.File("r", encoding="utf-8"))
def summarize(files) -> None:
    """Read JSON lines {id, text[, title]} (stdin or FILES); write {id, summary, ticker}."""
    from channel.summarize import summarize as summarize_text

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
    from channel.fetch import FetchError, fetch
    from channel.images import ImageRefused, make_thumbnails, write_thumbnails

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


if __name__ == "__main__":
    main()
