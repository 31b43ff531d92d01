"""`newsdesk status` (the live feed, queues, workers, source health) and `newsdesk audit`."""

from __future__ import annotations

from typing import Any

import click
import orjson

from channel.cli.helpers import cell, connect, short, show, table

# Heavy modules (rq, redis, the pipeline) are imported where used, so `newsdesk --help` and
# `newsdesk up` start at once.


@click.command()
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
def audit(limit: int) -> None:
    """Who changed what, newest first (editorial actions, source and job changes)."""
    from channel import audit

    entries = audit.entries(connect(), limit)
    base = {"at", "who", "action", "target"}

    def details(entry: dict[str, Any]) -> str:
        extra = {k: v for k, v in entry.items() if k not in base}
        return orjson.dumps(extra).decode() if extra else ""

    show(
        {"entries": entries},
        lambda: table(("AT", "WHO", "ACTION", "TARGET", "DETAILS"),
                       [(e["at"], e["who"], e["action"], e["target"], short(details(e), 70))
                        for e in entries]),
    )


@click.command("status")
def channel_status() -> None:
    """The live feed, queues, workers and every source's health at a glance."""
    from channel import status

    doc = status.overview(connect())

    def text() -> None:
        feed = doc["feed"]
        click.echo(f"feed: version {cell(feed['version'])}, published "
                   f"{cell(feed['publishedAt'])}")
        if feed["lastError"]:
            click.echo(f"feed last error: {orjson.dumps(feed['lastError']).decode()}")
        click.echo("queues: " + ", ".join(f"{name} {q['queued']} queued/{q['failed']} failed"
                                          for name, q in doc["queues"].items()))
        click.echo(f"workers: {len(doc['workers'])}" + "".join(
            f"\n  {w['name']}: {w['state']} (heartbeat {cell(w['lastHeartbeat'])})"
            for w in doc["workers"]))
        click.echo("")
        table(("SOURCE", "ENABLED", "LAST SUCCESS", "FAILS", "LAST ERROR"),
               [(s["id"], s["enabled"], s["health"]["lastSuccess"],
                 s["health"]["consecutiveFailures"], short(s["health"]["lastError"], 60))
                for s in doc["sources"]])

    show(doc, text)
