"""A bounded soak of the whole system: simulated TVs poll the feed through a refresh and a crash.

    .venv/bin/python bench/soak.py [--seconds 60] [--tvs 300] [--articles 100]

Why: the benchmarks time one path at a time; this checks what a TV sees while everything behind
the feed is busy and one part dies. Everything runs on 127.0.0.1 and is started (and stopped,
also on errors and Ctrl-C) by this script, as real processes:

  * a private Redis (EmbeddedRedis, unix socket, no persistence) in a temporary directory;
  * ``python -m channel.cli up --port P --workers 2 --config <generated channel>`` with REDIS_URL
    pointing at that Redis and a fresh NEWSDESK_ADMIN_TOKEN; the channel is a generated folder
    source of --articles JSON stories with 16:9 pictures, so a full refresh takes a while.

After the first feed is live and the start-up refresh has settled, --tvs simulated TVs (asyncio,
raw HTTP/1.1 keep-alive sockets) poll ``/v1/feed.json`` every 1-5 s with jitter, sending
``If-None-Match`` with the ETag of the last body they received and ``Accept-Encoding: gzip``.
At 20% of the run every article file is rewritten and ``POST /v1/ops/refresh {}`` queues a full
refresh; from 40% the script waits (up to 20% of the run) for a worker that is running a job
and kills it and its work horse with SIGKILL (`newsdesk up` restarts the worker).

Errors are anything but 200/304, a timeout (10 s), a dropped connection that a retry on a fresh
connection does not cure, or a 200 body that is not the version its X-Feed-Version names (each new
ETag's body is also validated against the channel-feed schema once).

Staleness: a thread samples ``nd:feed:current`` every 20 ms and records each change. A response
is stale when the version it carries (X-Feed-Version) was no longer the live one at the moment
its request was sent; its staleness is the time since that version was replaced. The sampler
can only lag a real switch, so this never invents staleness but may miss up to ~20 ms of it.
The report also counts changes of the pointer to a lower version number (a feed going back).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import gzip
import http.client
import math
import os
import random
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402
import redis  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from channel import keys, schemas  # noqa: E402
from channel.config import Settings  # noqa: E402
from channel.redisconn import EmbeddedRedis, connect, die_with_parent  # noqa: E402

REQUEST_TIMEOUT = 10.0  # seconds: a poll slower than this counts as an error
IDLE_REUSE = 1.5  # seconds: gunicorn closes idle keep-alive connections after 2 s
SAMPLE_EVERY = 0.02  # seconds between reads of nd:feed:current
UPDATE_MARK = "(update"

CATEGORIES = [
    ("world", "World"), ("business", "Business"), ("science", "Science"),
    ("local", "Local"), ("sport", "Sport"),
]
PLACES = ["Corrin", "Aldwater", "Westmarch", "Lakeland", "Port Ennis", "Harrow Vale", "Tillbury",
          "North Fen", "Saltmere", "Oakridge"]
SUBJECTS = ["council", "harbour authority", "university", "football club", "water board",
            "rail operator", "hospital trust", "farmers' union", "observatory", "chamber of trade"]
ACTIONS = ["approves new budget", "opens a second site", "delays its decision",
           "reports record numbers", "signs a regional accord", "names a new director",
           "starts a public consultation", "wins national award", "cuts waiting times",
           "expands its winter service"]
WORDS = ("the a regional officials said on Thursday that plans for new work would continue "
         "through the winter while residents asked for clearer timetables and funding from the "
         "national government was expected to arrive before spring according to figures "
         "published by the office this week several groups welcomed the move but others warned "
         "about costs delays and the impact on local services in the coming months").split()


# -- the generated channel ----------------------------------------------------------------------


@dataclass
class Story:
    stem: str
    title: str
    category: str
    published: str
    byline: str
    paragraphs: list[str]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(14, 24))]
    return f"{rng.choice(PLACES)} {' '.join(words)}."


def make_stories(count: int, seed: int) -> list[Story]:
    """Distinct, deterministic stories spread over the categories, newest first."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    stories = []
    for n in range(count):
        title = (f"{PLACES[n % len(PLACES)]} {SUBJECTS[(n // 10) % len(SUBJECTS)]} "
                 f"{ACTIONS[(n * 7) % len(ACTIONS)]} (story {n + 1})")
        paragraphs = [" ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
                      for _ in range(rng.randint(4, 6))]
        stories.append(Story(
            stem=f"{n + 1:03d}-story", title=title, category=CATEGORIES[n % len(CATEGORIES)][0],
            published=(now - timedelta(minutes=7 * n)).isoformat(), byline="Soak Desk",
            paragraphs=paragraphs,
        ))
    return stories


