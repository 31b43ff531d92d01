"""``newsdesk up``: run the whole system in the foreground and stop all of it on Ctrl-C/SIGTERM."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

from channel import actions
from channel.cli.helpers import operator
from channel.config import ROOT, Settings
from channel.redisconn import EmbeddedRedis, connect_to, die_with_parent

log = logging.getLogger("newsdesk.up")

RESTART_LIMIT = 5


class Supervisor:
    def __init__(self, settings: Settings, host: str, port: int, workers: int,
                 config: Path | None):
        self.settings = settings
        self.host, self.port, self.workers = host, port, workers
        self.config = config
        self.redis: EmbeddedRedis | None = None
        self.children: dict[str, subprocess.Popen] = {}
        self.restarts: dict[str, int] = {}
        self.stopping = False

    def _commands(self) -> dict[str, list[str]]:
        py = sys.executable
        commands = {
            "web": [
                py,
                "-m",
                "gunicorn",
                "--bind",
                f"{self.host}:{self.port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--graceful-timeout",
                "10",
                "--access-logfile",
                "-",
                "app:create_app()",
            ],
            "scheduler": [py, "-m", "channel.cli", "scheduler"],
        }
        for n in range(self.workers):
            commands[f"worker-{n + 1}"] = [py, "-m", "channel.cli", "worker"]
        return commands

    def _spawn(self, name: str, command: list[str]) -> None:
        # Children get their own session: the supervisor alone decides the order of shutdown.
        self.children[name] = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(),
                                               start_new_session=True,
                                               preexec_fn=die_with_parent)

    def _environment(self, settings: Settings) -> Settings:
        """Supply what the settings lack (Redis, a token, the public URL); children inherit it."""
        if not settings.redis_configured:
            self.redis = EmbeddedRedis(settings.data_dir / "redis").start()
            settings = replace(settings, redis_url=self.redis.url)
            log.info(
                "started embedded Redis at %s (data in %s)", self.redis.url, self.redis.directory
            )
        self.token_generated = not settings.admin_token
        if self.token_generated:
            settings = replace(settings, admin_token=secrets.token_urlsafe(24))
        if "NEWSDESK_PUBLIC_URL" not in os.environ:
            settings = replace(settings, public_url=f"http://{self.host}:{self.port}")
        if settings.redis_url:  # Sentinel settings are in the environment already
            os.environ["REDIS_URL"] = settings.redis_url
        os.environ.update(NEWSDESK_ADMIN_TOKEN=settings.admin_token,
                          NEWSDESK_PUBLIC_URL=settings.public_url)
        # gunicorn's workers share their Prometheus counters through files in this folder.
        metrics_dir = settings.data_dir / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        return settings

    def _wait_for_web(self, timeout: float = 30) -> bool:
        url = f"http://{self.host}:{self.port}/healthz"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.children["web"].poll() is not None:
                return False
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    return response.status == 200
            except OSError:
                time.sleep(0.2)
        return False

    def _stop(self, *_: object) -> None:
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        try:
            return self._run()
        finally:
            self.shutdown()

    def _run(self) -> int:
        settings = self._environment(self.settings)
        r = connect_to(settings)
        config = self.config or settings.channel_config
        doc = actions.load_config(r, config, who=operator())
        log.info("loaded %s: %d sources", config, len(doc["sources"]))
        for name, command in self._commands().items():
            self._spawn(name, command)
        if not self._wait_for_web():
            log.error("the web server did not start on %s:%d", self.host, self.port)
            return 1
        actions.refresh(r, settings, {})  # everything, at once
        base = settings.public_url
        # The token is printed once, and only when it was made for this run: one the operator
        # supplied is theirs already, and terminals and CI logs are kept.
        token = (f"Operator token (made for this run; set NEWSDESK_ADMIN_TOKEN to choose one): "
                 f"{settings.admin_token}\n" if self.token_generated
                 else "Operator token: your NEWSDESK_ADMIN_TOKEN\n")
        print(
            f"\nFeed: {base}/v1/feed.json\n"
            f"Console: {base}/console (log in with the operator token)\n"
            f"Roku Direct Publisher export: {base}/v1/roku.json\n"
            f"Roku Search feed: {base}/v1/roku-search.json\n"
            f"Media RSS (Fire TV, FAST, players): {base}/v1/mrss.xml\n"
            f"Health: {base}/healthz and {base}/readyz; metrics: {base}/metrics\n"
            f"Operator API: {base}/v1/ops (Authorization: Bearer <operator token>)\n"
            f"{token}"
            f"Redis: {settings.redis_description()}\n"
            f"CLI: {_cli_hint(settings)}; .venv/bin/newsdesk --help\n"
            "Press Ctrl-C to stop.\n",
            flush=True,
        )
        commands = self._commands()
        while not self.stopping:
            time.sleep(0.5)
            for name, child in list(self.children.items()):
                if child.poll() is None or self.stopping:
                    continue
                self.restarts[name] = self.restarts.get(name, 0) + 1
                if self.restarts[name] > RESTART_LIMIT:
                    log.error("%s keeps exiting (code %s); stopping", name, child.returncode)
                    return 1
                log.warning("%s exited with %s; restarting", name, child.returncode)
                self._spawn(name, commands[name])
        return 0

    def shutdown(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.children.clear()
        if self.redis:
            self.redis.stop()
            self.redis = None


def _cli_hint(settings: Settings) -> str:
    """How a second terminal reaches the same Redis."""
    if settings.redis_sentinels:
        where = ",".join(f"{h}:{p}" for h, p in settings.redis_sentinels)
        return (f"export REDIS_SENTINELS={where} "
                f"REDIS_SENTINEL_MASTER={settings.redis_sentinel_master}")
    return f"export REDIS_URL={settings.redis_url}"
