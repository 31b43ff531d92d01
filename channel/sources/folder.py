"""A local folder of article files: plain text pages, HTML pages or JSON articles.

An image beside an article with the same stem (story.txt + story.jpg) is its lead image.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from channel.config import Settings
from channel.sources.entries import Batch, make_entry
from channel.sources.ids import story_id
from channel.text.extract import decode_html

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = {".txt", ".html", ".htm", ".json"}
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif")
MAX_FILE_BYTES = 5_000_000


class PermanentFolderError(FileNotFoundError):
    """The folder is not where the source says (retrying cannot help)."""


def _sidecar_image(root: Path, path: Path) -> str | None:
    for suffix in IMAGE_SUFFIXES:
        if found := _inside(root, path.with_suffix(suffix).name):
            return found
    return None


def _inside(root: Path, relative: str) -> str | None:
    """The real path of a file named inside the source folder; None if it resolves outside
    (a symlink, "..") or is not a file."""
    try:
        candidate = (root / relative).resolve()
    except (OSError, RuntimeError):
        return None
    return str(candidate) if candidate.is_relative_to(root) and candidate.is_file() else None


def read_file(source: dict[str, Any], root: Path, path: Path) -> dict[str, Any]:
    """One article file as a pending article."""
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"{path.name}: {len(data)} bytes is over the {MAX_FILE_BYTES} cap")
    name = f"file:{source['id']}/{path.relative_to(root)}"
    mtime = path.stat().st_mtime
    if path.suffix == ".json":
        doc = orjson.loads(data)
        if not isinstance(doc, dict) or not doc.get("title"):
            raise ValueError(f"{path.name}: a JSON article needs at least a title")
        body = doc.get("body") or "\n\n".join(doc.get("paragraphs") or [])
        image = doc.get("image")
        raw = {
            "text": body,
            "image": image if image and image.startswith(("http://", "https://")) else None,
            "image_path": _inside(root, image) if image and "://" not in image else None,
            "byline": doc.get("byline"),
        }
        raw["image_path"] = raw["image_path"] or _sidecar_image(root, path)
        published = doc.get("published")
        ts = datetime.fromisoformat(published).timestamp() if published else mtime
        return make_entry(
            source,
            story_id(source["id"], url=doc.get("url"), name=name),
            title=doc["title"],
            published=ts,
            raw=raw,
            url=doc.get("url"),
            category=doc.get("category"),
            video=doc.get("video"),
        )
    text, _ = decode_html(data)  # UTF-8, else the page's declared charset, else detection
    raw = {"image_path": _sidecar_image(root, path)}
    raw["html" if path.suffix in (".html", ".htm") else "text"] = text
    return make_entry(source, story_id(source["id"], name=name), title=None, published=mtime,
                      raw=raw)


def read(source: dict[str, Any], state: dict[str, str], settings: Settings) -> Batch:
    """Every article file of the folder (nothing is fetched, so no setting applies).

    The folder's path was stored as its real path when the source was saved, inside the local
    roots; a folder that resolves elsewhere now (swapped for a symlink) is refused, and so is
    every file that resolves outside it.
    """
    given = Path(source["path"]).expanduser()
    root = given.resolve()
    if given.is_absolute() and root != given:
        raise PermanentFolderError(f"source folder {given} now resolves to {root}: refused")
    if not root.is_dir():
        raise FileNotFoundError(f"source folder {root} does not exist")
    batch = Batch()
    for path in sorted(root.iterdir()):
        if path.suffix.lower() not in ARTICLE_SUFFIXES:
            continue
        if _inside(root, path.name) is None:
            if path.is_symlink():
                log.warning("source %s: skipped %s: a symlink out of the folder", source["id"],
                            path.name)
                batch.skipped.append(f"{path.name}: a symlink out of the folder")
            continue
        try:
            batch.entries.append(read_file(source, root, path))
        except (ValueError, OSError) as exc:  # orjson's decode error is a ValueError
            log.warning("source %s: skipped %s: %s", source["id"], path.name, exc)
            batch.skipped.append(f"{path.name}: {exc}")
    return batch
