"""Newsdesk's Flask application: ``flask --app app run`` or ``gunicorn 'app:create_app()'``."""

from __future__ import annotations

import logging
import uuid

import redis
from flask import Flask, g, request

from channel import logs
from channel.config import Settings, operators
from channel.redisconn import connect_to, warn_if_evicting
from channel.web import console, demo_media, headers, health, inputs, ops, public
from channel.web.errors import register_error_handlers
from channel.web.fastpath import PollFastPath


def create_app(settings: Settings | None = None) -> Flask:
    """The app factory: settings from the environment unless given (tests pass their own)."""
    settings = settings or Settings.from_env()
    operators(settings)  # a short or malformed token stops the start, with the reason
    if not settings.redis_configured:
        raise RuntimeError("neither REDIS_URL nor REDIS_SENTINELS is set (scripts/up starts an "
                           "embedded Redis for you)")
    app = Flask(__name__)
    app.config["NEWSDESK"] = settings
    app.extensions["redis"] = connect_to(settings)
    app.json.sort_keys = False
    app.config["MAX_CONTENT_LENGTH"] = inputs.MAX_BODY_BYTES  # werkzeug answers 413 past it
    register_error_handlers(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(ops.bp)
    app.register_blueprint(demo_media.bp)
    console.init_app(app)
    headers.init_app(app)
    app.wsgi_app = PollFastPath(app)  # the TV poll skips Flask's per-request machinery
    logs.configure()
    _request_ids(app)
    try:
        warn_if_evicting(app.extensions["redis"])
    except redis.RedisError as exc:  # Redis may come up after the web tier; serve meanwhile
        logging.getLogger(__name__).warning("Redis not reachable at start: %s", exc)
    return app


def _request_ids(app: Flask) -> None:
    """A request id per request (the caller's X-Request-Id if sane), in logs and the response."""

    @app.before_request
    def assign() -> None:
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if given.isalnum() and len(given) <= 64 else uuid.uuid4().hex[:16]
        g.request_id_token = logs.request_id.set(g.request_id)

    @app.after_request
    def echo(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        return response

    @app.teardown_request
    def forget(_exc: BaseException | None) -> None:
        if (token := g.pop("request_id_token", None)) is not None:
            logs.request_id.reset(token)
