"""Load the JSON Schemas in schemas/ and validate documents against them.

The schema files are the single definition of every document; code never restates them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import orjson
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"


class DocumentInvalid(ValueError):
    """A document failed its schema; the message names the field."""

    def __init__(self, schema: str, errors: list[str]):
        self.schema = schema
        self.errors = errors
        super().__init__(f"{schema}: " + "; ".join(errors))


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        resource = Resource.from_contents(orjson.loads(path.read_bytes()))
        resources.append((path.name, resource))
        resources.append((resource.contents["$id"], resource))
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    """A compiled validator for schemas/<name>.schema.json, with format checks on."""
    schema = _registry().contents(f"{name}.schema.json")
    return Draft202012Validator(
        schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def _where(error: ValidationError) -> str:
    path = "/".join(str(p) for p in error.absolute_path)
    return path or "(document)"


def _non_finite(document: Any) -> list[str]:
    """Paths of NaN and Infinity: JSON has no such numbers, and NaN passes every minimum and
    maximum (it compares false), so a schema alone would let one through."""
    found, stack = [], [("", document)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, float) and not math.isfinite(node):
            found.append(f"{path.lstrip('/') or '(document)'}: {node} is not a number JSON allows")
        elif isinstance(node, dict):
            stack.extend((f"{path}/{k}", v) for k, v in node.items())
        elif isinstance(node, list | tuple):
            stack.extend((f"{path}/{i}", v) for i, v in enumerate(node))
    return sorted(found)


def errors(name: str, document: Any, limit: int = 10) -> list[str]:
    found = sorted(validator(name).iter_errors(document), key=lambda e: list(e.absolute_path))
    messages = _non_finite(document) + [f"{_where(e)}: {e.message}" for e in found]
    return messages[:limit]


@cache
def _fast(name: str) -> Callable[[Any], Any]:
    """A compiled validator for the big documents on the publish path (20x faster).

    fastjsonschema implements draft-07; these schemas use only draft-07 keywords (plus $defs as
    a $ref target), and a test checks both validators agree on every broken rule we know of.
    Any $ref to another file is resolved from schemas/, never fetched.
    """
    store = {uri: _registry().contents(uri) for uri in _registry()}
    schema = _registry().contents(f"{name}.schema.json")
    return fastjsonschema.compile(schema, handlers={"https": store.__getitem__,
                                                    "http": store.__getitem__})


FAST = {"channel-feed"}  # published every few seconds, hundreds of KB each


def is_valid(name: str, document: Any) -> bool:
    """Whether the document passes its schema, by the compiled fast validator: the publish
    path asks this first and builds jsonschema's field-named messages only for a failure.
    (Tests of every broken rule we know of check that both validators refuse it.)"""
    if _non_finite(document):
        return False
    try:
        _fast(name)(document)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def validate(name: str, document: Any) -> None:
    """Raise DocumentInvalid with field-named messages when the document breaks its schema."""
    if name in FAST:
        try:
            _fast(name)(document)
            return
        except fastjsonschema.JsonSchemaException:
            pass  # fall through for jsonschema's field-named messages
    found = errors(name, document)
    if found:
        raise DocumentInvalid(name, found)