def write_story(folder: Path, story: Story, update: int = 0) -> None:
    """One JSON article; an update changes its title and adds a paragraph, so it is reprocessed."""
    title = story.title if not update else f"{story.title} {UPDATE_MARK} {update})"
    paragraphs = story.paragraphs if not update else [
        *story.paragraphs, f"This story was updated (revision {update}) during a soak run."]
    doc = {"title": title, "category": story.category, "published": story.published,
           "byline": story.byline, "paragraphs": paragraphs}
    tmp = folder / f".{story.stem}.json.tmp"  # not an article suffix: never read half-written
    tmp.write_bytes(orjson.dumps(doc))
    tmp.replace(folder / f"{story.stem}.json")


def make_channel(root: Path, stories: list[Story], seed: int) -> Path:
    """A channel config with one folder source holding every story and its 16:9 picture."""
    folder = root / "articles"
    folder.mkdir(parents=True)
    rng = random.Random(seed)
    for story in stories:
        write_story(folder, story)
        image = Image.new("RGB", (1280, 720), tuple(rng.randrange(30, 200) for _ in range(3)))
        draw = ImageDraw.Draw(image)
        x, y = rng.randrange(200, 1000), rng.randrange(150, 500)
        draw.ellipse((x - 120, y - 120, x + 120, y + 120), fill=(230, 180, 150))
        draw.rectangle((0, 600, 1280, 720), fill=tuple(rng.randrange(0, 255) for _ in range(3)))
        image.save(folder / f"{story.stem}.jpg", "JPEG", quality=80)
    config = {
        "provider": "Newsdesk Soak",
        "language": "en",
        # A live stream keeps the Roku export valid (no story here carries a video).
        "liveStream": {"id": "live", "title": "Soak Live", "url": "/live/index.m3u8",
                       "videoType": "HLS"},
        "categories": [{"id": cid, "title": title} for cid, title in CATEGORIES],
        # A long interval: the only full refresh during the soak is the one this script asks for.
        "sources": [{"id": "soak", "kind": "folder", "path": "articles", "category": "local",
                     "interval": 3600, "max_items": 500}],
    }
    path = root / "channel.json"
    path.write_bytes(orjson.dumps(config))
    return path


