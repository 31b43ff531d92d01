"""`newsdesk stories`, the editorial commands (pin, hide, pull and their undos) and `publish`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from channel.cli.helpers import connect, operator, settings, short, show, table

# Heavy modules (rq, redis, the pipeline) are imported where used, so `newsdesk --help` and
# `newsdesk up` start at once.


# --- stories and editorial -------------------------------------------------------------------


@click.command()
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
def stories(limit: int) -> None:
    """Recent stories with their processing status and editorial flags (ids for pin/pull)."""
    from channel import status

    found = status.recent_stories(connect(), limit)

    def flags(s: dict[str, Any]) -> str:
        marks = [f"pinned:{s['pinned']}" if s["pinned"] is not None else "",
                 "hidden" if s["hidden"] else "", "pulled" if s["pulled"] else ""]
        return ",".join(m for m in marks if m) or "-"

    show(
        {"stories": found},
        lambda: table(
            ("ID", "STATUS", "CATEGORY", "PUBLISHED", "FLAGS", "TITLE"),
            [(s["id"], s["status"], s["category"], s["publishedAt"], flags(s),
              short(s["title"], 60)) for s in found],
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

    r = connect()
    if store.get_article(r, story_id) is None:
        raise click.ClickException(f"no story {story_id!r}")
    try:
        action(r, story_id, *args, who=operator())
    except editorial.UnknownStory as exc:
        raise click.ClickException(str(exc)) from exc
    job = (queues.publish_now(r, settings()) if publish == "now"
           else queues.request_publish(r, settings()))
    if reprocess:
        queues.enqueue_process(r, settings(), story_id)
    doc = {"story": story_id, "publish": job.id if job else "already queued"}
    show(doc, lambda: click.echo(
        f"{verb} {story_id}; publish {'queued: ' + job.id if job else 'already queued'}"))


@click.command()
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


@click.command()
@click.argument("story_id", metavar="ID")
def unpin(story_id: str) -> None:
    """Let a pinned story take its normal place again."""
    from channel.feed import editorial

    _editorial(editorial.unpin, "unpinned", story_id)


@click.command()
@click.argument("story_id", metavar="ID")
def hide(story_id: str) -> None:
    """Leave a story out of feeds (its data and thumbnails stay)."""
    from channel.feed import editorial

    _editorial(editorial.hide, "hid", story_id)


@click.command()
@click.argument("story_id", metavar="ID")
def unhide(story_id: str) -> None:
    """Show a hidden story again."""
    from channel.feed import editorial

    _editorial(editorial.unhide, "unhid", story_id)


@click.command()
@click.argument("story_id", metavar="ID")
def pull(story_id: str) -> None:
    """Take a story down now: publishes at once, deletes its thumbnails."""
    from channel.feed import editorial

    _editorial(editorial.pull, "pulled", story_id, publish="now")


@click.command()
@click.argument("story_id", metavar="ID")
def unpull(story_id: str) -> None:
    """Allow a pulled story back (it is processed again)."""
    from channel.feed import editorial

    _editorial(editorial.unpull, "unpulled", story_id, reprocess=True)  # thumbnails were deleted


@click.command()
def publish() -> None:
    """Build, validate and publish the feed now."""
    from channel.feed import publish as publishing

    try:
        version = publishing.publish(connect(), settings())
    except publishing.PublishRefused as exc:
        raise click.ClickException(f"publish refused: {exc}") from exc
    show({"version": version}, lambda: click.echo(f"published feed version {version}"))
