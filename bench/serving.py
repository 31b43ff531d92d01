"""The poll path under load: Newsdesk against nginx serving the same bytes, in one run.

    .venv/bin/python bench/serving.py [--duration 5] [--reps 3] [--connections 16]

Everything runs on 127.0.0.1 and is started (and stopped) by this script: a private Redis
(EmbeddedRedis), 500 ready stories seeded and published with channel.feed.publish.publish, gunicorn
running Newsdesk (`app:create_app()`), gunicorn running a naive Flask app defined below, and one
nginx whose config is deploy/nginx.conf with the addresses and paths replaced, plus a server
that serves the published gzip bytes as a precompressed static file. Scenarios:

  (a) nginx, the feed as a static file with gzip_static (the baseline)
  (b) naive Flask: every request reads every card from Redis and dumps the feed JSON
  (c) Newsdesk /v1/feed.json, 200 with the precompressed gzip bytes
  (d) Newsdesk /v1/feed.json with If-None-Match: the current ETag -> 304
  (e) the compose-style cache (deploy/nginx.conf) in front of Newsdesk, 200 gzip

The load generator is wrk (-t1, keep-alive connections, Accept-Encoding: gzip) for --duration
seconds per scenario, after a 1 s warm-up; scenarios are interleaved and repeated --reps times,
and each figure is the median over the repetitions. Server CPU per request is the rise of
utime+stime (/proc/<pid>/stat) of the scenario's server processes (masters and workers, and
redis-server where Redis is on the path) divided by the requests completed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for _path in (str(ROOT), str(BENCH)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import orjson  # noqa: E402
import redis  # noqa: E402

from channel import keys  # noqa: E402

FEED_STORIES = 500
CLK_TCK = os.sysconf("SC_CLK_TCK")


# -- (b): the naive route, run by gunicorn as 'serving:naive_app()' --------------------------


def naive_app():
    """A first version of the feed route: rebuild the JSON from Redis on every request."""
    from flask import Flask, Response

    app = Flask("naive")
    r = redis.Redis.from_url(os.environ["REDIS_URL"])
    per_row = int(os.environ.get("NEWSDESK_ITEMS_PER_ROW", "62"))

    @app.get("/v1/feed.json")
    def feed() -> Response:
        channel = orjson.loads(r.get(keys.CHANNEL) or b"{}")
        categories = orjson.loads(r.get(keys.CATEGORIES) or b"[]")
        cards = [orjson.loads(raw) for raw in r.hvals(keys.CARDS)]
        newest = sorted(cards, key=lambda c: c["publishedAt"], reverse=True)
        rows = [{"id": "top", "title": "Top stories", "items": newest[:10]}]
        for cat in categories:
            items = [c for c in newest if c["category"] == cat["id"]][:per_row]
            if items:
                rows.append({"id": cat["id"], "title": cat["title"], "items": items})
        doc = {
            "provider": channel.get("provider", "Newsdesk"),
            "language": channel.get("language", "en"),
            "version": 1,
            "generatedAt": datetime.now(UTC).isoformat(timespec="seconds"),
            "rows": rows,
        }
        return Response(orjson.dumps(doc), content_type="application/json")

    return app


# -- processes ----------------------------------------------------------------------------


def _die_with_parent() -> None:
    from channel.redisconn import die_with_parent

    die_with_parent()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """utime+stime of these processes, in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / CLK_TCK


@dataclass
class Processes:
    """Every process this bench starts; stop() ends them by pid, newest first."""

    started: list[tuple[str, subprocess.Popen, int]] = field(default_factory=list)

    def start(self, name: str, args: list[str], stop_signal: int = signal.SIGTERM,
              **kwargs) -> subprocess.Popen:
        """stop_signal: the quick shutdown (nginx: SIGTERM; gunicorn: SIGQUIT or SIGINT)."""
        process = subprocess.Popen(args, start_new_session=True, preexec_fn=_die_with_parent,
                                   **kwargs)
        self.started.append((name, process, stop_signal))
        return process

    def stop(self) -> None:
        for _, process, stop_signal in reversed(self.started):
            if process.poll() is None:
                process.send_signal(stop_signal)
        for name, process, _ in reversed(self.started):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                print(f"{name} (pid {process.pid}) did not stop; killing it", file=sys.stderr)
                process.kill()
                process.wait()
        self.started.clear()


