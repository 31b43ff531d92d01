"""Real Redis servers for the HA tests: a primary, its replica and three Sentinels, each on its
own port and in its own temporary folder, stopped (and their folders removed) afterwards.

Nothing here is faked: the servers are the `redis-server` binary the rest of the suite uses,
and the Sentinels are the same binary started with `--sentinel`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import redis

from channel.redisconn import die_with_parent, redis_server_binary

MASTER = "newsdesk"
DOWN_AFTER_MS = 1000  # how long a primary may be silent before a Sentinel calls it down


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, step: float = 0.1):
    """The predicate's first true value within `timeout` seconds, else None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except (redis.RedisError, OSError):
            value = None
        if value:
            return value
        time.sleep(step)
    return None


@dataclass
class Node:
    """One redis-server (or Sentinel) process on host:port, data and log in `directory`."""

    directory: Path
    host: str
    port: int
    args: list[str] = field(default_factory=list)
    password: str | None = None  # what this node asks its clients for (requirepass)
    process: subprocess.Popen | None = None

    @property
    def log(self) -> Path:
        return self.directory / "server.log"

    def client(self, **kwargs) -> redis.Redis:
        return redis.Redis(self.host, self.port, socket_timeout=2, socket_connect_timeout=2,
                           password=self.password, **kwargs)

    def start(self, extra: list[str] | None = None, timeout: float = 10.0) -> Node:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [redis_server_binary(), *self.args, *(extra or []), "--logfile", str(self.log)],
            cwd=self.directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=die_with_parent)
        if not wait_for(lambda: self.process.poll() is None and self.client().ping(), timeout):
            raise RuntimeError(f"redis on {self.host}:{self.port} did not start:\n{self.tail()}")
        return self

    def kill(self) -> None:
        """SIGKILL: the server gets no chance to say goodbye to its replica or its clients."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def synced(self) -> bool:
        """A replica whose link to its primary is up."""
        info = self.client().info("replication")
        return info.get("role") == "slave" and info.get("master_link_status") == "up"

    def tail(self, lines: int = 20) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def redis_node(directory: Path, host: str, port: int, replica_of: Node | None = None,
               password: str | None = None) -> Node:
    """A data server with AOF on, as in docker-compose.ha.yml."""
    args = ["--bind", host, "--port", str(port), "--dir", str(directory), "--appendonly", "yes",
            "--save", "", "--maxmemory-policy", "noeviction", "--protected-mode", "no",
            "--repl-diskless-sync-delay", "0"]
    if replica_of is not None:
        args += ["--replicaof", replica_of.host, str(replica_of.port)]
    if password:
        args += ["--requirepass", password, "--masterauth", password]
    return Node(directory, host, port, args, password)


def sentinel_node(directory: Path, host: str, port: int, primary: Node, quorum: int = 2,
                  password: str | None = None) -> Node:
    """A Sentinel watching `primary`; its config file is its own (Sentinel rewrites it)."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "sentinel.conf"
    config.write_text(
        f"bind {host}\nport {port}\ndir {directory}\nprotected-mode no\n"
        f"sentinel monitor {MASTER} {primary.host} {primary.port} {quorum}\n"
        f"sentinel down-after-milliseconds {MASTER} {DOWN_AFTER_MS}\n"
        f"sentinel failover-timeout {MASTER} 10000\n"
        f"sentinel parallel-syncs {MASTER} 1\n"
        + (f"sentinel auth-pass {MASTER} {primary.password}\n" if primary.password else "")
        + (f"requirepass {password}\nsentinel sentinel-pass {password}\n" if password else ""))
    return Node(directory, host, port, [str(config), "--sentinel"], password)


@dataclass
class Cluster:
    primary: Node
    replica: Node
    sentinels: list[Node]

    @property
    def sentinel_env(self) -> dict[str, str]:
        """What a Newsdesk process needs to reach this cluster's primary through Sentinel."""
        return {"REDIS_SENTINELS": ",".join(f"{s.host}:{s.port}" for s in self.sentinels),
                "REDIS_SENTINEL_MASTER": MASTER}

    def master_address(self) -> tuple[str, int] | None:
        """What a majority of the Sentinels answer as the primary's address."""
        answers = []
        for s in self.sentinels:
            try:
                host, port = s.client(decode_responses=True).sentinel_get_master_addr_by_name(
                    MASTER)
                answers.append((host, int(port)))
            except (redis.RedisError, TypeError, ValueError):
                continue
        for answer in set(answers):
            if answers.count(answer) >= 2:
                return answer
        return None

    def nodes(self) -> list[Node]:
        return [self.primary, self.replica, *self.sentinels]


@contextlib.contextmanager
def cluster(root: Path, host: str = "127.0.0.1", password: str | None = None,
            sentinel_password: str | None = None) -> Iterator[Cluster]:
    """A primary, a synced replica and three Sentinels that agree on the primary."""
    primary = redis_node(root / "primary", host, free_port(host), password=password)
    replica = redis_node(root / "replica", host, free_port(host), replica_of=primary,
                         password=password)
    sentinels = [sentinel_node(root / f"sentinel-{n}", host, free_port(host), primary,
                               password=sentinel_password) for n in (1, 2, 3)]
    found = Cluster(primary, replica, sentinels)
    try:
        primary.start()
        replica.start()
        if not wait_for(lambda: replica.synced(), 15):
            raise RuntimeError("replica did not sync:\n" + replica.tail())
        for s in sentinels:
            s.start()
        # Every Sentinel knows the replica and the other Sentinels before anything is killed.
        def settled() -> bool:
            for s in sentinels:
                info = s.client(decode_responses=True).sentinel_master(MASTER)
                if int(info["num-slaves"]) < 1 or int(info["num-other-sentinels"]) < 2:
                    return False
            return True
        if not wait_for(settled, 30, step=0.3):
            raise RuntimeError("Sentinels did not discover each other:\n" + sentinels[0].tail())
        yield found
    finally:
        for node in found.nodes():
            node.stop()
