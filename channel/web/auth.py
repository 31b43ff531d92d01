"""Operator identity: bearer tokens with roles, and the console's session cookie.

Tokens are compared in constant time and never logged; the audit log records the operator's
name. Roles are ordered: an admin may do what an editor may, an editor what a viewer may.

Why a cookie for the console: a page cannot put a bearer header on navigations, and a token kept
in JavaScript (localStorage) is readable by any script that ever gets injected. So the operator
pastes a token once and gets a signed HttpOnly, SameSite=Strict cookie naming the operator and
carrying a digest of the token, never the token itself. The signing secret is derived from the
configured tokens, so every gunicorn worker (and every machine with the same configuration)
agrees on it without another setting, and rotating any token ends every console session.
`require()` accepts the cookie when no bearer token is presented; writes authenticated by it must
also carry `X-Newsdesk-Console: 1`, a header a cross-site page cannot send without a CORS
preflight that we never answer (a CSRF defence on top of SameSite=Strict).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import abort, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import TooManyRequests

from channel import keys
from channel.config import Settings
from channel.web import redis_client, settings

ROLES = ("viewer", "editor", "admin")
COOKIE = "newsdesk_console"
CSRF_HEADER = "X-Newsdesk-Console"
SESSION_SECONDS = 12 * 3600  # one working shift; a fresh login after that
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


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


def identify(token: str) -> Operator | None:
    match = None
    for operator in operators(settings()):  # compare against every token: no early exit
        if hmac.compare_digest(token.encode(), operator.token.encode()):
            match = operator
    return match


def _secret(known: list[Operator]) -> bytes:
    """HMAC of every configured token: shared by every worker, changed by any rotation."""
    material = "\n".join(sorted(o.token for o in known)).encode()
    return hmac.new(b"newsdesk console session v1", material, hashlib.sha256).digest()


def _serializer(secret: bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="newsdesk-console")


def _token_digest(secret: bytes, token: str) -> str:
    return hmac.new(secret, token.encode(), hashlib.sha256).hexdigest()


def session_cookie(operator: Operator) -> str:
    """The signed cookie value for an operator: their name and a digest of their token."""
    secret = _secret(operators(settings()))
    digest = _token_digest(secret, operator.token)
    return _serializer(secret).dumps({"o": operator.name, "d": digest})


def session_operator() -> Operator | None:
    """The operator of the console cookie on this request, if it is valid, fresh and current.

    The token digest is compared with every configured token (no early exit), so a cookie stops
    working as soon as its token is removed, and its age is checked against SESSION_SECONDS.
    """
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    known = operators(settings())
    if not known:
        return None
    secret = _secret(known)
    try:
        data = _serializer(secret).loads(raw, max_age=SESSION_SECONDS)
    except BadSignature:  # also SignatureExpired
        return None
    digest = str(data.get("d", "")) if isinstance(data, dict) else ""
    match = None
    for operator in known:
        if hmac.compare_digest(digest.encode(), _token_digest(secret, operator.token).encode()):
            match = operator
    return match


def operator_from_session() -> Operator | None:
    """For the ops API's `require()`: the console cookie's operator, with the CSRF rule applied.

    Called only when no bearer token was presented. A write (anything but GET/HEAD/OPTIONS)
    authenticated by the cookie is refused with 403 unless it carries `X-Newsdesk-Console: 1`.
    """
    operator = session_operator()
    if operator is not None and request.method not in SAFE_METHODS \
            and request.headers.get(CSRF_HEADER) != "1":
        abort(403, description=f"a write authenticated by the console cookie needs the "
                               f"{CSRF_HEADER}: 1 header")
    return operator


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
            operator = identify(token) if token else None
            if token is None:  # no bearer header: the console's session cookie (+ CSRF header)
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
