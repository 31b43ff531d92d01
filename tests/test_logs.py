"""Log lines carry the request id of the request they were written in, and nothing after it."""

from __future__ import annotations

import logging

from channel import logs


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.addFilter(logs.ContextFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_request_id_reaches_the_log_lines_of_its_request_only(client):
    handler = _Records()
    console = logging.getLogger("channel.web.console")
    console.addHandler(handler)
    console.setLevel(logging.INFO)
    try:
        response = client.post("/console/login", data={"token": "wrong"},
                               headers={"X-Request-Id": "abc123"})
        assert response.status_code == 401 and response.headers["X-Request-Id"] == "abc123"
        logging.getLogger("channel.web.console").info("after the request")
    finally:
        console.removeHandler(handler)
    during, after = handler.records
    assert during.getMessage().startswith("console login refused")
    assert during.request_id == "abc123"
    assert not hasattr(after, "request_id")
    line = logs.JsonFormatter().format(during)
    assert '"request_id":"abc123"' in line
