"""A news upstream for one test host: `python -m tests.ha.upstream PORT DELAY FILE` serves FILE
as an RSS feed on 127.0.0.1:PORT, each answer after DELAY seconds (a slow origin)."""

from __future__ import annotations

import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def main() -> None:
    port, delay, body = int(sys.argv[1]), float(sys.argv[2]), Path(sys.argv[3]).read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            time.sleep(delay)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
