"""Newsdesk's Flask application: ``flask --app app run`` or ``gunicorn 'app:create_app()'``."""

from __future__ import annotations

import logging

from flask import Flask

from channel.config import Settings
from channel.redisconn import connect


def create_app(settings: Settings | None = None) -> Flask:
    """The app factory: settings from the environment unless given (tests pass their own)."""
    from channel.web import ops, public
    from channel.web.errors import register_error_handlers

    settings = settings or Settings.from_env()
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set (scripts/up starts an embedded Redis for you)")
    app = Flask(__name__)
    app.config["NEWSDESK"] = settings
    app.extensions["redis"] = connect(settings.redis_url)
    app.json.sort_keys = False
    register_error_handlers(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(ops.bp)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return app
