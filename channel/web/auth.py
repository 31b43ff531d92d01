"""Bearer-token auth for the operator API. Tokens are compared in constant time, never logged."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps

from flask import abort, g, request

from channel.web import settings


def _presented() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def require_token(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        expected = settings().admin_token
        token = _presented()
        if not expected:
            abort(503, description="operator API disabled: NEWSDESK_ADMIN_TOKEN is not set")
        if token is None or not hmac.compare_digest(token.encode(), expected.encode()):
            response_description = "missing or invalid bearer token"
            abort(401, description=response_description)
        g.operator = "admin"  # who did it, for the audit log; never the token itself
        return view(*args, **kwargs)

    return wrapper
