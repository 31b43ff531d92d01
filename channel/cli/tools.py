"""Tools that touch no running system: `inspect`, `summarize` and `thumbnail` (JSON lines out)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson

from channel.cli.helpers import emit, settings

# Heavy modules (rq, redis, the pipeline) are imported where used, so `newsdesk --help` and
# `newsdesk up` start at once.


@click.command()
@click.argument("inputs", nargs=-1, required=True)
def inspect(inputs: tuple[str, ...]) -> None:
    """Show what Newsdesk makes of pages (files or URLs), without storing anything."""
    from channel.process import dry_run

    failed = False
    for item in inputs:
        doc = dry_run(item, settings())
        failed |= "error" in doc
        emit(doc)
    sys.exit(1 if failed else 0)


@click.command()
@click.argument("files", nargs=-1, type=click.File("r", encoding="utf-8"))
def summarize(files) -> None:
    """Read JSON lines {id, text[, title]} (stdin or FILES); write {id, summary, ticker}."""
    from channel.text.summarize import summarize as summarize_text

    for handle in files or (click.get_text_stream("stdin"),):
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                doc = orjson.loads(line)
                result = summarize_text(doc.get("text") or "", title=doc.get("title"))
                emit({"id": doc.get("id"), "summary": result.summary, "ticker": result.ticker})
            except (ValueError, AttributeError) as exc:
                emit({"line": number, "error": str(exc)})


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--focal", default=None, help="Focal point as X,Y fractions, e.g. 0.5,0.3.")
def thumbnail(inputs: tuple[str, ...], out_dir: Path, focal: str | None) -> None:
    """Write every configured thumbnail size for each image (file or URL)."""
    from channel.images.thumbnails import ImageRefused, make_thumbnails, write_thumbnails
    from channel.sources.fetch import FetchError, fetch

    point = tuple(float(v) for v in focal.split(",")) if focal else None
    failed = False
    for item in inputs:
        try:
            if item.startswith(("http://", "https://")):
                data = fetch(item, max_bytes=15_000_000, total_timeout=settings().fetch_timeout,
                             allow_loopback=settings().allow_loopback).body
            else:
                data = Path(item).read_bytes()
            tset = make_thumbnails(data, focal=point)
            files = write_thumbnails(tset, out_dir, Path(item).stem or "image")
            emit(
                {
                    "input": item,
                    "files": files,
                    "crop": tset.crop_box,
                    "placeholder": tset.placeholder,
                }
            )
        except (ImageRefused, FetchError, OSError) as exc:
            failed = True
            emit({"input": item, "error": str(exc)})
    sys.exit(1 if failed else 0)
