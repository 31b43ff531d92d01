"""Operator identity: bearer tokens with roles, console sessions, and limits on guessing.

Tokens are compared in constant time and never logged; the audit log records the operator's
name. Roles are ordered: an admin may do what an editor may, an editor what a viewer may.

Why a cookie for the console: a page cannot put a bearer header on navigations, and a token kept
in JavaScript (localStorage) is readable by any script that ever gets injected. So the operator
pastes a token once and gets an HttpOnly, SameSite=Strict cookie holding a random session id.
The session itself lives in Redis (keyed by the id's SHA-256), naming the operator and a digest
of their token: logging out deletes it, and a session whose token is no longer configured stops
working on its next request. `require()` accepts the cookie when no bearer token is presented;
writes authenticated by it must also carry `X-Newsdesk-Console: 1`, a header a cross-site page
cannot send without a CORS preflight that we never answer (a CSRF defence on top of SameSite).

Guessing is limited: every failed token (bearer or console login) counts against the client's
address and against everyone; past either limit, presented tokens are not even checked until the
window ends (429 with Retry-After), so a refusal says nothing about the token.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from functools import wraps

from flask import abort, g, request
from werkzeug.exceptions import TooManyRequests

from channel import keys
from channel.config import ROLES, Operator, operators
from channel.web import redis_client, settings

log = logging.getLogger(__name__)

COOKIE = "newsdesk_console"
CSRF_HEADER = "X-Newsdesk-Console"
SESSION_SECONDS = 12 * 3600  # one working shift; a fresh login after that
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
FAILURE_WINDOW = 300  # seconds
FAILURES_PER_ADDRESS = 10  # per window: an operator mistyping is far below it
FAILURES_OVERALL = 200  # per window, every address together: a botnet's guesses are slowed too


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


# --- limits on guessing -------------------------------------------------------------------------


def _failure_keys() -> tuple[str, str, int]:
    now = time.time()
    window = int(now // FAILURE_WINDOW)
    retry = FAILURE_WINDOW - int(now % FAILURE_WINDOW)
    address = request.remote_addr or "unknown"
    return (keys.auth_failures(f"addr:{address}", window), keys.auth_failures("all", window),
            retry)


def _refuse_if_locked_out() -> None:
    by_address, overall, retry = _failure_keys()
    counts = [int(c or 0) for c in redis_client().mget(by_address, overall)]
    if counts[0] >= FAILURES_PER_ADDRESS or counts[1] >= FAILURES_OVERALL:
        raise TooManyRequests(description=f"too many failed logins; try again in {retry} s",
                              retry_after=retry)


def _note_failure() -> None:
    by_address, overall, _ = _failure_keys()
    with redis_client().pipeline() as p:
        for key in (by_address, overall):
            p.incr(key)
            p.expire(key, FAILURE_WINDOW * 2)
        p.execute()
    log.info("failed authentication from %s", request.remote_addr)


def authenticate(token: str) -> Operator | None:
    """The operator of a presented token, or None (counted); 429 while guessing is locked out."""
    _refuse_if_locked_out()
    operator = identify(token)
    if operator is None:
        _note_failure()
    return operator


# --- console sessions ---------------------------------------------------------------------------


def _token_digest(token: str) -> str:
    return hmac.new(b"newsdesk console session v2", token.encode(), hashlib.sha256).hexdigest()


def _session_key(session_id: str) -> str:
    return keys.console_session(hashlib.sha256(session_id.encode()).hexdigest())


def start_session(operator: Operator) -> str:
    """A new session for the operator; the returned id is the cookie's value."""
    session_id = secrets.token_urlsafe(32)
    key = _session_key(session_id)
    with redis_client().pipeline() as p:
        p.hset(key, mapping={"operator": operator.name, "token": _token_digest(operator.token),
                             "started": int(time.time())})
        p.expire(key, SESSION_SECONDS)
        p.execute()
    return session_id


def end_session() -> None:
    """Delete this request's session (logout): a copy of its cookie stops working at once."""
    if raw := request.cookies.get(COOKIE):
        redis_client().delete(_session_key(raw))


def session_operator() -> Operator | None:
    """The operator of this request's console session, if it exists and its token is current.

    The stored token digest is compared with every configured token (no early exit), so a
    session ends as soon as its token is removed; Redis expires it after SESSION_SECONDS.
    """
    if "session_operator" in g:
        return g.session_operator
    raw = request.cookies.get(COOKIE)
    match = None
    if raw and len(raw) <= 128:
        digest = redis_client().hget(_session_key(raw), "token") or b""
        for operator in operators(settings()) if digest else ():
            if hmac.compare_digest(digest, _token_digest(operator.token).encode()):
                match = operator
    g.session_operator = match
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
            operator = authenticate(token) if token else None
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
