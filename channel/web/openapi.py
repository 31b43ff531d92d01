"""The OpenAPI document: routes from openapi.yaml, request bodies from schemas/ (not copied)."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import yaml

from channel.schemas import SCHEMA_DIR


def _rewrite(node: Any, owner: str) -> Any:
    """Point file-relative $refs of a schema at #/components/schemas/<name>."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("$id", "$schema"):
                continue
            if key == "$ref" and isinstance(value, str):
                target, _, pointer = value.partition("#")
                name = target.removesuffix(".schema.json") if target else owner
                value = f"#/components/schemas/{name}{pointer}"
            out[key] = _rewrite(value, owner)
        return out
    if isinstance(node, list):
        return [_rewrite(item, owner) for item in node]
    return node


@cache
def document() -> dict[str, Any]:
    spec = yaml.safe_load((Path(__file__).parent / "openapi.yaml").read_text(encoding="utf-8"))
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        name = path.name.removesuffix(".schema.json")
        spec["components"]["schemas"][name] = _rewrite(orjson.loads(path.read_bytes()), name)
    return copy.deepcopy(spec)
