"""`newsdesk load-config` and `newsdesk sources ...`: the sources, validated and audited."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from channel.cli.helpers import connect, operator, short, show, table

if TYPE_CHECKING:
    import redis

# Heavy modules (rq, redis, the pipeline) are imported where used, so `newsdesk --help` and
# `newsdesk up` start at once.


@click.command("load-config")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_config(path: Path) -> None:
    """Load a channel config file (categories, sources) into Redis."""
    from channel import actions

    doc = actions.load_config(connect(), path, who=operator())
    ids = [s["id"] for s in doc["sources"]]
    show(
        {"provider": doc["provider"], "categories": len(doc["categories"]), "sources": ids},
        lambda: click.echo(
            f"loaded {doc['provider']}: {len(doc['categories'])} categories, "
            f"sources {', '.join(ids) or '-'}"
        ),
    )


# --- sources ---------------------------------------------------------------------------------


def _source_fields(func: Callable[..., Any]) -> Callable[..., Any]:
    """The fields `sources add` and `sources update` share; the schema checks their values."""
    options = [
        click.option("--url", default=None, help="Feed or page URL (http/https)."),
        click.option(
            "--path",
            default=None,
            type=click.Path(path_type=Path),
            help="Local folder or file; stored absolute, since workers may run elsewhere.",
        ),
        click.option("--category", default=None, help="Category id the stories go to."),
        click.option("--interval", default=None, type=int, help="Seconds between polls."),
        click.option("--max-items", default=None, type=int, help="Entries read per poll."),
        click.option("--language", default=None, help="Language code, e.g. en."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _fields(**given: Any) -> dict[str, Any]:
    """The options actually given, paths made absolute, in the schema's field names."""
    fields = {k: v for k, v in given.items() if v is not None}
    if "path" in fields:
        fields["path"] = str(Path(fields["path"]).resolve())
    return fields


def _update_source(r: redis.Redis, source_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    from channel import actions

    return actions.update_source(r, source_id, changes, who=operator())


def _source_saved(verb: str, source: dict[str, Any]) -> None:
    show(
        {"source": source},
        lambda: click.echo(
            f"{verb} source {source['id']} ({source['kind']}, {source['category']}, "
            f"every {source['interval']}s, {'enabled' if source['enabled'] else 'disabled'})"
        ),
    )


@click.group()
def sources() -> None:
    """List, add, change, enable/disable, delete and bulk-import sources."""


@sources.command("list")
def sources_list() -> None:
    """Every source with its health: last success, consecutive failures, last error."""
    from channel import status, store

    r = connect()
    found = [{**s, "health": status.source_health(r, s["id"])} for s in store.list_sources(r)]
    show(
        {"sources": found},
        lambda: table(
            ("ID", "KIND", "CATEGORY", "EVERY", "ENABLED", "LAST SUCCESS", "FAILS", "WHERE",
             "LAST ERROR"),
            [
                (s["id"], s["kind"], s["category"], f"{s.get('interval', 300)}s",
                 s.get("enabled", True), s["health"]["lastSuccess"],
                 s["health"]["consecutiveFailures"], short(s.get("url") or s.get("path"), 50),
                 short(s["health"]["lastError"], 50))
                for s in found
            ],
        ),
    )


@sources.command("add")
@click.argument("source_id", metavar="ID")
@click.option("--kind", required=True, help="rss, folder or page (the source schema's kinds).")
@_source_fields
@click.option("--disabled", is_flag=True, help="Add it switched off (no polling).")
def sources_add(source_id: str, kind: str, disabled: bool, **given: Any) -> None:
    """Add a source (give --url or --path, and --category)."""
    from channel import actions

    doc = {"id": source_id, "kind": kind, **_fields(**given)}
    if disabled:
        doc["enabled"] = False
    _source_saved("added", actions.create_source(connect(), doc, who=operator()))


@sources.command("update")
@click.argument("source_id", metavar="ID")
@_source_fields
def sources_update(source_id: str, **given: Any) -> None:
    """Change some of a source's fields (id and kind cannot change)."""
    changes = _fields(**given)
    if not changes:
        raise click.UsageError("nothing to change: give at least one option")
    _source_saved("updated", _update_source(connect(), source_id, changes))


@sources.command("enable")
@click.argument("source_id", metavar="ID")
def sources_enable(source_id: str) -> None:
    """Poll the source again on its interval."""
    _source_saved("enabled", _update_source(connect(), source_id, {"enabled": True}))


@sources.command("disable")
@click.argument("source_id", metavar="ID")
def sources_disable(source_id: str) -> None:
    """Stop polling the source; its stories stay until they age out."""
    _source_saved("disabled", _update_source(connect(), source_id, {"enabled": False}))


@sources.command("delete")
@click.argument("source_id", metavar="ID")
def sources_delete(source_id: str) -> None:
    """Forget a source and its polling state (its stories stay until they age out)."""
    from channel import actions

    actions.delete_source(connect(), source_id, who=operator())
    show({"deleted": source_id}, lambda: click.echo(f"deleted source {source_id}"))


def _read_source_list(path: Path) -> list[Any]:
    """A file holding a list of sources, or a channel config (only its ``sources:`` are used)."""
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"not valid YAML/JSON: {exc}", param_hint="FILE") from exc
    if isinstance(doc, dict) and isinstance(doc.get("sources"), list):
        doc = doc["sources"]
    if not isinstance(doc, list):
        raise click.BadParameter(
            "expected a list of sources or a mapping with a `sources:` list", param_hint="FILE"
        )
    if not doc:
        raise click.BadParameter("the file holds no sources", param_hint="FILE")
    for entry in doc:  # relative paths mean "next to the file", as in a channel config
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            entry["path"] = str((path.parent / entry["path"]).resolve())
    return doc


@sources.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and report; store nothing.")
def sources_import(file: Path, dry_run: bool) -> None:
    """Add or replace every source in FILE (YAML or JSON); exits 1 if any is invalid.

    Valid sources are stored even when others fail, so one typo does not block the rest; each
    failure is reported with the field the schema rejected.
    """
    from channel import actions, schemas, store

    entries = _read_source_list(file)
    r = connect()
    who = operator()
    imported: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    seen: set[str] = set()
    label = f"{'checking' if dry_run else 'importing'} {len(entries)} sources"
    with click.progressbar(entries, label=label, file=sys.stderr, show_pos=True) as bar:
        for index, entry in enumerate(bar):
            source_id = entry.get("id") if isinstance(entry, dict) else None
            errors = schemas.errors("source", entry)
            if not errors and source_id in seen:
                errors = [f"id: {source_id!r} appears earlier in the file"]
            if errors:
                failed.append({"index": index, "id": source_id, "errors": errors})
                continue
            seen.add(source_id)
            if dry_run:
                replaced = store.get_source(r, source_id) is not None
            else:
                replaced = actions.import_source(r, entry, who=who)
            imported.append({"id": source_id, "replaced": replaced})

    def text() -> None:
        for failure in failed:
            name = f" ({failure['id']})" if failure["id"] else ""
            for error in failure["errors"]:
                click.echo(f"sources[{failure['index']}]{name}: {error}", err=True)
        new = sum(not i["replaced"] for i in imported)
        verb = "would import" if dry_run else "imported"
        click.echo(
            f"{verb} {len(imported)} sources ({new} new, {len(imported) - new} replaced), "
            f"{len(failed)} failed"
        )

    show({"imported": imported, "failed": failed, "dryRun": dry_run}, text)
    sys.exit(1 if failed else 0)
