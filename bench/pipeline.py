"""Pipeline throughput end to end: real pages pushed in, until every story is ready and published.

    .venv/bin/python bench/pipeline.py [--articles 100] [--rebuild 10000] [--workers 2]

For each run it starts Newsdesk as `newsdesk up` does (its own embedded Redis, gunicorn, the
scheduler) with no worker of its own, plus --workers worker processes of one execution model:

  * "fork per job": today's model before issue 17, RQ's forking Worker (a work horse per job)
    with Newsdesk's liveness key and settings, as workers/worker.py had it;
  * "in-process": workers/worker.py now (RQ's SimpleWorker, jobs in the worker's process).

It pushes --articles real pages from ../shared/eval/extraction/html through
`POST /v1/ops/articles` (pages reused under new guids to reach the count), without an image and
with a 12 MP lead image served from 127.0.0.1, and times from the first push until every story
is ready and a feed version newer than the last one has been published. Worker CPU is read from
/proc (the worker and its reaped work horses); the time inside job functions is measured as
CPU around each job function (time.process_time, in the work horse for the forking model), per
job function. "Outside the job" is
worker CPU not spent inside a job function: forking, RQ's bookkeeping, Redis round trips.
Then --rebuild stories (no image) through the in-process model, as after losing Redis, with each
worker's memory (RSS) after the first 100 stories and at the end.
Everything runs on 127.0.0.1 in temporary directories and is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PAGES = ROOT.parent / "shared" / "eval" / "extraction" / "html"
NEWSDESK = ROOT / ".venv" / "bin" / "newsdesk"
MODELS = ("fork per job", "in-process")
PUSHERS = 4
CPU_KEY = "bench:job-cpu"  # hash: job function -> CPU seconds inside it
CONFIG = """provider: Pipeline bench
language: en
categories:
  - {id: news, title: News}
sources: []
"""


# --- worker processes (this script re-invoked with --as-worker MODEL) ---------------------------


def run_worker(model: str) -> None:
    from rq import Worker
    from rq.job import Job

    from channel import keys
    from channel.config import Settings
    from channel.redisconn import connect
    from workers import jobs, queues
    from workers.watchdog import HEARTBEAT, LIVENESS_TTL
    from workers.worker import NewsdeskWorker

    settings = Settings.from_env()
    r = connect(settings.redis_url)
    perform = Job.perform

    def timed_perform(job):
        """CPU inside the job function (in the work horse, for the forking model)."""
        started = time.process_time()
        try:
            return perform(job)
        finally:
            job.connection.hincrbyfloat(CPU_KEY, job.func_name.rsplit(".", 1)[-1],
                                        time.process_time() - started)

    Job.perform = timed_perform

    class ForkingWorker(Worker):
        """workers/worker.py before issue 17: RQ's forking worker plus the liveness key."""

        def perform_job(self, job, queue):
            token = jobs.worker_settings.set(settings)
            try:
                return super().perform_job(job, queue)
            finally:
                jobs.worker_settings.reset(token)

        def heartbeat(self, timeout=None, pipeline=None):
            super().heartbeat(timeout, pipeline=pipeline)
            conn = pipeline if pipeline is not None else self.connection
            conn.set(keys.worker_alive(self.name), "1", ex=LIVENESS_TTL)

    cls = ForkingWorker if model == "fork per job" else NewsdeskWorker
    extra = {} if cls is ForkingWorker else {"settings": settings}
    worker = cls([queues.queue(r, q) for q in queues.ALL], connection=r,
                 job_monitoring_interval=HEARTBEAT, **extra)
    worker.work(logging_level="WARNING", with_scheduler=False)


