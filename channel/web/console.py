"""The operator console at /console: server-rendered pages whose JavaScript calls /v1/ops.

Why a cookie: a page cannot put a bearer header on navigations, and a token kept in JavaScript
(localStorage) is readable by any script that ever gets injected. So the operator pastes a token
once and gets a signed HttpOnly, SameSite=Strict cookie naming the operator and carrying a digest
of the token, never the token itself. The signing secret is derived from the configured tokens, so
every gunicorn worker (and every machine with the same configuration) agrees on it without another
setting, and rotating any token ends every console session.

The console does not duplicate the operator API: its pages are shells and `console.js` calls
/v1/ops/* with the cookie. `operator_from_session()` is how the ops `require()` accepts it; writes
authenticated by cookie must also carry `X-Newsdesk-Console: 1`, a header a cross-site page cannot
send without a CORS preflight that we never answer (a CSRF defence on top of SameSite=Strict).

RQ's own dashboard (rq-dashboard) is mounted at /console/rq for editors and admins.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from itsdangerous import BadSignature, URLSafeTimedSerializer

from channel.feed import editorial
from channel.web import redis_client, settings
from channel.web.auth import ROLES, Operator, _identify, operators
from workers import queues

log = logging.getLogger(__name__)

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")

COOKIE = "newsdesk_console"
CSRF_HEADER = "X-Newsdesk-Console"
SESSION_SECONDS = 12 * 3600  # one working shift; a fresh login after that
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
STORY_ID = re.compile(r"^[a-f0-9]{16}$")
RQ_DASHBOARD_PREFIX = "/console/rq"
RQ_DASHBOARD_ROLE = "editor"  # it can requeue, delete and empty queues

try:  # rq-dashboard is a runtime dependency; without it the console still works, minus /rq
    import rq_dashboard
    from rq_dashboard.web import setup_rq_connection
except ImportError:  # pragma: no cover - only when the package is missing
    rq_dashboard = None


# --- the session ------------------------------------------------------------------------------


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


def _same_origin() -> bool:
    """True unless the browser says the request came from another site (login CSRF).

    Hosts only, not schemes: behind a TLS-terminating proxy the app sees http while the browser
    says https. The configured public URL's host counts as ours too.
    """
    origin = request.headers.get("Origin")
    if not origin:
        return True
    ours = {request.host.lower(), urlsplit(settings().public_url).netloc.lower()} - {""}
    return urlsplit(origin).netloc.lower() in ours


def _at_least(operator: Operator, role: str) -> bool:
    return ROLES.index(operator.role) >= ROLES.index(role)


# --- pages --------------------------------------------------------------------------------------


def _page(template: str, status: int = 200, **context: Any) -> Response:
    """A console page with headers that keep it out of caches, frames and other origins."""
    public = urlsplit(settings().public_url)
    images = f" {public.scheme}://{public.netloc}" if public.netloc else ""
    response = Response(render_template(f"console/{template}", **context), status=status,
                        content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        f"img-src 'self' data:{images}; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'")
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _disabled() -> Response | None:
    """The console page to show when no operator token is configured, else None."""
    if operators(settings()):
        return None
    return _page("error.html", 503, message="The console is disabled: no operator token is "
                 "configured (set NEWSDESK_ADMIN_TOKEN).")


def _login_redirect() -> Response:
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("console.login", next=target))


@bp.before_request
def _require_session() -> Response | None:
    """Every console page needs a session; the login page and static files do not."""
    if request.endpoint in ("console.login", "console.static"):
        return None
    if (disabled := _disabled()) is not None:
        return disabled
    operator = session_operator()
    if operator is None:
        return _login_redirect()
    g.console_operator = operator
    return None


@bp.context_processor
def _context() -> dict[str, Any]:
    operator = g.get("console_operator")
    return {
        "operator": operator,
        "can_edit": bool(operator and _at_least(operator, "editor")),
        "rq_dashboard": rq_dashboard is not None and bool(
            operator and _at_least(operator, RQ_DASHBOARD_ROLE)),
    }


def _safe_next(target: str | None) -> str:
    """Only a path inside the console: never an open redirect to another site."""
    if target and target.startswith("/console/") and not target.startswith("//") \
            and "\\" not in target and not target.startswith("/console/login"):
        return target
    return url_for("console.preview")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """Paste a token; it is checked against the same operator list as the bearer API."""
    if (disabled := _disabled()) is not None:
        return disabled
    next_page = _safe_next(request.values.get("next"))
    if request.method == "GET":
        if session_operator() is not None:
            return redirect(next_page)
        return _page("login.html", next_page=next_page, error=None)
    if not _same_origin():
        return _page("login.html", 403, next_page=next_page,
                     error="This login came from another site and was refused.")
    token = (request.form.get("token") or "").strip()
    operator = _identify(token) if token else None
    if operator is None:
        log.info("console login refused from %s", request.remote_addr)
        return _page("login.html", 401, next_page=next_page,
                     error="That token is not valid. Paste an operator token.")
    editorial.audit(redis_client(), operator.name, "console login", operator.role)
    response = redirect(next_page)
    response.set_cookie(COOKIE, session_cookie(operator), max_age=SESSION_SECONDS, path="/",
                        httponly=True, samesite="Strict", secure=request.is_secure)
    return response


@bp.post("/logout")
def logout() -> Response:
    response = redirect(url_for("console.login"))
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="Strict",
                           secure=request.is_secure)
    return response


@bp.get("/")
def index() -> Response:
    return redirect(url_for("console.preview"))


@bp.get("/preview")
def preview() -> Response:
    """The live feed drawn as the TV draws it (the page JS reads /v1/feed.json)."""
    return _page("preview.html", page="preview")


@bp.get("/stories/<story_id>")
def story(story_id: str) -> Response:
    """A story's detail view as the TV shows it, with its editorial controls."""
    if not STORY_ID.match(story_id):
        return _page("error.html", 404, message=f"No story {story_id!r}: ids are 16 hex digits.")
    return _page("story.html", page="story", story_id=story_id)


