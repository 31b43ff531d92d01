"""`newsdesk breaking`: raise, clear and show the breaking news alert (as the operator API)."""

from __future__ import annotations

from typing import Any

import click

from channel.cli.helpers import connect, operator, settings, show

# Heavy modules (the pipeline) are imported where used, so `newsdesk --help` starts at once.


def _line(alert: dict[str, Any] | None) -> str:
    if alert is None:
        return "no breaking alert"
    story = f" (story {alert['storyId']})" if alert.get("storyId") else ""
    return f"{alert['text']}{story} until {alert['expiresAt']}"


@click.group()
def breaking() -> None:
    """The breaking news banner TVs show above the rows."""


@breaking.command("raise")
@click.argument("text")
@click.option("--story", "story_id", metavar="ID", help="A story the banner opens.")
@click.option("--minutes", type=click.IntRange(1, 1440), default=30, show_default=True,
              help="It leaves the feed by itself after this long.")
def raise_(text: str, story_id: str | None, minutes: int) -> None:
    """Raise (or replace) the alert; it is in the live feed when this returns."""
    from channel import actions

    body: dict[str, Any] = {"text": text, "expiresInMinutes": minutes}
    if story_id:
        body["story"] = story_id
    alert, version = actions.raise_alert(connect(), settings(), body, who=operator())
    show({"alert": alert, "version": version},
         lambda: click.echo(f"raised: {_line(alert)}; feed version {version}"))


@breaking.command()
def clear() -> None:
    """Take the alert down now."""
    from channel import actions

    alert, version = actions.clear_alert(connect(), settings(), who=operator())
    show({"cleared": alert, "version": version},
         lambda: click.echo(f"cleared: {_line(alert)}; feed version {version}"))


@breaking.command("show")
def show_() -> None:
    """The alert on air, if any."""
    from channel import actions

    alert = actions.breaking_alert(connect())
    show({"alert": alert}, lambda: click.echo(_line(alert)))