# --- the system under test ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """utime + stime of the process and its reaped children (the work horses)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))
    return ticks / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class System:
    def __init__(self, tmp: Path, model: str, workers: int) -> None:
        self.tmp, self.model, self.workers = tmp, model, workers
        self.port = _free_port()
        self.token = secrets.token_urlsafe(24)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("NEWSDESK_", "REDIS_"))}
        self.env |= {"NEWSDESK_ADMIN_TOKEN": self.token, "NEWSDESK_DATA_DIR": str(tmp / "var"),
                     "NEWSDESK_WRITE_RATE": "100000000", "NEWSDESK_ALLOW_LOOPBACK": "1",
                     "PYTHONUNBUFFERED": "1"}
        self.up: subprocess.Popen | None = None
        self.worker_procs: list[subprocess.Popen] = []

    def start(self):
        config = self.tmp / "channel.yaml"
        config.write_text(CONFIG)
        log = (self.tmp / "up.log").open("wb")
        self.up = subprocess.Popen([str(NEWSDESK), "up", "--port", str(self.port), "--workers",
                                    "0", "--config", str(config)], cwd=ROOT, env=self.env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        text = ""
        while "Press Ctrl-C" not in text:
            if time.monotonic() > deadline or self.up.poll() is not None:
                raise RuntimeError("newsdesk up did not start:\n" + text[-2000:])
            time.sleep(0.3)
            text = (self.tmp / "up.log").read_text(errors="replace")
        redis_url = re.search(r"^Redis: (\S+)", text, re.M).group(1)
        self.env["REDIS_URL"] = redis_url
        from channel.redisconn import connect

        self.r = connect(redis_url)
        for n in range(self.workers):
            out = (self.tmp / f"worker-{n}.log").open("wb")
            self.worker_procs.append(subprocess.Popen(
                [sys.executable, __file__, "--as-worker", self.model], cwd=ROOT, env=self.env,
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True))
        from rq import Worker

        while len(Worker.all(connection=self.r)) < self.workers:
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not register")
            time.sleep(0.2)

    def stop(self) -> None:
        for proc in [*self.worker_procs, self.up]:
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in [*self.worker_procs, self.up]:
            if proc is None:
                continue
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def cpu(self) -> float:
        return sum(_cpu_seconds(p.pid) for p in self.worker_procs)

    def web_cpu(self) -> float:
        """gunicorn's processes under `newsdesk up` (parsing and storing the pushes)."""
        parents = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                parents[int(stat.parent.name)] = int(fields[1])
            except (OSError, ValueError, IndexError):
                continue

        def under_up(pid: int) -> bool:
            while pid > 1:
                pid = parents.get(pid, 0)
                if pid == self.up.pid:
                    return True
            return False

        total = 0.0
        for pid in parents:
            try:
                if under_up(pid) and b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    total += _cpu_seconds(pid)
            except OSError:
                continue
        return total

    def rss(self) -> list[float]:
        return [round(_rss_mb(p.pid), 1) for p in self.worker_procs]

    def job_cpu(self) -> dict[str, float]:
        return {k.decode(): float(v) for k, v in self.r.hgetall(CPU_KEY).items()}

    def ready(self) -> int:
        """Stories with a card (ready ones only); this Redis holds only this run's stories. One
        HLEN: reading the stories themselves every poll would load Redis more than the run."""
        from channel import keys

        return self.r.hlen(keys.CARDS)

    def feed_version(self) -> int:
        current = self.r.get("nd:feed:current")
        return int(current) if current else 0


def _push_all(port: int, token: str, bodies: list[bytes], ids: list[str]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for body in bodies:
        conn.request("POST", "/v1/ops/articles", body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        if response.status not in (200, 202):
            raise RuntimeError(f"push answered {response.status}: {data[:200]!r}")
        ids.append(json.loads(data)["story"])
    conn.close()


def measure(model: str, count: int, image: str | None, pages: list[str], workers: int,
            memory_at: int | None = None) -> dict:
    from channel import keys

    with tempfile.TemporaryDirectory(prefix="nd-pipeline-") as name:
        system = System(Path(name), model, workers)
        try:
            system.start()
            run = secrets.token_hex(4)
            bodies = []
            for i in range(count):
                doc = {"guid": f"bench-{run}-{i}", "title": f"Bench story {i}",
                       "category": "news", "html": pages[i % len(pages)]}
                if image:
                    doc["image"] = f"{image}?{i}"  # a new URL each, as real stories have
                bodies.append(json.dumps(doc).encode())
            version0 = system.feed_version()
            cpu0, jobs0, web0 = system.cpu(), system.job_cpu(), system.web_cpu()
            ids: list[str] = []
            started = time.monotonic()
            # Four connections, as a CMS re-pushing its archive would (one is bound by the web
            # tier's per-request latency, not by the pipeline).
            pushers = [threading.Thread(target=_push_all, args=(system.port, system.token,
                                                                bodies[k::PUSHERS], ids))
                       for k in range(PUSHERS)]
            for pusher in pushers:
                pusher.start()
            rss_early = None
            while True:
                time.sleep(0.25)
                done = system.ready()
                if memory_at and rss_early is None and done >= memory_at:
                    rss_early = system.rss()
                if not any(p.is_alive() for p in pushers) and done == count:
                    break
                if time.monotonic() - started > 3600:
                    raise RuntimeError(f"only {done} of {count} ready after an hour")
            for pusher in pushers:
                pusher.join()
            all_ready = time.monotonic()
            while True:  # every publish request served: the last story is in a live version
                if system.feed_version() > version0 and not system.r.exists(keys.PUBLISH_PENDING):
                    break
                if time.monotonic() - all_ready > 120:
                    raise RuntimeError("no publish after the last story")
                time.sleep(0.1)
            elapsed = time.monotonic() - started
            cpu = system.cpu() - cpu0
            web = system.web_cpu() - web0
            jobs1 = system.job_cpu()
            per_queue = {q: (jobs1.get(q, 0) - jobs0.get(q, 0)) * 1000 / count for q in jobs1}
            in_jobs = sum(jobs1.values()) - sum(jobs0.values())
            return {"model": model, "count": count, "image": bool(image), "seconds": elapsed,
                    "rate": count / elapsed, "cpu_ms": cpu * 1000 / count,
                    "job_ms": in_jobs * 1000 / count, "web_ms": web * 1000 / count,
                    "outside": max(0.0, 1 - in_jobs / cpu) if cpu else 0.0,
                    "per_queue": per_queue, "rss_early": rss_early, "rss_end": system.rss()}
        finally:
            system.stop()


def _photo() -> bytes:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(7)
    x = np.linspace(0, 1, 4000)[None, :, None]
    y = np.linspace(0, 1, 3000)[:, None, None]
    ones = np.ones((3000, 4000, 1))
    base = np.concatenate([x * 200 * ones, y * 180 * ones, (1 - x) * 160 * ones], axis=2)
    pixels = np.clip(base + rng.normal(0, 12, (3000, 4000, 3)), 0, 255).astype("uint8")
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=90)
    return out.getvalue()


def _serve_photo(data: bytes) -> tuple[str, http.server.ThreadingHTTPServer]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/photo.jpg", server


def _table(rows: list[dict], args: argparse.Namespace) -> None:
    print(f"\n{args.articles} pages pushed, {args.workers} workers, {os.cpu_count()} cores; "
          f"median of {args.repeat} run(s)\n")
    print("| pages | model | articles/s | runs | worker CPU ms/article | in jobs ms/article "
          "(process / publish / refresh) | outside the job | web CPU ms/article "
          "| vs fork per job |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|")
    for row in rows:
        base = next(x for x in rows if x["label"] == row["label"] and x["model"] == MODELS[0])
        print(f"| {row['label']} | {row['model']} | {row['rate']:.1f} | {row['rates']} | "
              f"{row['cpu_ms']:.0f} | {row['job_ms']:.0f} ("
              + " / ".join(f"{row['per_queue'].get(q, 0):.0f}"
                           for q in ("process_article", "publish_feed", "refresh_source"))
              + f") | {row['outside']:.0%} | {row['web_ms']:.0f} | "
              f"{row['rate'] / base['rate']:.2f}x |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--rebuild", type=int, default=10000, help="0 skips the rebuild")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="runs per cell (median)")
    parser.add_argument("--only-rebuild", action="store_true", help="skip the model comparison")
    parser.add_argument("--as-worker", choices=MODELS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.as_worker:
        run_worker(args.as_worker)
        return 0
    print("$ .venv/bin/python bench/pipeline.py " + " ".join(sys.argv[1:]), flush=True)
    pages = [p.read_text(errors="replace") for p in sorted(PAGES.glob("*.html"))]
    photo_url, server = _serve_photo(_photo())
    rows = []
    try:
        cells = () if args.only_rebuild else (("no image", None), ("12 MP lead image", photo_url))
        for label, image in cells:
            for model in MODELS:
                runs = [measure(model, args.articles, image, pages, args.workers)
                        for _ in range(args.repeat)]
                best = sorted(runs, key=lambda x: x["rate"])[len(runs) // 2]
                best["label"] = label
                best["rates"] = [round(x["rate"], 1) for x in runs]
                rows.append(best)
                print(f"  {label}, {model}: {best['rate']:.1f} articles/s", flush=True)
        if rows:
            _table(rows, args)
        if args.rebuild:
            row = measure("in-process", args.rebuild, None, pages, args.workers, memory_at=100)
            print(f"\nRebuild: {args.rebuild} stories (no image), in-process, {args.workers} "
                  f"workers, {PUSHERS} pushing connections: {row['seconds']:.0f} s "
                  f"({row['seconds'] / 60:.1f} min), {row['rate']:.1f} articles/s, "
                  f"{row['cpu_ms']:.0f} worker CPU ms/article, {row['web_ms']:.0f} web CPU "
                  "ms/article")
            print(f"Worker RSS MB after 100 stories: {row['rss_early']}; after "
                  f"{args.rebuild}: {row['rss_end']}")
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
