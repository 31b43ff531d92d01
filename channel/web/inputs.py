"""The one parser for what a client sends: JSON bodies and numeric query parameters.

Every JSON route reads its body here, so each refusal is the same 4xx JSON error wherever it
happens: over the size cap (413, before the body is read), not JSON (415), invalid UTF-8,
NaN/Infinity or broken syntax (400, orjson is strict where the stdlib is not), nested deeper
than any document of ours (400; a deep body otherwise ends in a RecursionError somewhere), then
its schema (422). Messages never echo more than a short prefix of what was sent.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import abort, request

from channel import schemas

MAX_BODY_BYTES = 5 * 1024 * 1024  # an article push may carry 2M characters of HTML, escaped
MAX_DEPTH = 32  # our deepest document nests 5 levels
ECHO_CHARS = 80


def prefix(text: str, most: int = ECHO_CHARS) -> str:
    """At most `most` characters of client text, for an error message."""
    return text if len(text) <= most else text[:most] + "…"


def _depth_within(value: Any, most: int) -> bool:
    """Iterative, so the check itself cannot overflow the stack."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > most:
            return False
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return True


def json_body(schema: str) -> dict[str, Any]:
    """The request's JSON object, checked against schemas/<schema>.schema.json.

    An empty body is an empty object, so a write whose fields are all optional needs none.
    """
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        abort(413, description=f"the body is over the {MAX_BODY_BYTES // 1024 // 1024} MB cap")
    data = request.get_data(cache=True)  # werkzeug stops at MAX_CONTENT_LENGTH (413) if chunked
    if not data:
        body: Any = {}
    else:
        if not request.is_json:
            abort(415, description="send JSON (Content-Type: application/json)")
        try:
            body = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            abort(400, description=f"the body is not valid JSON (UTF-8, no NaN or Infinity): "
                                   f"{prefix(str(exc))}")
        if not _depth_within(body, MAX_DEPTH):
            abort(400, description=f"the body nests deeper than {MAX_DEPTH} levels")
    if not isinstance(body, dict):
        abort(422, description="(document): the body must be a JSON object")
    try:
        schemas.validate(schema, body)
    except schemas.DocumentInvalid as exc:
        abort(422, description="; ".join(prefix(e, 200) for e in exc.errors))
    return body


def whole_number(name: str, default: int | None = None, *, most: int | None = None,
                 least: int = 0) -> int | None:
    """A query parameter of ASCII digits only (`str.isdigit` also accepts "²", `int` does not)."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        abort(400, description=f"{name} must be a whole number, not {prefix(raw, 20)!r}")
    value = int(raw)
    if value < least:
        abort(400, description=f"{name} must be at least {least}")
    return min(value, most) if most is not None else value
