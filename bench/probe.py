"""An outside-in security probe: start Newsdesk as a new user would, attack it, print what held.

    .venv/bin/python bench/probe.py [--port 8765]

It runs `newsdesk up` (embedded Redis, web, workers, scheduler, the demo channel) in a temporary
data directory with viewer, editor and admin tokens of its own, and a temporary folder as
NEWSDESK_LOCAL_ROOTS. Every request goes to 127.0.0.1; the whole run is bounded (about a
minute; 240 s at most) and stops the system it started, also on errors and Ctrl-C. Each line
of the table is one attack, what a safe system answers, and what this one did. The exit code is
1 when any attack succeeded. The browser half of the XSS checks (script never runs on a console
page) is in tests/security/test_xss_in_console.py; this probe checks what makes it so.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NEWSDESK = ROOT / ".venv" / "bin" / "newsdesk"
DEADLINE = 240.0
PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'


class Probe:
    def __init__(self, port: int, admin: str, editor: str, viewer: str) -> None:
        self.port, self.admin, self.editor, self.viewer = port, admin, editor, viewer
        self.rows: list[tuple[str, str, str, str, bool]] = []

    # --- HTTP, to 127.0.0.1 only ---------------------------------------------------------------

    def call(self, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            try:
                conn.request(method, path, body=body, headers=headers or {})
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered (413) and closed before the whole body was sent
            response = conn.getresponse()
            return (response.status, {k.lower(): v for k, v in response.getheaders()},
                    response.read())
        finally:
            conn.close()

    def ops(self, method: str, path: str, doc=None, *, token: str | None = None,
            raw: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        headers = {"Authorization": f"Bearer {token or self.admin}"}
        body = raw if raw is not None else (json.dumps(doc).encode() if doc is not None else None)
        if body is not None:
            headers["Content-Type"] = "application/json"
        return self.call(method, path, body, headers)

    def login(self, token: str) -> str | None:
        status, headers, _ = self.call("POST", "/console/login", f"token={token}".encode(),
                                       {"Content-Type": "application/x-www-form-urlencoded"})
        match = re.search(r"newsdesk_console=([^;]+)", headers.get("set-cookie", ""))
        return match.group(1) if status == 302 and match else None

    # --- the table -----------------------------------------------------------------------------

    def check(self, finding: str, attack: str, expected: str, run: Callable[[], tuple[str, bool]]):
        try:
            got, held = run()
        except Exception as exc:  # noqa: BLE001 - an attack that breaks the probe did not hold
            got, held = f"probe error: {type(exc).__name__}: {exc}", False
        self.rows.append((finding, attack, expected, got, held))

    def table(self) -> str:
        lines = ["| # | attack | a safe system | this one | held |", "|---|---|---|---|---|"]
        for finding, attack, expected, got, held in self.rows:
            lines.append(f"| {finding} | {attack} | {expected} | {got} | "
                         f"{'yes' if held else '**NO**'} |")
        return "\n".join(lines)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def attacks(p: Probe, roots: Path, log: Path) -> None:  # noqa: PLR0915 - one list of attacks
    # 1. Stored XSS: job results carry no content; pages allow no inline script; no dashboard.
    push = {"guid": "probe-xss", "title": "Probe " + PAYLOAD, "byline": PAYLOAD,
            "category": "world", "body": f"Body {PAYLOAD}.\n\nA second paragraph of text."}
    status, _, body = p.ops("POST", "/v1/ops/articles", push, token=p.editor)
    story = json.loads(body)["story"] if status in (200, 202) else None
    job_id = f"process-{story}"

    def result_has_no_title():
        _wait(lambda: json.loads(p.ops("GET", f"/v1/ops/jobs/{job_id}")[2])["job"]["status"]
              in ("finished", "failed"), 60)
        job = json.loads(p.ops("GET", f"/v1/ops/jobs/{job_id}")[2])["job"]
        return f"{job['status']}, result {json.dumps(job.get('result'))}", \
            job["status"] == "finished" and "<img" not in json.dumps(job)

    p.check("1", "title/byline/body with <script> and onerror, pushed by a CMS",
            "the job result holds ids only", result_has_no_title)

    def csp_on_pages():
        cookie = p.login(p.editor)
        bad = []
        for path in ("/console/preview", "/console/jobs", f"/console/jobs/{job_id}",
                     f"/console/stories/{story}", "/console/sources", "/console/audit"):
            _, headers, page = p.call("GET", path, headers={"Cookie": f"newsdesk_console={cookie}"})
            csp = headers.get("content-security-policy", "")
            if ("unsafe-inline" in csp or "script-src 'self'" not in csp
                    or "frame-ancestors 'none'" not in csp
                    or headers.get("x-content-type-options") != "nosniff" or b"<img src=x" in page):
                bad.append(path)
        return ("every console page: script-src 'self', frame-ancestors 'none', nosniff"
                if not bad else f"weak: {', '.join(bad)}"), not bad

    p.check("1", "console pages' own headers and markup", "strict CSP, no payload in the HTML",
            csp_on_pages)

    def dashboard_gone():
        cookie = p.login(p.editor)
        found = {path: p.call("GET", path, headers={"Cookie": f"newsdesk_console={cookie}"})[0]
                 for path in ("/console/rq/", "/console/rq/requeue/fetch",
                              "/console/rq/compact/fetch/queued")}
        return ", ".join(f"{k} {v}" for k, v in found.items()), set(found.values()) == {404}

    p.check("1, 5, 7", "rq-dashboard's job page, GET requeue, compact on an empty queue",
            "404 (the dashboard is gone)", dashboard_gone)

    # 2. NaN in JSON.
    def nan():
        answers = [p.ops("PATCH", f"/v1/ops/stories/{story}", raw=b'{"focal": [NaN, 0.5]}')[0],
                   p.ops("POST", "/v1/ops/articles", raw=json.dumps(push).encode()[:-1]
                         + b', "focal": [0.5, Infinity]}')[0]]
        return f"PATCH {answers[0]}, POST {answers[1]}", answers == [400, 400]

    p.check("2", '"focal": [NaN, 0.5] / Infinity on PATCH story and POST articles', "400", nan)

    # 3. Symlinks out of the local roots.
    def symlinks():
        folder = roots / "probe"
        folder.mkdir()
        (folder / "leak.txt").symlink_to("/etc/hostname")
        (folder / "real.txt").write_text("A real probe story\n\nWith a body inside the roots.")
        (roots / "etc").symlink_to("/etc")
        linked = p.ops("POST", "/v1/ops/sources", {"id": "etc", "kind": "folder", "path": "etc",
                                                     "category": "world"})[0]
        created = p.ops("POST", "/v1/ops/sources", {"id": "probe", "kind": "folder",
                                                      "path": "probe", "category": "world"})[0]
        p.ops("POST", "/v1/ops/refresh", {"source": "probe"}, token=p.editor)

        def skipped() -> str:
            source = json.loads(p.ops("GET", "/v1/ops/sources/probe")[2])["source"]
            return source["health"].get("lastSkipped") or ""

        _wait(lambda: "leak.txt" in skipped(), 40)
        stories = json.loads(p.ops("GET", "/v1/ops/stories?limit=500")[2])["stories"]
        hostname = Path("/etc/hostname").read_text().strip()
        leaked = any(hostname and hostname in s["title"] for s in stories)
        return (f"symlinked folder {linked}, source {created}, skipped: {skipped()!r}, "
                f"leaked: {leaked}"), linked == 422 and created == 201 and not leaked \
            and "symlink" in skipped()

    p.check("3", "a folder source with leak.txt -> /etc/hostname; a folder -> /etc",
            "folder 422; the file skipped with the reason", symlinks)

    # 5. 500s for bad input.
    def bad_input():
        deep = b"[" * 50_000 + b"]" * 50_000
        answers = {}
        for method, path in (("POST", "/v1/ops/sources"), ("PUT", "/v1/ops/categories"),
                             ("POST", "/v1/ops/refresh"), ("POST", "/v1/ops/articles"),
                             ("PATCH", f"/v1/ops/stories/{story}"),
                             ("PUT", f"/v1/ops/stories/{story}/pin")):
            answers[f"nested {method} {path}"] = p.ops(method, path, raw=deep)[0]
        answers["?items=²"] = p.call("GET", "/v1/feed.json?items=%C2%B2")[0]
        for path in ("/v1/ops/audit", "/v1/ops/stories", "/v1/ops/jobs"):
            answers[f"{path}?limit=²"] = p.ops("GET", path + "?limit=%C2%B2")[0]
        for name, path in (("NUL path", "/tmp/a\u0000b"), ("1000-char path", "a" * 1000)):
            answers[name] = p.ops("POST", "/v1/ops/sources", {
                "id": "odd", "kind": "folder", "path": path, "category": "world"})[0]
        status, headers, _ = p.call("POST", "/console/login?next=/console/jobs%0d%0aX-Evil:%201",
                                    f"token={p.admin}".encode(),
                                    {"Content-Type": "application/x-www-form-urlencoded"})
        answers["CRLF in login next"] = status if "x-evil" not in headers else 999
        worst = max(answers.values())
        return (f"{len(answers)} requests, all 4xx" if worst < 500 and min(answers.values()) >= 300
                else "; ".join(f"{k}: {v}" for k, v in answers.items() if v >= 500)), worst < 500

    p.check("5", "nested JSON on every JSON route, ?items=², ?limit=² x3, NUL and 1000-char "
            "paths, CRLF in login next", "4xx JSON, no 500", bad_input)

    # 6. Size cap and echoes.
    def big():
        status, _, body = p.ops("POST", "/v1/ops/articles",
                                raw=b'{"guid": "' + b"x" * (10 * 1024 * 1024) + b'"}')
        small, _, echo = p.ops("POST", "/v1/ops/articles",
                               raw=b'{"guid": "' + b"y" * 100_000 + b'"}')
        return f"10 MB body: {status}, {len(body)} bytes back; 100 KB field: {small}, " \
               f"{len(echo)} bytes back", status == 413 and len(body) < 1000 and len(echo) < 2000

    p.check("6", "a 10 MB body; a 100 KB invalid field", "413; errors echo a short prefix", big)

    # 9. Undo actions on unknown ids.
    def undo():
        found = [p.ops("DELETE", f"/v1/ops/stories/0123456789abcdef/{what}", token=p.editor)[0]
                 for what in ("pin", "hidden", "pull")]
        return f"unpin/unhide/unpull: {found}", found == [404, 404, 404]

    p.check("9", "unpin, unhide, unpull an unknown story", "404", undo)

    # 8. Logout ends the session, also for a copied cookie; a viewer cannot write.
    def logout():
        cookie = p.login(p.editor)
        jar = {"Cookie": f"newsdesk_console={cookie}"}
        before = p.call("GET", "/v1/ops/sources", headers=jar)[0]
        p.call("POST", "/console/logout", headers=jar)
        after = p.call("GET", "/v1/ops/sources", headers=jar)[0]
        return f"copied cookie before logout {before}, after {after}", (before, after) == (200, 401)

    p.check("8", "reuse a cookie copied before logout", "401 after logout", logout)

    def roles():
        status = p.ops("POST", "/v1/ops/refresh", {}, token=p.viewer)[0]
        return f"viewer refresh: {status}", status == 403

    p.check("-", "a viewer token queues a refresh", "403", roles)

    # 4. Brute force, last: it locks this address out for the rest of the window.
    def bearer_guesses():
        answers = [p.ops("GET", "/v1/ops/sources", token=f"guess-{n:04d}-{secrets.token_hex(8)}")
                   for n in range(30)]
        codes = [a[0] for a in answers]
        first = codes.index(429) + 1 if 429 in codes else None
        retry = next((a[1].get("retry-after") for a in answers if a[0] == 429), None)
        right = p.ops("GET", "/v1/ops/sources")[0]
        return (f"first 429 at guess {first}, Retry-After {retry}; the right token then: "
                f"{right}"), first is not None and first <= 11 and retry and right == 429

    p.check("4", "30 wrong bearer tokens in a row", "429 with Retry-After; then not even "
            "the right token is checked", bearer_guesses)

    def login_guesses():
        codes = [p.call("POST", "/console/login", b"token=wrong-guess-123456",
                        {"Content-Type": "application/x-www-form-urlencoded"})[0]
                 for _ in range(30)]
        return f"console logins: {codes.count(401)} x 401, {codes.count(429)} x 429", \
            codes[-1] == 429

    p.check("4", "30 wrong console logins (after the bearer guesses)", "429", login_guesses)

    def short_token():
        env = {**os.environ, "NEWSDESK_ADMIN_TOKEN": "x", "REDIS_URL": "redis://127.0.0.1:1"}
        done = subprocess.run([str(NEWSDESK), "sources", "list"], env=env, capture_output=True,
                              text=True, timeout=60)
        message = (done.stderr or done.stdout).strip().splitlines()[-1]
        return f"exit {done.returncode}: {message[:90]}", done.returncode == 2 \
            and "16 or more" in message

    p.check("4", "NEWSDESK_ADMIN_TOKEN of one character", "refused at start", short_token)

    def no_500_logged():
        text = log.read_text(errors="replace")
        count = text.count("unhandled error") + text.count("Traceback")
        return f"{count} unhandled errors or tracebacks in the system's log", count == 0

    p.check("5", "the whole probe, read from the server's log", "no unhandled error",
            no_500_logged)


def start(port: int, data: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    out = log.open("wb")
    return subprocess.Popen([str(NEWSDESK), "up", "--port", str(port), "--workers", "2"],
                            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(up: subprocess.Popen) -> None:
    if up.poll() is None:
        up.send_signal(signal.SIGTERM)
        try:
            up.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(up.pid, signal.SIGKILL)
            up.wait()


def banner_token_count(port: int, tmp: Path, supplied: str | None) -> tuple[int, bool]:
    """Start `up`, read its banner, stop it: how often the token appears, and whether it does."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "REDIS_"))}
    env |= {"NEWSDESK_DATA_DIR": str(tmp / "banner"), "PYTHONUNBUFFERED": "1"}
    if supplied:
        env["NEWSDESK_ADMIN_TOKEN"] = supplied
    log = tmp / "banner.log"
    up = start(port, tmp / "banner", env, log)
    try:
        _wait(lambda: "Press Ctrl-C" in log.read_text(errors="replace"), 60)
    finally:
        stop(up)
    text = log.read_text(errors="replace")
    if supplied:
        return text.count(supplied), "Press Ctrl-C" in text
    generated = re.search(r"made for this run[^:]*: (\S+)", text)
    return (text.count(generated.group(1)) if generated else 0), "Press Ctrl-C" in text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if not NEWSDESK.exists():
        print("run scripts/up or scripts/test once first: .venv is not set up", file=sys.stderr)
        return 2
    port = args.port or _free_port()
    admin, editor, viewer = (secrets.token_urlsafe(24) for _ in range(3))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nd-probe-") as name:
        tmp = Path(name)
        roots = tmp / "roots"
        roots.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "REDIS_"))}
        env |= {"NEWSDESK_ADMIN_TOKEN": admin, "NEWSDESK_DATA_DIR": str(tmp / "var"),
                "NEWSDESK_TOKENS": f"ed:editor:{editor},vi:viewer:{viewer}",
                "NEWSDESK_LOCAL_ROOTS": str(roots), "PYTHONUNBUFFERED": "1"}
        log = tmp / "up.log"
        up = start(port, tmp / "var", env, log)
        probe = Probe(port, admin, editor, viewer)
        try:
            if not _wait(lambda: probe.call("GET", "/readyz")[0] == 200, 90):
                print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
                print("the system did not become ready in 90 s", file=sys.stderr)
                return 2
            attacks(probe, roots, log)
        finally:
            stop(up)
        text = log.read_text(errors="replace")
        probe.check("10", "`newsdesk up` with NEWSDESK_ADMIN_TOKEN supplied",
                    "the token is not printed",
                    lambda: (f"printed {text.count(admin)} times", text.count(admin) == 0))
        count, shown = banner_token_count(_free_port(), tmp, None)
        probe.check("10", "`newsdesk up` with no token", "the token it made, printed once",
                    lambda: (f"printed {count} times", shown and count == 1))
    print(probe.table())
    failed = [row for row in probe.rows if not row[4]]
    print(f"\n{len(probe.rows) - len(failed)} of {len(probe.rows)} held "
          f"in {time.monotonic() - started:.0f} s")
    return 1 if failed or time.monotonic() - started > DEADLINE else 0


if __name__ == "__main__":
    sys.exit(main())
