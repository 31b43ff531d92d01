"""Bearer tokens with roles for the operator API.

Tokens are compared in constant time and never logged; the audit log records the operator's
name. Roles are ordered: an admin may do what an editor may, an editor what a viewer may.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import abort, g, request
from werkzeug.exceptions import TooManyRequests

from channel import keys
from channel.config import Settings
from channel.web import redis_client, settings

ROLES = ("viewer", "editor", "admin")


@dataclass(frozen=True)
class Operator:
    name: str
    role: str
    token: str


def operators(config: Settings) -> list[Operator]:
    """The admin token plus NEWSDESK_TOKENS entries ("name:role:token", comma-separated)."""
    found = [Operator("admin", "admin", config.admin_token)] if config.admin_token else []
    for entry in filter(None, (e.strip() for e in config.tokens.split(","))):
        name, role, token = (entry.split(":", 2) + ["", ""])[:3]
        if role not in ROLES or not name or len(token) < 16:
            raise ValueError(f"NEWSDESK_TOKENS entry for {name or '?'!r}: need name:role:token "
                             f"with a role of {', '.join(ROLES)} and a token of 16+ characters")
        found.append(Operator(name, role, token))
    return found


def _presented() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _identify(token: str) -> Operator | None:
    match = None
    for operator in operators(settings()):  # compare against every token: no early exit
        if hmac.compare_digest(token.encode(), operator.token.encode()):
            match = operator
    return match


def _rate_limit(operator: Operator) -> None:
    """A fixed one-minute window per operator on writes; 429 with Retry-After past it."""
    window = int(time.time() // 60)
    key = keys.rate_limit(operator.name, window)
    r = redis_client()
    with r.pipeline() as p:
        p.incr(key)
        p.expire(key, 120)
        count = p.execute()[0]
    if count > settings().write_rate:
        retry = 60 - int(time.time() % 60)
        raise TooManyRequests(description="too many write requests; slow down",
                              retry_after=retry)


def require(role: str) -> Callable:
    """Decorator: a valid token whose role is at least `role`; writes are rate limited."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not operators(settings()):
                abort(503, description="operator API disabled: no operator token is configured")
            token = _presented()
            operator = _identify(token) if token else None
            if token is None:  # no bearer header: the console's session cookie (+ CSRF header)
                from channel.web.console import operator_from_session
                operator = operator_from_session()
            if operator is None:
                abort(401, description="missing or invalid bearer token")
            if ROLES.index(operator.role) < ROLES.index(role):
                abort(403, description=f"this needs the {role} role; {operator.name} is "
                      f"{operator.role}")
            g.operator = operator.name
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                _rate_limit(operator)
            return view(*args, **kwargs)

        return wrapper

    return decorate
