"""Health, readiness and metrics for load balancers, orchestrators and Prometheus."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import orjson
import redis
from flask import Blueprint, Response
from rq import Worker

from channel import keys, metrics
from channel.web import redis_client

bp = Blueprint("health", __name__)


def _json(doc: dict, status: int = 200) -> Response:
    return Response(orjson.dumps(doc), status=status, content_type="application/json")


@bp.get("/healthz")
def healthz() -> Response:
    """The process is up. Says nothing about Redis: a restart would not help if Redis is down."""
    return _json({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    """Ready to serve TVs well: Redis answers, a feed is published, a worker is alive."""
    r = redis_client()
    checks: dict[str, object] = {}
    try:
        r.ping()
        checks["redis"] = "ok"
        current = r.get(keys.FEED_CURRENT)
        checks["feedVersion"] = int(current) if current else None
        if current:
            stamp = r.hget(keys.feed_version(int(current)), "generated_at")
            published = parsedate_to_datetime(stamp.decode()).timestamp() if stamp else None
            checks["feedAgeSeconds"] = round(time.time() - published) if published else None
        checks["workers"] = len(Worker.all(connection=r))
    except redis.RedisError as exc:
        checks["redis"] = f"unreachable: {exc}"
    ready = checks.get("redis") == "ok" and checks.get("feedVersion") and checks.get("workers")
    return _json({"ready": bool(ready), **checks}, 200 if ready else 503)


@bp.get("/metrics")
def prometheus() -> Response:
    return Response(metrics.exposition(redis_client()),
                    content_type="text/plain; version=0.0.4; charset=utf-8")