# -- processes ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def descendants(pid: int) -> list[int]:
    """Every live process below pid (children first), read from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = _ppid(int(entry))
            if parent is not None:
                parents.setdefault(parent, []).append(int(entry))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@dataclass
class System:
    """The Redis and the `newsdesk up` process tree this soak started; stop() ends all of it."""

    tmp: Path
    port: int
    token: str
    workers: int
    redis_server: EmbeddedRedis | None = None
    up: subprocess.Popen | None = None
    log_file: Any = None
    command: list[str] = field(default_factory=list)

    @property
    def log_path(self) -> Path:
        return self.tmp / "up.log"

    def start(self, config: Path) -> redis.Redis:
        self.redis_server = EmbeddedRedis(self.tmp / "redis").start(persist=False)
        env = {**os.environ, "REDIS_URL": self.redis_server.url,
               "NEWSDESK_ADMIN_TOKEN": self.token,
               "NEWSDESK_PUBLIC_URL": f"http://127.0.0.1:{self.port}",
               "NEWSDESK_DATA_DIR": str(self.tmp / "var"), "PYTHONUNBUFFERED": "1"}
        env.pop("NEWSDESK_TOKENS", None)
        self.command = [sys.executable, "-m", "channel.cli", "up", "--port", str(self.port),
                        "--workers", str(self.workers), "--config", str(config)]
        self.log_file = self.log_path.open("wb")
        # Its own session: a Ctrl-C in this terminal reaches only the soak, which then stops
        # the tree in order (supervisor first, which stops its children, then Redis).
        self.up = subprocess.Popen(self.command, cwd=ROOT, env=env, stdout=self.log_file,
                                   stderr=subprocess.STDOUT, start_new_session=True,
                                   preexec_fn=die_with_parent)
        return connect(self.redis_server.url)

    def alive(self) -> bool:
        return self.up is not None and self.up.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.up is not None:
            tree = {pid: _cmdline(pid) for pid in descendants(self.up.pid)}
            if self.up.poll() is None:
                self.up.send_signal(signal.SIGTERM)
                try:
                    self.up.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    print(f"newsdesk up (pid {self.up.pid}) did not stop; killing it",
                          file=sys.stderr)
                    self.up.kill()
                    self.up.wait()
            for pid, cmdline in tree.items():  # only the very processes seen under `up`
                if cmdline and _cmdline(pid) == cmdline:
                    print(f"pid {pid} outlived `newsdesk up`; killing it", file=sys.stderr)
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
            self.up = None
        if self.log_file is not None:
            self.log_file.close()
            self.log_file = None
        if self.redis_server is not None:
            self.redis_server.stop()
            self.redis_server = None


def http_call(port: int, method: str, path: str, headers: dict[str, str] | None = None,
              body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def queues_idle(r: redis.Redis) -> bool:
    """No job queued or running on any Newsdesk queue."""
    from workers import queues

    for name in queues.ALL:
        q = queues.queue(r, name)
        # get_job_count(cleanup=False): `.count` would run RQ's cleanup, and an observer must
        # not move jobs between registries itself.
        if q.count or q.started_job_registry.get_job_count(cleanup=False):
            return False
    return True


def wait_until(what: str, check, timeout: float, system: System, every: float = 0.25) -> None:
    """Poll check() until it is true; fail with the log tail if `up` dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not system.alive():
            raise RuntimeError(f"newsdesk up exited while waiting for {what}:\n"
                               f"{system.log_tail()}")
        with contextlib.suppress(OSError, redis.RedisError):
            if check():
                return
        time.sleep(every)
    raise RuntimeError(f"timed out after {timeout:.0f}s waiting for {what}:\n{system.log_tail()}")


# -- the feed version over time -------------------------------------------------------------------


class VersionWatch(threading.Thread):
    """Samples nd:feed:current and records every change of it: (monotonic time, version)."""

    def __init__(self, url: str) -> None:
        super().__init__(name="version-watch", daemon=True)
        self.r = connect(url)
        self.changes: list[tuple[float, int]] = []
        self.stop_event = threading.Event()

    def run(self) -> None:
        while not self.stop_event.is_set():
            with contextlib.suppress(redis.RedisError, ValueError, TypeError):
                version = int(self.r.get(keys.FEED_CURRENT))
                if not self.changes or self.changes[-1][1] != version:
                    self.changes.append((time.monotonic(), version))
            self.stop_event.wait(SAMPLE_EVERY)

    def staleness(self, version: int, sent: float) -> float:
        """Seconds since the served version stopped being the live one, at the moment the
        request was sent (0: it was live, or the sampler never saw it live before)."""
        changes = self.changes[: bisect.bisect_right(self.changes, (sent, math.inf))]
        if not changes or changes[-1][1] == version:
            return 0.0
        for (_, live), (replaced_at, _) in zip(reversed(changes[:-1]), reversed(changes[1:]),
                                               strict=True):
            if live == version:
                return sent - replaced_at
        return 0.0

    def backwards(self) -> list[tuple[int, int]]:
        """Every change of the pointer to a lower version number than the one it replaced."""
        return [(a, b) for (_, a), (_, b) in zip(self.changes, self.changes[1:], strict=False)
                if b < a]


# -- the simulated TVs ----------------------------------------------------------------------------


class StaleConnection(Exception):
    """The server closed a reused keep-alive connection before answering; retry on a new one."""


