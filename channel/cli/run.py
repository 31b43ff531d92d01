"""Running the system: `newsdesk up` (everything), `worker` and `scheduler` (one process each)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from channel.cli.helpers import connect, settings

# Heavy modules (rq, redis, the pipeline) are imported where used, so `newsdesk --help` and
# `newsdesk up` start at once.


@click.command()
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

    sys.exit(Supervisor(settings(), host, port, worker_count, config_path).run())


@click.command()
@click.option("--burst", is_flag=True, help="Exit when the queues are empty.")
@click.option("--name", default=None, help="Worker name (default: RQ picks one).")
def worker(burst: bool, name: str | None) -> None:
    """Run an RQ worker on the fetch, process and publish queues (rides out Redis restarts)."""
    from workers.worker import run

    connect()  # a clear error when no Redis is configured or it does not answer
    run(settings(), burst=burst, name=name)


@click.command()
def scheduler() -> None:
    """Queue each source's refresh on its interval (only one scheduler is ever active)."""
    from workers.scheduler import Scheduler

    Scheduler(connect(), settings()).run()
