"""The `newsdesk` group: global options, and every topic's commands added to it."""

from __future__ import annotations

import logging

import click

from channel import logs
from channel.cli import breaking, jobs, report, run, sources, stories, tools
from channel.cli.helpers import refused
from channel.config import Settings


class Newsdesk(click.Group):
    """The root group: an operator action's refusal, or a Redis error (a failover under way),
    becomes the CLI's error and exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.ClickException:
            raise
        except Exception as exc:
            # Deferred for start-up speed: actions imports the pipeline, and --help must not.
            import redis

            from channel import actions

            if isinstance(exc, actions.ActionError):
                raise refused(exc) from exc
            if isinstance(exc, redis.RedisError):  # e.g. mid-failover: a line, not a traceback
                where = ctx.obj.redis_description() if isinstance(ctx.obj, Settings) else "Redis"
                raise click.ClickException(f"Redis ({where}): {exc}") from exc
            raise


@click.group(cls=Newsdesk)
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON document (JSON lines for streams) on stdout instead of tables.",
)
@click.pass_context
def main(ctx: click.Context, verbose: bool, as_json: bool) -> None:
    """Newsdesk: sources in, a TV channel feed out."""
    logs.configure(logging.DEBUG if verbose else logging.INFO)  # JSON lines on stderr
    try:
        ctx.obj = Settings.from_env()
    except ValueError as exc:  # a malformed NEWSDESK_* value
        raise click.UsageError(str(exc)) from exc


for command in (
    run.up, run.worker, run.scheduler,
    sources.load_config, sources.sources,
    jobs.refresh, jobs.jobs, jobs.job,
    stories.stories, stories.pin, stories.unpin, stories.hide, stories.unhide, stories.pull,
    stories.unpull, stories.publish, stories.versions, stories.split, breaking.breaking,
    report.audit, report.channel_status,
    tools.inspect, tools.summarize, tools.thumbnail,
):
    main.add_command(command)
