"""Test fixtures: a private Redis server, the app, and an in-process RQ worker.

The Redis server is started for the test session on its own unix socket, so tests never touch
anyone else's data and may flush it freely.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from rq import SimpleWorker

from channel.config import Settings
from channel.redisconn import EmbeddedRedis, connect
from workers.worker import NewsdeskWorker

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "test-admin-token"


@pytest.fixture(scope="session")
def redis_server() -> Iterator[EmbeddedRedis]:
    directory = Path(tempfile.mkdtemp(prefix="nd-test-redis-"))
    server = EmbeddedRedis(directory).start(persist=False)
    yield server
    server.stop()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def settings(redis_server: EmbeddedRedis, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for this test; jobs read the same values from the environment."""
    env = {
        "REDIS_URL": redis_server.url,
        "NEWSDESK_PUBLIC_URL": "http://newsdesk.test",
        "NEWSDESK_ADMIN_TOKEN": TOKEN,
        "NEWSDESK_POINTER_TTL": "0",  # every request sees the newest version at once
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings.from_env()


@pytest.fixture
def r(settings: Settings) -> Iterator[redis.Redis]:
    client = connect(settings.redis_url)
    client.flushdb()  # our own server: everything in it was written by these tests
    yield client
    client.close()


@pytest.fixture
def app(settings: Settings, r: redis.Redis):
    from app import create_app

    application = create_app(settings)
    application.testing = True
    from channel.web import public

    public.live_feed.current = None  # each test starts with an empty in-process copy
    return application


@pytest.fixture
def client(app):
    return app.test_client()


class InProcessWorker(NewsdeskWorker):
    """Newsdesk's worker (in-process, as in production, with its liveness heartbeat)."""


def run_worker(r: redis.Redis) -> SimpleWorker:
    """Run every queued job (and the jobs they queue) in-process with a real RQ worker.

    Its settings are read from the environment as it starts, as `newsdesk worker` does, so a test
    that sets NEWSDESK_* variables before calling this sees them in its jobs.
    """
    from workers import queues

    worker = InProcessWorker([queues.queue(r, q) for q in queues.ALL], connection=r,
                             settings=Settings.from_env())  # read now, as a worker starting
    worker.work(burst=True)
    return worker


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    """Run ``newsdesk ARGS...`` in-process as USER=tester; REDIS_URL comes from `settings`."""
    from click.testing import CliRunner

    from channel.cli import main

    monkeypatch.setenv("USER", "tester")
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}
