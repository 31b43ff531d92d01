"""Sentinel settings, the replica wait and the publish fence, against the suite's real Redis."""

from __future__ import annotations

import time

import pytest

from channel import clock, keys, replication
from channel.config import Settings, sentinel_addresses
from channel.feed import publish
from channel.redisconn import connect_to
from tests.conftest import run_worker
from tests.newsroom import load_newsroom
from workers import queues


def test_sentinels_are_read_from_the_environment(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("REDIS_SENTINELS", "sentinel-1:26379, sentinel-2:26380,[::1]:26381")
    monkeypatch.setenv("REDIS_SENTINEL_MASTER", "tv")
    monkeypatch.setenv("REDIS_SENTINEL_PASSWORD", "s3cret-sentinel")
    monkeypatch.setenv("REDIS_PASSWORD", "s3cret-redis")
    found = Settings.from_env()
    assert found.redis_sentinels == (("sentinel-1", 26379), ("sentinel-2", 26380), ("::1", 26381))
    assert found.redis_sentinel_master == "tv" and found.redis_configured
    assert "s3cret" not in found.redis_description()


@pytest.mark.parametrize("raw", ["sentinel-1", "sentinel-1:", ":26379", "host:99999", "a:b"])
def test_a_malformed_sentinel_address_is_named(raw):
    with pytest.raises(ValueError, match="REDIS_SENTINELS entry"):
        sentinel_addresses(raw)


def test_redis_url_and_sentinels_together_stop_every_process(settings, monkeypatch, cli):
    monkeypatch.setenv("REDIS_SENTINELS", "127.0.0.1:26379")
    with pytest.raises(ValueError, match="not both"):
        Settings.from_env()
    result = cli("status")
    assert result.exit_code == 2 and "not both" in result.stderr


def test_a_url_in_messages_has_no_password():
    shown = Settings(redis_url="redis://:hunter2hunter2@redis:6379/0").redis_description()
    assert "hunter2" not in shown and "redis:6379" in shown


def test_one_redis_has_no_replica_to_wait_for(settings, r):
    """Plain REDIS_URL: the replica wait is skipped, not a second of delay per write."""
    started = time.monotonic()
    assert replication.confirm_replicated(connect_to(settings)) is None
    assert time.monotonic() - started < 0.5


def test_the_shared_clock_is_the_redis_servers(r):
    assert abs(clock.now(r) - time.time()) < 2  # the same machine here


def test_a_live_version_is_never_replaced_by_an_older_or_equal_number(settings, r, tmp_path):
    """What keeps a worker cut off mid-publish (or one holding a number a failover handed out
    twice) from putting its build live over the newer one."""
    load_newsroom(r, tmp_path)
    queues.enqueue_refresh_all(r, settings)
    run_worker(r)
    live = int(r.get(keys.FEED_CURRENT))
    kept = r.hget(keys.feed_version(live), "feed.etag")
    stale = {"digest": "stale", "feed.etag": '"stale"'}
    for number in (live, live - 1):
        assert publish._switch(r, number, stale, settings.feed_versions_kept) == live
    assert int(r.get(keys.FEED_CURRENT)) == live
    assert r.hget(keys.feed_version(live), "feed.etag") == kept


def test_a_redis_error_mid_command_is_one_line_not_a_traceback(cli, r):
    """What an operator sees when Redis fails under a command (a failover under way)."""
    r.set(keys.SOURCES, "not a set")  # every command reading the sources now gets an error
    result = cli("sources", "list")
    assert result.exit_code == 1 and "WRONGTYPE" in result.stderr
    assert "Traceback" not in result.stderr
