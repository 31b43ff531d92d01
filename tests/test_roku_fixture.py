"""The Roku channel's tests parse a feed Newsdesk itself produced; keep that fixture current.

Run with NEWSDESK_WRITE_FIXTURES=1 to rewrite roku/tests/fixtures/feed.json from this pipeline.
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from channel import schemas
from tests.conftest import run_worker
from tests.newsroom import load_newsroom
from workers import queues

FIXTURE = Path(__file__).resolve().parents[1] / "roku" / "tests" / "fixtures" / "feed.json"


def test_roku_fixture_is_a_feed_this_pipeline_produces(settings, r, client, tmp_path):
    load_newsroom(r, tmp_path)
    queues.enqueue_refresh_all(r, settings)
    run_worker(r)
    produced = orjson.loads(client.get("/v1/feed.json").data)
    if os.environ.get("NEWSDESK_WRITE_FIXTURES") == "1":
        FIXTURE.write_bytes(orjson.dumps(produced, option=orjson.OPT_INDENT_2) + b"\n")
    saved = orjson.loads(FIXTURE.read_bytes())
    schemas.validate("channel-feed", saved)
    shape = [(row["id"], sorted(c["id"] for c in row["items"])) for row in produced["rows"]]
    assert [(row["id"], sorted(c["id"] for c in row["items"])) for row in saved["rows"]] == shape
