"""Newsdesk's own processes for the HA tests (web, workers, scheduler, CLI), and a TV that polls.

Every process runs in its own session and is stopped, with everything under it, by the test
that started it; their output goes to one log file per test, printed when a test fails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "ha-test-admin-token-0123"


def newsdesk_env(tmp: Path, redis_env: dict[str, str], **extra: str) -> dict[str, str]:
    """The environment of every Newsdesk process of a test: its Redis settings, nothing else's."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("REDIS_", "NEWSDESK_", "PROMETHEUS_"))}
    metrics = tmp / "metrics"
    metrics.mkdir(exist_ok=True)
    env.update(redis_env, NEWSDESK_ADMIN_TOKEN=TOKEN, NEWSDESK_PUBLIC_URL="http://newsdesk.test",
               NEWSDESK_POINTER_TTL="0.2", NEWSDESK_ITEMS_PER_ROW="100",
               PROMETHEUS_MULTIPROC_DIR=str(metrics), PYTHONUNBUFFERED="1", **extra)
    return env


@dataclass
class Processes:
    """The processes one test started, stopped in reverse order by stop_all()."""

    log: Path
    started: list[subprocess.Popen] = field(default_factory=list)

    def spawn(self, args: list[str], env: dict[str, str], prefix: list[str] | None = None,
              ) -> subprocess.Popen:
        """`args` run by this venv's Python; `prefix` (e.g. ip netns exec NAME) wraps it."""
        out = self.log.open("ab")
        proc = subprocess.Popen([*(prefix or []), sys.executable, *args], cwd=ROOT, env=env,
                                stdout=out, stderr=out, start_new_session=True)
        self.started.append(proc)
        return proc

    def web(self, env: dict[str, str], bind: str, prefix: list[str] | None = None):
        return self.spawn(["-m", "gunicorn", "--bind", bind, "--workers", "1", "--threads", "8",
                           "--graceful-timeout", "5", "app:create_app()"], env, prefix)

    def worker(self, env: dict[str, str], name: str, prefix: list[str] | None = None):
        return self.spawn(["-m", "channel.cli", "worker", "--name", name], env, prefix)

    def scheduler(self, env: dict[str, str], prefix: list[str] | None = None):
        return self.spawn(["-m", "channel.cli", "scheduler"], env, prefix)

    def cli(self, env: dict[str, str], *args: str, timeout: float = 60) -> str:
        done = subprocess.run([sys.executable, "-m", "channel.cli", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, f"newsdesk {' '.join(args)}: {done.stderr}"
        return done.stdout

    def stop(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            except ProcessLookupError:
                pass

    def stop_all(self) -> None:
        for proc in reversed(self.started):
            self.stop(proc)

    def tail(self, lines: int = 80) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


class TV(threading.Thread):
    """Polls the feed as a TV does, from start() to stop(): every answer is counted."""

    def __init__(self, url: str, every: float = 0.05):
        super().__init__(name="tv", daemon=True)
        self.url, self.every = url, every
        self.statuses: Counter[str] = Counter()
        self.versions: list[int] = []
        self.errors: list[str] = []
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                with urllib.request.urlopen(self.url, timeout=10) as response:
                    response.read()
                    self.statuses[str(response.status)] += 1
                    self.versions.append(int(response.headers["X-Feed-Version"]))
            except urllib.error.HTTPError as exc:
                self.statuses[str(exc.code)] += 1
                self.errors.append(f"{time.strftime('%X')} HTTP {exc.code}")
            except OSError as exc:
                self.statuses["no answer"] += 1
                self.errors.append(f"{time.strftime('%X')} {exc}")
            self._stopping.wait(self.every)

    def stop(self) -> None:
        self._stopping.set()
        if self.is_alive():
            self.join(timeout=15)

    @property
    def polls(self) -> int:
        return sum(self.statuses.values())
