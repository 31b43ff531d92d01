"""The `newsdesk` group: global options, and every topic's commands added to it."""

from __future__ import annotations

import logging

import click

from channel import logs
from channel.cli import jobs, report, run, sources, stories, tools


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
    logs.configure(logging.DEBUG if verbose else logging.INFO)  # JSON lines on stderr


for command in (
    run.up, run.worker, run.scheduler,
    sources.load_config, sources.sources,
    jobs.refresh, jobs.jobs, jobs.job,
    stories.stories, stories.pin, stories.unpin, stories.hide, stories.unhide, stories.pull,
    stories.unpull, stories.publish,
    report.audit, report.channel_status,
    tools.inspect, tools.summarize, tools.thumbnail,
):
    main.add_command(command)
