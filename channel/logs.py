"""JSON log lines carrying the request id or job id, so one story can be followed end to end."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

import orjson


class ContextFilter(logging.Filter):
    """Attach the current Flask request id and RQ job id, when there is one."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            from flask import g, has_request_context

            if has_request_context():
                record.request_id = g.get("request_id")
        except ImportError:
            pass
        from rq import get_current_job

        job = get_current_job()
        if job is not None:
            record.job_id = job.id
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for field in ("request_id", "job_id"):
            if getattr(record, field, None):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(line).decode()


def configure(level: int = logging.INFO) -> None:
    """One JSON handler on the root logger (idempotent)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root.handlers = [handler]
    root.setLevel(level)