@dataclass
class Poll:
    tv: int
    sent: float  # monotonic
    seconds: float
    status: int  # 0 when no response
    version: int | None
    error: str | None = None


@dataclass
class Results:
    polls: list[Poll] = field(default_factory=list)
    connections: int = 0
    retries: int = 0
    validated: set[str] = field(default_factory=set)
    schema_errors: list[str] = field(default_factory=list)


class TV:
    """One device: a keep-alive connection, the ETag of the feed it holds, a poll interval."""

    def __init__(self, number: int, port: int, results: Results, rng: random.Random) -> None:
        self.number, self.port, self.results, self.rng = number, port, results, rng
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.last_used = 0.0
        self.etag: str | None = None

    async def _connect(self) -> None:
        self._close()
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.results.connections += 1

    def _close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    def _request(self) -> bytes:
        lines = [
            "GET /v1/feed.json HTTP/1.1", f"Host: 127.0.0.1:{self.port}",
            "Accept-Encoding: gzip", f"User-Agent: newsdesk-soak-tv/{self.number}",
        ]
        if self.etag:
            lines.append(f"If-None-Match: {self.etag}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _exchange(self, reused: bool) -> tuple[int, dict[str, str], bytes]:
        assert self.reader is not None and self.writer is not None
        try:
            self.writer.write(self._request())
            await self.writer.drain()
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            if reused and not getattr(exc, "partial", b""):
                raise StaleConnection from exc
            raise
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if status in (204, 304) or 100 <= status < 200:
            body = b""
        elif "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readuntil(b"\r\n")
            await self.reader.readuntil(b"\r\n")
            body = b"".join(chunks)
        else:
            body = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self._close()
        return status, headers, body

    async def poll(self) -> Poll:
        sent = time.monotonic()
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                reused = self.writer is not None and sent - self.last_used < IDLE_REUSE
                if not reused:
                    await self._connect()
                try:
                    status, headers, body = await self._exchange(reused)
                except StaleConnection:
                    self.results.retries += 1
                    await self._connect()
                    status, headers, body = await self._exchange(False)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError,
                asyncio.LimitOverrunError) as exc:
            self._close()
            return Poll(self.number, sent, time.monotonic() - sent, 0, None,
                        f"{type(exc).__name__}: {exc}"[:200])
        seconds = time.monotonic() - sent
        self.last_used = time.monotonic()
        raw_version = headers.get("x-feed-version")
        version = int(raw_version) if raw_version and raw_version.isdigit() else None
        result = Poll(self.number, sent, seconds, status, version)
        if status == 200:
            result.error = self._check_body(headers, body, version)
        elif status != 304:
            result.error = f"HTTP {status}: {body[:120]!r}"
        if version is None and result.error is None:
            result.error = f"HTTP {status} without X-Feed-Version"
        return result

    def _check_body(self, headers: dict[str, str], body: bytes, version: int | None) -> str | None:
        """A 200 must carry the feed its headers name; each new ETag is schema-checked once."""
        try:
            if headers.get("content-encoding") == "gzip":
                body = gzip.decompress(body)
            doc = orjson.loads(body)
        except (OSError, ValueError) as exc:
            return f"unreadable 200 body: {exc}"
        if doc.get("version") != version:
            return f"body is version {doc.get('version')}, header says {version}"
        etag = headers.get("etag")
        if etag and etag not in self.results.validated:
            self.results.validated.add(etag)
            problems = schemas.errors("channel-feed", doc)
            if problems:
                self.results.schema_errors.append(f"version {version}: {problems[:3]}")
                return "feed breaks the channel-feed schema"
        self.etag = etag
        return None

    async def run(self, until: float, low: float, high: float) -> None:
        """Poll until the deadline: a random first moment, then every low..high seconds."""
        await asyncio.sleep(self.rng.uniform(0, high))
        try:
            while time.monotonic() < until:
                self.results.polls.append(await self.poll())
                await asyncio.sleep(self.rng.uniform(low, high))
        finally:
            self._close()


# -- the scenario ---------------------------------------------------------------------------------


