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


def _editorial(action: Callable[..., Any], verb: str, story_id: str, **options: Any) -> None:
    """An editorial action of channel.actions, as the operator API makes it (audited as
    cli:$USER, published); an unknown id fails whichever action it is."""
    job = action(connect(), settings(), story_id, who=operator(), **options)
    doc = {"story": story_id, "publish": job.id if job else "already queued"}
    show(doc, lambda: click.echo(
        f"{verb} {story_id}; publish {'queued: ' + job.id if job else 'already queued'}"))


@click.command()
@click.argument("story_id", metavar="ID")
@click.option("--order", default=0, show_default=True, type=int,
              help="Lower leads its row (0 to 1000).")
def pin(story_id: str, order: int) -> None:
    """Pin a story to the front of its row and of Top stories."""
    from channel import actions

    _editorial(actions.pin, f"pinned (order {order})", story_id, order=order)


@click.command()
@click.argument("story_id", metavar="ID")
def unpin(story_id: str) -> None:
    """Let a pinned story take its normal place again."""
    from channel import actions

    _editorial(actions.unpin, "unpinned", story_id)


@click.command()
@click.argument("story_id", metavar="ID")
def hide(story_id: str) -> None:
    """Leave a story out of feeds (its data and thumbnails stay)."""
    from channel import actions

    _editorial(actions.hide, "hid", story_id)


@click.command()
@click.argument("story_id", metavar="ID")
def unhide(story_id: str) -> None:
    """Show a hidden story again."""
    from channel import actions

    _editorial(actions.unhide, "unhid", story_id)


@click.command()
@click.argument("story_id", metavar="ID")
def pull(story_id: str) -> None:
    """Take a story down now: publishes at once, deletes its thumbnails."""
    from channel import actions

    _editorial(actions.pull, "pulled", story_id)


@click.command()
@click.argument("story_id", metavar="ID")
def unpull(story_id: str) -> None:
    """Allow a pulled story back (it is processed again)."""
    from channel import actions

    _editorial(actions.unpull, "unpulled", story_id)


@click.command()
def publish() -> None:
    """Build, validate and publish the feed now."""
    from channel import actions

    version = actions.publish_feed(connect(), settings(), who=operator())
    show({"version": version}, lambda: click.echo(f"published feed version {version}"))


@click.command()
@click.argument("story_id", metavar="ID")
def versions(story_id: str) -> None:
    """The same story from other sources (near-duplicates), and which version leads."""
    from channel import actions

    found = actions.story_versions(connect(), story_id)
    show(found, lambda: table(
        ("ID", "SOURCE", "LEADS", "TITLE"),
        [(v["id"], v["source"], "yes" if v["leads"] else "", short(v["title"], 60))
         for v in found["versions"]]) if found["versions"]
        else click.echo(f"{story_id} has no other version"))


@click.command()
@click.argument("story_id", metavar="ID")
def split(story_id: str) -> None:
    """A wrong duplicate match: the story gets its own card again (a publish is queued)."""
    from channel import actions

    others, job = actions.split_duplicate(connect(), settings(), story_id, who=operator())
    show({"story": story_id, "splitFrom": others, "publish": job.id if job else "already queued"},
         lambda: click.echo(f"split {story_id} from {', '.join(others)}"))
