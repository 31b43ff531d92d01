"""Flask blueprints: the public TV endpoints and the operator API."""

from __future__ import annotations

import redis
from flask import current_app

from channel.config import Settings


def redis_client() -> redis.Redis:
    return current_app.extensions["redis"]


def settings() -> Settings:
    return current_app.config["NEWSDESK"]
