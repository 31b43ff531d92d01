"""Redis and its Sentinels behind passwords (as docker-compose.ha.yml runs them): Newsdesk's
settings reach the primary, and its writes are acknowledged by the replica."""

from __future__ import annotations

import time

import pytest

from channel import replication
from channel.config import Settings
from channel.redisconn import connect_to
from tests.ha.cluster import cluster

pytestmark = pytest.mark.timeout(90)


def test_passwords_for_redis_and_for_the_sentinels(tmp_path, monkeypatch):
    with cluster(tmp_path, password="redis-pass-0123", sentinel_password="sentinel-pass-0123") as c:
        monkeypatch.delenv("REDIS_URL", raising=False)
        for name, value in c.sentinel_env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("REDIS_PASSWORD", "redis-pass-0123")
        monkeypatch.setenv("REDIS_SENTINEL_PASSWORD", "sentinel-pass-0123")
        r = connect_to(Settings.from_env())
        r.set("nd:test:auth", "1")
        assert replication.confirm_replicated(r) is True  # the replica holds it
        assert c.replica.client().get("nd:test:auth") == b"1"
        r.close()

        # A dead Sentinel (the first one asked) costs a new connection no waiting.
        c.sentinels[0].kill()
        started = time.monotonic()
        assert connect_to(Settings.from_env()).ping()
        assert time.monotonic() - started < 1.0

        # A wrong Sentinel password is a prompt error, not a minute of retries.
        monkeypatch.setenv("REDIS_SENTINEL_PASSWORD", "wrong-password-0123")
        started = time.monotonic()
        with pytest.raises(Exception, match="(?i)auth|password|master"):
            connect_to(Settings.from_env()).ping()
        assert time.monotonic() - started < 5.0