@dataclass
class Events:
    refresh_at: float | None = None
    refresh_job: str | None = None
    kill_at: float | None = None
    killed: str | None = None
    killed_job: str | None = None
    started: str = ""  # wall clock, UTC
    load: str = ""  # 1-minute load average when polling began: this is a shared machine


def trigger_refresh(system: System, folder: Path, stories: list[Story]) -> str:
    """Change every article on disk, then ask for a full refresh as an operator would."""
    for story in stories:
        write_story(folder, story, update=1)
    status, _, body = http_call(system.port, "POST", "/v1/ops/refresh", body=b"{}", headers={
        "Authorization": f"Bearer {system.token}", "Content-Type": "application/json"})
    if status != 202:
        raise RuntimeError(f"POST /v1/ops/refresh answered {status}: {body[:300]!r}")
    return orjson.loads(body)["job"]["id"]


def kill_a_worker(system: System, r: redis.Redis, patience: float) -> tuple[str, str | None]:
    """SIGKILL one RQ worker of our tree and its work horse; returns (what, the job it ran).

    Preferably one that is processing a story (losing that job loses an update unless it is
    handed back), else any busy one, else any: whatever turns up within `patience` seconds.
    """
    from rq import Worker

    assert system.up is not None
    deadline = time.monotonic() + patience
    while True:
        ours = set(descendants(system.up.pid))
        workers = [(w, w.get_current_job_id() or "") for w in Worker.all(connection=r)
                   if w.pid in ours]
        processing = [w for w in workers if w[1].startswith("process-")]
        if processing:
            break
        if time.monotonic() >= deadline:
            if not workers:
                return "no live RQ worker found under `newsdesk up`; nothing killed", None
            break
        time.sleep(0.05)
    victim, job = (processing or sorted(workers, key=lambda w: not w[1]))[0]
    pids = [victim.pid, *descendants(victim.pid)]  # the worker and its forked work horse
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return (f"worker {victim.name} (pids {', '.join(map(str, pids))}) while it ran "
            f"{job or 'no job'}"), job or None


async def run_load(args: argparse.Namespace, system: System, r: redis.Redis, folder: Path,
                   stories: list[Story]) -> tuple[Results, Events, float]:
    results = Results()
    events = Events(started=datetime.now(UTC).isoformat(timespec="seconds"),
                    load=f"{os.getloadavg()[0]:.2f}")
    start = time.monotonic()
    until = start + args.seconds
    rng = random.Random(args.seed)
    tvs = [TV(n, system.port, results, random.Random(rng.random())) for n in range(args.tvs)]

    async def scenario() -> None:
        await asyncio.sleep(args.seconds * 0.2)
        events.refresh_job = await asyncio.to_thread(trigger_refresh, system, folder, stories)
        events.refresh_at = time.monotonic() - start
        await asyncio.sleep(max(0.0, start + args.seconds * 0.4 - time.monotonic()))
        patience = max(1.0, args.seconds * 0.2)
        events.killed, events.killed_job = await asyncio.to_thread(kill_a_worker, system, r,
                                                                   patience)
        events.kill_at = time.monotonic() - start

    tasks = [asyncio.create_task(tv.run(until, args.min_interval, args.max_interval))
             for tv in tvs]
    tasks.append(asyncio.create_task(scenario()))
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
    return results, events, start


# -- the report -----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summarize(results: Results, watch: VersionWatch, start: float) -> dict[str, Any]:
    polls = results.polls
    ok = [p for p in polls if p.error is None]
    stale = [watch.staleness(p.version, p.sent) for p in ok if p.version is not None]
    during = [v for t, v in watch.changes if t >= start]
    return {
        "requests": len(polls),
        "errors": len(polls) - len(ok),
        "ratio_304": sum(p.status == 304 for p in polls) / len(polls) if polls else 0.0,
        "p50": percentile([p.seconds for p in ok], 50) * 1000,
        "p99": percentile([p.seconds for p in ok], 99) * 1000,
        "max_stale": max(stale, default=0.0),
        "stale_responses": sum(s > 0 for s in stale),
        "versions": during,
        "backwards": watch.backwards(),
        "error_kinds": sorted({p.error or "" for p in polls if p.error})[:5],
    }