def wait_http(port: int, path: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            status, _, _ = fetch(port, path)
            if status < 500:
                return
        except OSError as exc:
            last = exc
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port}{path} within {timeout}s ({last})")


def fetch(port: int, path: str, headers: dict[str, str] | None = None
          ) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


# -- nginx: deploy/nginx.conf with local addresses and paths --------------------------------


def nginx_config(tmp: Path, upstream_port: int, cache_port: int, static_port: int) -> str:
    """deploy/nginx.conf, made runnable here. Each replacement must match exactly once."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    user = pwd.getpwuid(os.geteuid()).pw_name
    replacements = [
        (r"^user\s+\S+;", f"user {user};" if os.geteuid() == 0 else ""),
        (r"^pid\s+\S+;", f"pid {tmp / 'nginx.pid'};"),
        (r"^error_log\s+[^;]+;", f"error_log {tmp / 'nginx-error.log'} warn;"),
        (r"access_log\s+/dev/stdout\s+cache;", "access_log off;"),
        (r"server\s+web:8000;", f"server 127.0.0.1:{upstream_port};"),
        (r"listen\s+80;", f"listen 127.0.0.1:{cache_port};"),
        (r"proxy_cache_path\s+/var/cache/nginx/newsdesk", f"proxy_cache_path {tmp / 'cache'}"),
    ]
    for pattern, new in replacements:
        text, n = re.subn(pattern, new, text, flags=re.MULTILINE)
        if n != 1:
            raise RuntimeError(f"deploy/nginx.conf changed: {pattern!r} matched {n} times")
    static = f"""
    client_body_temp_path {tmp / 'body'};
    proxy_temp_path {tmp / 'proxy'};
    fastcgi_temp_path {tmp / 'fastcgi'};
    uwsgi_temp_path {tmp / 'uwsgi'};
    scgi_temp_path {tmp / 'scgi'};

    # (a) the baseline: the same gzip bytes as a precompressed static file.
    server {{
        listen 127.0.0.1:{static_port};
        root {tmp / 'static'};
        tcp_nopush on;  # the best static setting (fewest packets); see the note in nginx.conf
        location = /v1/feed.json {{
            gzip_static on;
            gzip_vary on;
            default_type application/json;
            add_header Cache-Control "public, max-age=60";
        }}
    }}
