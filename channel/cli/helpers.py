"""What every command shares: the Redis connection, output as tables or JSON, who is acting."""

from __future__ import annotations

import getpass
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import click
import orjson

from channel.config import Settings

if TYPE_CHECKING:  # imported where used: `newsdesk --help` and `up` should start at once
    import redis
    from rq.job import Job

    from channel.actions import ActionError


def settings() -> Settings:
    """The settings `newsdesk` read from the environment as it started: once per process."""
    return click.get_current_context().find_root().obj


def connect() -> redis.Redis:
    """Redis at REDIS_URL or through REDIS_SENTINELS, checked: a clear error when neither is
    set or it does not answer."""
    import redis

    from channel.redisconn import connect_to

    config = settings()
    if not config.redis_configured:
        raise click.UsageError("REDIS_URL is not set (scripts/up prints the one it started), "
                               "nor REDIS_SENTINELS")
    r = connect_to(config)
    try:
        r.ping()
    except redis.RedisError as exc:
        raise click.ClickException(
            f"cannot reach Redis ({config.redis_description()}): {exc}") from exc
    return r


def emit(doc: object) -> None:
    sys.stdout.write(orjson.dumps(doc).decode() + "\n")
    sys.stdout.flush()


def json_mode() -> bool:
    """The group's --json flag, read from the root context so every command sees the same one."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().params.get("as_json"))


def show(doc: object, text: Callable[[], None]) -> None:
    """One JSON document for scripts, or the readable rendering for people."""
    if json_mode():
        emit(doc)
    else:
        text()


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def cell(value: object) -> str:
    """A value as table text; control characters are shown escaped, since titles and errors
    come from outside and an escape sequence would otherwise drive the operator's terminal."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))


def short(value: object, width: int = 60) -> str:
    text = cell(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Left-aligned columns sized to their content; a table stays greppable line by line."""
    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    for row in [list(headers), *cells]:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def operator() -> str:
    """Who the audit log names: ``cli:$USER``, so terminal changes are told apart from API ones."""
    user = os.environ.get("USER")
    if not user:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "unknown"
    return f"cli:{user}"


def job_view(job: Job) -> dict[str, Any]:
    from channel import status

    return status.job_view(job)


def refused(exc: ActionError) -> click.ClickException:
    """An action's refusal as the CLI says it: bad input exits 2, anything else 1."""
    from channel import actions

    if isinstance(exc, actions.Invalid):
        return click.BadParameter(str(exc))
    return click.ClickException(str(exc))
