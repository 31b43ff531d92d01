"""Every error is JSON with a clear message, never an HTML page."""

from __future__ import annotations

import redis
from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

MAX_MESSAGE = 500  # characters: a refusal names the problem, it never echoes a whole body


def error(status: int, message: str, **extra):
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + "…"
    response = jsonify({"error": message, **extra})
    response.status_code = status
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        response = error(exc.code or 500, exc.description or exc.name)
        for name in ("WWW-Authenticate", "Retry-After", "Allow"):
            if exc.get_response().headers.get(name):
                response.headers[name] = exc.get_response().headers[name]
        return response

    @app.errorhandler(redis.RedisError)
    def redis_down(exc: redis.RedisError):
        app.logger.warning("Redis error: %s", exc)
        response = error(503, "Redis is unreachable; try again shortly")
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        return error(500, "internal error")
