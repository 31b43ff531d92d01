"""The operator console at /console: server-rendered pages whose JavaScript calls /v1/ops.

The operator pastes a token once and gets the session cookie (channel/web/auth.py says why a
cookie and how it is made). The console does not duplicate the operator API: its pages are shells
and `console.js` calls /v1/ops/* with the cookie.

RQ's jobs, queues and workers are shown by the console's own Jobs page (rq-dashboard was
embedded here once: its templates put job results and tracebacks into the page as HTML).
"""

from __future__ import annotations

import logging
import re
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
from werkzeug.exceptions import TooManyRequests

from channel import audit
from channel.sources import ids
from channel.web import redis_client, settings
from channel.web.auth import (
    COOKIE,
    ROLES,
    SESSION_SECONDS,
    Operator,
    authenticate,
    end_session,
    operators,
    session_operator,
    start_session,
)

log = logging.getLogger(__name__)

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")


JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")  # what RQ accepts as a job id


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
    }


def _safe_next(target: str | None) -> str:
    """Only a path inside the console: never an open redirect to another site."""
    if target and len(target) <= 1000 and target.isprintable() and " " not in target \
            and target.startswith("/console/") and "\\" not in target \
            and not target.startswith("/console/login"):
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
    try:
        operator = authenticate(token) if token else None
    except TooManyRequests as exc:
        page = _page("login.html", 429, next_page=next_page, error=exc.description)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    if operator is None:
        log.info("console login refused from %s", request.remote_addr)
        return _page("login.html", 401, next_page=next_page,
                     error="That token is not valid. Paste an operator token.")
    audit.record(redis_client(), operator.name, "console login", operator.role)
    response = redirect(next_page)
    response.set_cookie(COOKIE, start_session(operator), max_age=SESSION_SECONDS, path="/",
                        httponly=True, samesite="Strict", secure=request.is_secure)
    return response


@bp.post("/logout")
def logout() -> Response:
    """Ends the session in Redis, not just in this browser: a copied cookie stops working too."""
    if not _same_origin():
        return _page("error.html", 403, message="This logout came from another site.")
    end_session()
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


@bp.get("/stories")
def stories() -> Response:
    """Search every recent story, on air or not."""
    return _page("stories.html", page="stories")


@bp.get("/sources")
def sources() -> Response:
    return _page("sources.html", page="sources")


@bp.get("/jobs")
def jobs() -> Response:
    return _page("jobs.html", page="jobs")


@bp.get("/jobs/<job_id>")
def job(job_id: str) -> Response:
    """One job: its fields, its whole traceback when it failed, retry and delete."""
    if not JOB_ID.fullmatch(job_id):
        return _page("error.html", 404, message="No such job: job ids are letters, digits, - "
                     "and _.")
    return _page("job.html", page="job", job_id=job_id)


@bp.get("/audit", endpoint="audit")
def audit_page() -> Response:
    return _page("audit.html", page="audit")


def init_app(app: Flask) -> None:
    """Register the console (one line in create_app)."""
    app.register_blueprint(bp)
