"""The operator console at /console: server-rendered pages whose JavaScript calls /v1/ops.

The operator pastes a token once and gets the session cookie (channel/web/auth.py says why a
cookie and how it is made). The console does not duplicate the operator API: its pages are shells
and `console.js` calls /v1/ops/* with the cookie.

RQ's own dashboard (rq-dashboard) is mounted at /console/rq for editors and admins.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from channel import audit
from channel.sources import ids
from channel.web import redis_client, settings
from channel.web.auth import (
    COOKIE,
    CSRF_HEADER,
    ROLES,
    SAFE_METHODS,
    SESSION_SECONDS,
    Operator,
    identify,
    operators,
    session_cookie,
    session_operator,
)
from workers import queues

log = logging.getLogger(__name__)

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")

RQ_DASHBOARD_PREFIX = "/console/rq"
RQ_DASHBOARD_ROLE = "editor"  # it can requeue, delete and empty queues

try:  # rq-dashboard is a runtime dependency; without it the console still works, minus /rq
    import rq_dashboard
    from rq_dashboard.web import setup_rq_connection
except ImportError:  # pragma: no cover - only when the package is missing
    rq_dashboard = None


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
    operator = identify(token) if token else None
    if operator is None:
        log.info("console login refused from %s", request.remote_addr)
        return _page("login.html", 401, next_page=next_page,
                     error="That token is not valid. Paste an operator token.")
    audit.record(redis_client(), operator.name, "console login", operator.role)
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
    if not ids.is_story_id(story_id):
        return _page("error.html", 404, message=f"No story {story_id!r}: ids are 16 hex digits.")
    return _page("story.html", page="story", story_id=story_id)


@bp.get("/sources")
def sources() -> Response:
    return _page("sources.html", page="sources")


@bp.get("/jobs")
def jobs() -> Response:
    return _page("jobs.html", page="jobs")


@bp.get("/audit", endpoint="audit")
def audit_page() -> Response:
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
        audit.record(redis_client(), operator.name, f"rq-dashboard {action}",
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