def failed_jobs(r: redis.Redis) -> int:
    from workers import queues

    return sum(queues.queue(r, q).failed_job_registry.get_job_count(cleanup=False)
               for q in queues.ALL)


def story_state(r: redis.Redis, count: int, failed_before: int | None = None) -> str:
    """How many stories are live, how many carry the mid-run update, and the jobs' state."""
    titles = [orjson.loads(raw).get("title", "") for raw in r.hvals(keys.CARDS)]
    updated = sum(UPDATE_MARK in t for t in titles)
    from workers import queues

    stuck = sum(queues.queue(r, q).started_job_registry.get_job_count(cleanup=False)
                for q in queues.ALL)
    failed = (f"failed jobs: {failed_jobs(r)}" if failed_before is None else
              f"jobs failed since polling began: {failed_jobs(r) - failed_before}")
    return (f"{len(titles)}/{count} stories ready, {updated} of them updated; jobs still "
            f"'started': {stuck}, {failed}")


def job_fate(r: redis.Redis, job_id: str | None) -> str:
    """What became of the job the killed worker was running, and of its story."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    if not job_id:
        return "no job was running in the killed worker"
    try:
        job = Job.fetch(job_id, connection=r)
        status = str(getattr(job.get_status(), "value", job.get_status()))
    except NoSuchJobError:
        status = "gone"
    fate = f"the killed worker's job {job_id} is now {status!r}"
    if job_id.startswith("process-"):
        raw = r.hget(keys.CARDS, job_id.removeprefix("process-"))
        title = orjson.loads(raw).get("title", "") if raw else ""
        fate += f"; its story is {'updated' if UPDATE_MARK in title else 'NOT updated'}"
    return fate


def report(args: argparse.Namespace, system: System, summary: dict[str, Any], results: Results,
           events: Events, after: str, fate: str) -> None:
    argv = shlex.join([".venv/bin/python", "bench/soak.py", *sys.argv[1:]])
    up = shlex.join(["python", "-m", "channel.cli", *system.command[3:]])
    print(f"\nSoak: {args.tvs} TVs for {args.seconds:g} s, polling every "
          f"{args.min_interval:g}-{args.max_interval:g} s with If-None-Match "
          f"(started {events.started}, {os.cpu_count()} CPUs, load average before "
          f"{events.load})\n")
    print("| requests | errors | 304 ratio | p50 ms | p99 ms | max staleness s |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(f"| {summary['requests']} | {summary['errors']} | {summary['ratio_304']:.3f} | "
          f"{summary['p50']:.1f} | {summary['p99']:.1f} | {summary['max_stale']:.3f} |")
    versions = summary["versions"]
    print(f"\nCommand: `{argv}`  (system under test: `REDIS_URL=unix://... {up}`)")
    print(f"- full refresh queued at {events.refresh_at or 0:.1f} s (job {events.refresh_job}); "
          f"killed at {events.kill_at or 0:.1f} s: {events.killed}")
    print(f"- nd:feed:current changed {len(versions)} times during the soak "
          f"({', '.join(map(str, versions[:12]))}{' ...' if len(versions) > 12 else ''}); "
          f"stale responses: {summary['stale_responses']}")
    back = summary["backwards"]
    print(f"- the pointer moved to a LOWER version {len(back)} times"
          + (f" ({', '.join(f'{a} -> {b}' for a, b in back[:6])})" if back else ""))
    print(f"- connections opened: {results.connections}, retries after a closed keep-alive "
          f"connection: {results.retries}, distinct ETags schema-checked: "
          f"{len(results.validated)}")
    print(f"- after the soak (+ up to {args.drain:g} s to drain): {after}; {fate}")
    ttl = os.environ.get("NEWSDESK_POINTER_TTL") or getattr(Settings, "pointer_ttl", None)
    if ttl is not None:
        print(f"- web processes re-read nd:feed:current at most every {ttl} s "
              "(NEWSDESK_POINTER_TTL), which bounds the staleness by design")
    for kind in summary["error_kinds"]:
        print(f"- error: {kind}")
    for problem in results.schema_errors[:3]:
        print(f"- schema: {problem}")


# -- main -----------------------------------------------------------------------------------------


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def scratch(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="nd-soak-"))
    try:
        yield path
    finally:
        if keep:
            print(f"kept {path}", file=sys.stderr)
        else:
            shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the polling phase")
    parser.add_argument("--tvs", type=int, default=300, help="simulated TVs")
    parser.add_argument("--articles", type=int, default=100, help="stories in the folder source")
    parser.add_argument("--workers", type=int, default=2, help="RQ workers for `newsdesk up`")
    parser.add_argument("--min-interval", type=float, default=1.0, help="shortest poll gap, s")
    parser.add_argument("--max-interval", type=float, default=5.0, help="longest poll gap, s")
    parser.add_argument("--settle", type=float, default=300.0,
                        help="most seconds to wait for the start-up refresh to finish")
    parser.add_argument("--drain", type=float, default=60.0,
                        help="most seconds to wait after the soak for the queues to empty")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if not (0 < args.min_interval <= args.max_interval) or args.tvs < 1 or args.seconds <= 0:
        parser.error("need 0 < --min-interval <= --max-interval, --tvs >= 1, --seconds > 0")
    # Both explicitly: a shell starts background jobs with SIGINT ignored, and Python then
    # never raises KeyboardInterrupt; every way of being stopped must reach the cleanup.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)

    with scratch(args.keep) as tmp:
        stories = make_stories(args.articles, args.seed)
        config = make_channel(tmp / "channel", stories, args.seed)
        system = System(tmp, free_port(), secrets.token_urlsafe(24), args.workers)
        watch: VersionWatch | None = None
        try:
            r = system.start(config)
            print(f"started Redis at {system.redis_server.url if system.redis_server else '?'} "
                  f"and `newsdesk up` (pid {system.up.pid if system.up else '?'}) on port "
                  f"{system.port}; log: {system.log_path}", file=sys.stderr)
            t0 = time.monotonic()
            wait_until("the first feed", lambda: http_call(
                system.port, "GET", "/v1/feed.json")[0] == 200, 120, system, every=0.5)
            print(f"first feed after {time.monotonic() - t0:.1f} s; waiting for the start-up "
                  "refresh to finish", file=sys.stderr)
            quiet: list[float] = []

            def settled() -> bool:  # idle for 2 s in a row, so a trailing publish is done too
                now = time.monotonic()
                if not queues_idle(r):
                    quiet.clear()
                    return False
                quiet.append(now)
                return now - quiet[0] >= 2

            try:
                wait_until("the start-up refresh", settled, args.settle, system, every=0.5)
            except RuntimeError as exc:
                if not system.alive():
                    raise
                print(f"warning: {str(exc).splitlines()[0]}; polling anyway", file=sys.stderr)
            print(f"settled after {time.monotonic() - t0:.1f} s: "
                  f"{story_state(r, len(stories))}; polling", file=sys.stderr)
            failed_before = failed_jobs(r)
            watch = VersionWatch(system.redis_server.url if system.redis_server else "")
            watch.start()
            time.sleep(0.1)
            results, events, start = asyncio.run(
                run_load(args, system, r, tmp / "channel" / "articles", stories))
            with contextlib.suppress(RuntimeError):
                wait_until("the queues to drain", lambda: queues_idle(r), args.drain, system)
            after = story_state(r, len(stories), failed_before)
            fate = job_fate(r, events.killed_job)
            watch.stop_event.set()
            report(args, system, summarize(results, watch, start), results, events, after, fate)
            if not system.alive():
                print(f"newsdesk up is no longer running:\n{system.log_tail()}", file=sys.stderr)
                return 1
            return 0
        except KeyboardInterrupt:
            print("interrupted; stopping everything", file=sys.stderr)
            return 130
        finally:
            if watch is not None:
                watch.stop_event.set()
            system.stop()


if __name__ == "__main__":
    sys.exit(main())
