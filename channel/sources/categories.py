"""Map what a source calls a section ("EU", "Sport") onto the channel's categories."""

from __future__ import annotations

import re
from typing import Any


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64]


def resolve(categories: list[dict[str, Any]], candidates: list[str | None], default: str) -> str:
    """The first candidate that names a configured category (by id, title or alias)."""
    names: dict[str, str] = {}
    for cat in categories:
        for name in [cat["id"], cat["title"], *cat.get("aliases", [])]:
            names.setdefault(slug(name), cat["id"])
    for candidate in candidates:
        if candidate and slug(candidate) in names:
            return names[slug(candidate)]
    return default
