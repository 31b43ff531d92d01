"""The web tier keeps serving its copy when Redis has lost the live version (after a failover
to a replica that never got the pointer, or a restart without AOF), instead of a 503."""

from __future__ import annotations

from channel import keys
from tests.conftest import run_worker
from tests.newsroom import load_newsroom
from workers import queues


def test_a_lost_pointer_keeps_the_copy_served(client, r, settings, tmp_path):
    load_newsroom(r, tmp_path)
    queues.enqueue_refresh_all(r, settings)
    run_worker(r)
    served = client.get("/v1/feed.json")
    assert served.status_code == 200 and "Warning" not in served.headers
    r.delete(keys.FEED_CURRENT)
    for _ in range(2):  # not once: every poll until a version is published again
        again = client.get("/v1/feed.json")
        assert again.status_code == 200 and again.data == served.data
        assert again.headers["Warning"] == '110 - "Response is Stale"'
    queues.request_publish(r, settings)
    run_worker(r)  # the next publish brings a pointer back, and the copy is fresh again
    assert "Warning" not in client.get("/v1/feed.json").headers
