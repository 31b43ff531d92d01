"""Prometheus metrics.

Web-tier counters live in-process (multi-process aware when PROMETHEUS_MULTIPROC_DIR is set, as
under gunicorn). What workers do is counted in one Redis hash, since their jobs run in
short-lived forked processes; a collector reads it at scrape time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import redis
from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

from channel import keys, store
from workers import queues

POLLS = Counter("newsdesk_poll_requests_total", "Requests for published documents",
                ["document", "status"])


def _bump(r: redis.Redis, **fields: float) -> None:
    with r.pipeline(transaction=False) as p:
        for field, amount in fields.items():
            p.hincrbyfloat(keys.METRICS, field, amount)
        p.execute()


def job_finished(r: redis.Redis, queue: str, seconds: float) -> None:
    _bump(r, **{f"jobs:{queue}:count": 1, f"jobs:{queue}:seconds": seconds})


def job_failed(r: redis.Redis, queue: str) -> None:
    _bump(r, **{f"jobs:{queue}:failed": 1})


def published(r: redis.Redis, seconds: float) -> None:
    _bump(r, **{"publish:count": 1, "publish:seconds": seconds})
    r.hset(keys.METRICS, "publish:last_seconds", seconds)


def publish_refused(r: redis.Redis) -> None:
    _bump(r, **{"publish:refused": 1})


class RedisCollector(Collector):
    """Worker-side numbers, read from Redis when Prometheus scrapes."""

    def __init__(self, r: redis.Redis):
        self.r = r

    def collect(self) -> Iterator:
        raw = {k.decode(): float(v) for k, v in self.r.hgetall(keys.METRICS).items()}
        publishes = CounterMetricFamily("newsdesk_publish", "Feed versions published",
                                        labels=["outcome"])
        publishes.add_metric(["published"], raw.get("publish:count", 0))
        publishes.add_metric(["refused"], raw.get("publish:refused", 0))
        yield publishes
        yield CounterMetricFamily("newsdesk_publish_seconds", "Time spent publishing",
                                  value=raw.get("publish:seconds", 0))
        yield GaugeMetricFamily("newsdesk_publish_last_seconds", "Duration of the last publish",
                                value=raw.get("publish:last_seconds", 0))
        count = CounterMetricFamily("newsdesk_jobs", "Jobs run", labels=["queue"])
        seconds = CounterMetricFamily("newsdesk_job_seconds", "Time spent in jobs",
                                      labels=["queue"])
        failed = CounterMetricFamily("newsdesk_job_failures", "Jobs that raised",
                                     labels=["queue"])
        queued = GaugeMetricFamily("newsdesk_queue_length", "Jobs waiting", labels=["queue"])
        for name in queues.ALL:
            count.add_metric([name], raw.get(f"jobs:{name}:count", 0))
            seconds.add_metric([name], raw.get(f"jobs:{name}:seconds", 0))
            failed.add_metric([name], raw.get(f"jobs:{name}:failed", 0))
            queued.add_metric([name], queues.queue(self.r, name).count)
        yield from (count, seconds, failed, queued)
        sources = GaugeMetricFamily("newsdesk_source_consecutive_failures",
                                    "Failed refreshes in a row", labels=["source"])
        for source in store.list_sources(self.r):
            state = store.source_state(self.r, source["id"])
            sources.add_metric([source["id"]], float(state.get("failures") or 0))
        yield sources


def exposition(r: redis.Redis) -> bytes:
    """The web tier's own counters, then the workers' numbers from Redis (if reachable)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        own = CollectorRegistry()
        MultiProcessCollector(own)
    else:
        own = REGISTRY
    text = generate_latest(own)
    try:
        r.ping()
    except redis.RedisError:
        return text
    shared = CollectorRegistry()
    shared.register(RedisCollector(r))
    return text + generate_latest(shared)