"""
    text, n = re.subn(r"^http\s*\{", lambda m: "http {" + static, text, flags=re.MULTILINE)
    if n != 1:
        raise RuntimeError("deploy/nginx.conf changed: no single 'http {' block")
    return text


# -- load ---------------------------------------------------------------------------------


@dataclass
class Scenario:
    key: str
    label: str
    port: int
    headers: dict[str, str]
    pids: callable  # () -> list of server pids
    expect: int = 200
    runs: list[dict] = field(default_factory=list)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}
_SIZES = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def run_wrk(wrk: str, scenario: Scenario, duration: float, connections: int) -> dict:
    args = [wrk, "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    for name, value in scenario.headers.items():
        args += ["-H", f"{name}: {value}"]
    args.append(f"http://127.0.0.1:{scenario.port}/v1/feed.json")
    out = subprocess.run(args, capture_output=True, text=True, check=True,
                         timeout=duration + 30).stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(\w+), ([\d.]+)(\w+) read", out)
    if not done:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, flags=re.MULTILINE))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    requests = int(done.group(1))
    return {
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(latency["50"]),
        "p99": _ms(latency["99"]),
        "bytes": float(done.group(4)) * _SIZES[done.group(5)] / max(1, requests),
        "bad": int(bad.group(1)) if bad else 0,
        "errors": errors.group(1) if errors else "",
    }


def measure(wrk: str, scenario: Scenario, duration: float, connections: int,
            redis_pid: int) -> dict:
    pids = scenario.pids()
    before, before_redis = cpu_seconds(pids), cpu_seconds([redis_pid])
    result = run_wrk(wrk, scenario, duration, connections)
    after, after_redis = cpu_seconds(pids), cpu_seconds([redis_pid])
    requests = max(1, result["requests"])
    result["cpu_us"] = (after - before) * 1e6 / requests
    result["redis_us"] = (after_redis - before_redis) * 1e6 / requests
    return result


# -- the run --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per measurement")
    parser.add_argument("--reps", type=int, default=3, help="repetitions (medians reported)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (each app)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    args = parser.parse_args(argv)
    if not (0 < args.duration <= 10 and 0 < args.reps <= 5 and 0 < args.connections <= 256):
        parser.error("keep it short: --duration <= 10, --reps <= 5, --connections <= 256")
    wrk, nginx = shutil.which("wrk"), shutil.which("nginx") or "/usr/sbin/nginx"
    if not wrk or not Path(nginx).exists():
        parser.error("needs wrk and nginx on this machine (apt-get install -y wrk nginx-light)")

    # Ctrl-C and SIGTERM both unwind through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    command = shlex.join([os.path.relpath(sys.executable, ROOT), os.path.relpath(__file__, ROOT),
                          *sys.argv[1:]])
    processes = Processes()
    tmp = Path(tempfile.mkdtemp(prefix="nd-bench-serving-"))
    server = None
    try:
        from publish_build import feed_shape, seed, settings_for

        from channel.feed import publish
        from channel.redisconn import EmbeddedRedis, connect

        server = EmbeddedRedis(tmp / "redis").start(persist=False)
        r = connect(server.url)
        nd_port, naive_port, cache_port, static_port = (free_port() for _ in range(4))
        public_url = f"http://127.0.0.1:{nd_port}"
        seed(r, FEED_STORIES, public_url)
        settings = settings_for(server.url, public_url, FEED_STORIES)
        version = publish.publish(r, settings)
        fields = r.hgetall(keys.feed_version(version))
        body, gz, etag = fields[b"feed.json"], fields[b"feed.gz"], fields[b"feed.etag"].decode()
        unique, cards, size = feed_shape(body)

        # The static copy for (a): the very bytes Newsdesk serves.
        (tmp / "static" / "v1").mkdir(parents=True)
        (tmp / "static" / "v1" / "feed.json").write_bytes(body)
        (tmp / "static" / "v1" / "feed.json.gz").write_bytes(gz)
        for sub in ("cache", "body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (tmp / sub).mkdir(exist_ok=True)
        (tmp / "nginx.conf").write_text(nginx_config(tmp, nd_port, cache_port, static_port))

        env = {**os.environ, "REDIS_URL": server.url, "NEWSDESK_PUBLIC_URL": public_url,
               "NEWSDESK_ITEMS_PER_ROW": str(settings.items_per_row), "PYTHONUNBUFFERED": "1"}
        gunicorn = [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "--threads",
                    str(args.threads), "--log-level", "warning"]
        log = (tmp / "servers.log").open("w")
        newsdesk = processes.start("gunicorn newsdesk", [
            *gunicorn, "-b", f"127.0.0.1:{nd_port}", "app:create_app()"],
            stop_signal=signal.SIGQUIT, cwd=ROOT, env=env, stdout=log, stderr=log)
        naive = processes.start("gunicorn naive", [
            *gunicorn, "-b", f"127.0.0.1:{naive_port}", "--pythonpath", str(BENCH),
            "serving:naive_app()"], stop_signal=signal.SIGQUIT, cwd=ROOT, env=env, stdout=log,
            stderr=log)
        web = processes.start("nginx", [nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf"),
                                        "-g", "daemon off;"], stdout=log, stderr=log)
        for port in (nd_port, naive_port, cache_port, static_port):
            wait_http(port, "/v1/feed.json")

        def tree(*masters: subprocess.Popen) -> callable:
            return lambda: [p for m in masters for p in (m.pid, *children(m.pid))]

        gzip_only = {"Accept-Encoding": "gzip"}
        scenarios = [
            Scenario("a", "nginx static file (gzip_static)", static_port, gzip_only, tree(web)),
            Scenario("b", "naive Flask, JSON rebuilt from Redis per request", naive_port,
                     gzip_only, lambda: [*tree(naive)(), server.process.pid]),
            Scenario("c", "Newsdesk 200 gzip", nd_port, gzip_only,
                     lambda: [*tree(newsdesk)(), server.process.pid]),
            Scenario("d", "Newsdesk 304 (If-None-Match)", nd_port,
                     {**gzip_only, "If-None-Match": etag},
                     lambda: [*tree(newsdesk)(), server.process.pid], expect=304),
            Scenario("e", "nginx cache (deploy/nginx.conf) -> Newsdesk", cache_port, gzip_only,
                     lambda: [*tree(web, newsdesk)(), server.process.pid]),
        ]

        # Every scenario answers what it should before any load.
        for s in scenarios:
            status, headers, data = fetch(s.port, "/v1/feed.json", s.headers)
            if s.key == "e":  # the first fetch filled the cache; the next one is a hit
                status, headers, data = fetch(s.port, "/v1/feed.json", s.headers)
                if headers.get("x-cache-status") != "HIT":
                    raise RuntimeError(f"(e) expected a cache HIT, got {headers}")
            if status != s.expect:
                raise RuntimeError(f"({s.key}) answered {status}, expected {s.expect}")
            if s.key in "ace" and (data != gz or headers.get("content-encoding") != "gzip"):
                raise RuntimeError(f"({s.key}) did not serve the published gzip bytes")
            if s.key == "b" and len(orjson.loads(data)["rows"]) != len(orjson.loads(body)["rows"]):
                raise RuntimeError("(b) does not build the same rows")

        print(f"$ {command}")
        print()
        load = os.getloadavg()
        nginx_version = subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr
        print(f"{datetime.now(UTC):%Y-%m-%d %H:%M UTC}; {os.cpu_count()} CPUs, load average "
              f"{load[0]:.2f} at start; {nginx_version.strip()}; "
              f"wrk -t1 -c{args.connections}, {args.duration:g} s per run after a 1 s warm-up, "
              f"{args.reps} interleaved repetitions, medians; gunicorn -w {args.workers} "
              f"--threads {args.threads} (gthread) for (b)-(e).")
        print(f"Feed: {unique} stories ({cards} cards with the top row), {size:,} bytes JSON, "
              f"{len(gz):,} bytes gzip; {len(fields) // 3} documents in the version.")
        print()
        for s in scenarios:
            run_wrk(wrk, s, 1, args.connections)  # warm-up, not counted
        for _ in range(args.reps):
            for s in scenarios:
                s.runs.append(measure(wrk, s, args.duration, args.connections,
                                      server.process.pid))
        status, headers, _ = fetch(cache_port, "/v1/feed.json", gzip_only)
        print(render(scenarios))
        print()
        print(f"(e) cache status after the run: {headers.get('x-cache-status')}; "
              f"server CPU counts nginx master+workers for (a), the gunicorn master+workers "
              f"and redis-server for (b)-(d), all three for (e).")
        return 0
    finally:
        processes.stop()
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def render(scenarios: list[Scenario]) -> str:
    med = {s.key: {k: statistics.median(run[k] for run in s.runs)
                   for k in ("rps", "p50", "p99", "cpu_us", "redis_us", "bytes")}
           for s in scenarios}
    base = med["a"]
    lines = [
        "| scenario | req/s | p50 ms | p99 ms | server CPU µs/req | of which Redis | "
        "CPU/req vs (a) | req/s vs (a) | bytes read/req | failed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scenarios:
        m = med[s.key]
        failed = sum(run["bad"] for run in s.runs)
        errors = "; ".join(run["errors"] for run in s.runs if run["errors"])
        lines.append(
            f"| ({s.key}) {s.label} | {m['rps']:,.0f} | {m['p50']:.2f} | {m['p99']:.2f} | "
            f"{m['cpu_us']:,.0f} | {m['redis_us']:,.0f} | {m['cpu_us'] / base['cpu_us']:.1f}x | "
            f"{m['rps'] / base['rps']:.2f}x | {m['bytes']:,.0f} | "
            f"{failed}{' (' + errors + ')' if errors else ''} |")
    c, d, e = med["c"], med["d"], med["e"]
    verdict = [
        ("(c) CPU/req within 15x of (a)", c["cpu_us"] / base["cpu_us"] <= 15,
         f"{c['cpu_us'] / base['cpu_us']:.1f}x"),
        ("(d) CPU/req within 15x of (a)", d["cpu_us"] / base["cpu_us"] <= 15,
         f"{d['cpu_us'] / base['cpu_us']:.1f}x"),
        ("(e) req/s at least half of (a)", e["rps"] / base["rps"] >= 0.5,
         f"{e['rps'] / base['rps']:.2f}x"),
    ]
    lines.append("")
    lines += [f"- {name}: {value} -> {'met' if ok else 'MISSED'}" for name, ok, value in verdict]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