@bp.get("/sources")
def sources() -> Response:
    return _page("sources.html", page="sources")


@bp.get("/jobs")
def jobs() -> Response:
    return _page("jobs.html", page="jobs")


@bp.get("/audit")
def audit() -> Response:
    return _page("audit.html", page="audit")


# --- rq-dashboard -------------------------------------------------------------------------------


def _guard_rq_dashboard() -> Response | None:
    """rq-dashboard has no auth of its own: editors and admins with a console session only.

    Its own JavaScript posts without our header, so its writes are checked by Origin instead
    (browsers send Origin on every POST); SameSite=Strict keeps the cookie off cross-site requests.
    """
    if (disabled := _disabled()) is not None:
        return disabled
    operator = session_operator()
    if operator is None:
        return _login_redirect()
    if not _at_least(operator, RQ_DASHBOARD_ROLE):
        return _page("error.html", 403, message=f"RQ's dashboard needs the {RQ_DASHBOARD_ROLE} "
                     f"role; {operator.name} is {operator.role}.")
    if request.method not in SAFE_METHODS and not (
            request.headers.get(CSRF_HEADER) == "1"
            or (request.headers.get("Origin") and _same_origin())):
        return _page("error.html", 403, message="Cross-site write refused.")
    g.console_operator = operator
    return None


def _audit_rq_dashboard(response: Response) -> Response:
    """rq-dashboard's writes (requeue, delete, empty, compact) land in Newsdesk's audit log."""
    operator = g.get("console_operator")
    writes = request.method not in SAFE_METHODS or request.endpoint == "rq_dashboard.requeue_all"
    if operator is not None and writes and response.status_code < 400:
        endpoint = (request.endpoint or "").removeprefix("rq_dashboard.").removesuffix("_view")
        action = endpoint.replace("_", " ")
        editorial.audit(redis_client(), operator.name, f"rq-dashboard {action}",
                        "/".join(str(v) for v in (request.view_args or {}).values()))
        _note_requeued(request.endpoint or "", request.view_args or {})
    return response


def _note_requeued(endpoint: str, args: dict[str, Any]) -> None:
    """Jobs rq-dashboard queued again join the ledger, as the operator API's retries do."""
    r = redis_client()
    if endpoint == "rq_dashboard.requeue_job_view":
        queues.note_queued(r, [args["job_id"]])
    elif endpoint == "rq_dashboard.requeue_all" and args.get("queue_name") in queues.ALL:
        queues.note_queued(r, queues.queue(r, args["queue_name"]).get_job_ids())


def _mount_rq_dashboard(app: Flask) -> None:
    if rq_dashboard is None:
        log.warning("rq-dashboard is not installed: /console/rq is not mounted")
        return
    app.config.setdefault("RQ_DASHBOARD_REDIS_URL", [app.config["NEWSDESK"].redis_url])
    app.register_blueprint(rq_dashboard.blueprint, url_prefix=RQ_DASHBOARD_PREFIX)
    # Our guard first, before rq-dashboard's own hook opens a Redis connection.
    app.before_request_funcs.setdefault(rq_dashboard.blueprint.name, []).insert(
        0, _guard_rq_dashboard)
    app.after_request_funcs.setdefault(rq_dashboard.blueprint.name, []).append(
        _audit_rq_dashboard)
    setup_rq_connection(app)


def init_app(app: Flask) -> None:
    """Register the console and mount rq-dashboard behind it (one line in create_app)."""
    app.register_blueprint(bp)
    _mount_rq_dashboard(app)
