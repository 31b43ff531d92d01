"""Load a channel configuration file (YAML or JSON) into Redis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import redis
import yaml

from channel import schemas, store


def read(path: Path) -> dict[str, Any]:
    """Parse and validate; relative source paths are taken from the file's folder."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML/JSON: {exc}") from exc
    schemas.validate("channel-config", doc)
    for source in doc["sources"]:
        if "path" in source:
            source["path"] = str((path.parent / source["path"]).resolve())
    return doc


def load(r: redis.Redis, path: Path) -> dict[str, Any]:
    """Store the channel identity, categories and sources. Sources not in the file are kept."""
    doc = read(path)
    channel = {k: doc[k] for k in ("provider", "language", "liveStream") if k in doc}
    store.save_channel(r, channel)
    store.save_categories(r, doc["categories"])
    for source in doc["sources"]:
        store.save_source(r, source)
    return doc
