"""A real HTTP server on 127.0.0.1 for tests: no mocks, and no traffic leaves the machine.

    with serve({"/feed.xml": (200, {"Content-Type": "application/rss+xml"}, RSS)}) as srv:
        fetch(srv.url("/feed.xml"), allow_loopback=True)

A route is either a ``(status, headers, body)`` tuple or a callable taking the ``Request`` and
returning such a tuple, or returning None after writing the response itself through
``request.handler`` (for slow drips, resets and other misbehaviour). ``routes`` may also be a
single callable that handles every path. Unknown paths get 404. Each request is recorded in
``srv.requests``; long-running handlers should stop when ``srv.stopping`` is set.
"""

from __future__ import annotations

import ssl
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Response = tuple[int, Mapping[str, str], bytes]
Handler = Callable[["Request"], Response | None]
Route = Response | Handler


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    handler: BaseHTTPRequestHandler = field(repr=False)
    stopping: threading.Event = field(repr=False)


@dataclass
class LocalServer:
    base_url: str
    port: int
    requests: list[Request]
    stopping: threading.Event

    def url(self, path: str = "/") -> str:
        return self.base_url + path


def _write(handler: BaseHTTPRequestHandler, response: Response) -> None:
    status, headers, body = response
    handler.send_response(status)
    names = {k.lower() for k in headers}
    for name, value in headers.items():
        handler.send_header(name, value)
    if "content-length" not in names and "transfer-encoding" not in names:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if body and handler.command != "HEAD":
        handler.wfile.write(body)


@contextmanager
def serve(
    routes: Mapping[str, Route] | Handler, *, tls: ssl.SSLContext | None = None
) -> Iterator[LocalServer]:
    """Run a ThreadingHTTPServer on 127.0.0.1:0 for the block; ``tls`` makes it HTTPS."""
    requests: list[Request] = []
    stopping = threading.Event()

    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _dispatch(self) -> None:
            req = Request(
                self.command,
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                self,
                stopping,
            )
            requests.append(req)
            path = self.path.split("?", 1)[0]
            route: Route | None = (
                routes if callable(routes) else routes.get(self.path, routes.get(path))
            )
            if route is None:
                route = (404, {"Content-Type": "text/plain"}, b"not found")
            try:
                response = route(req) if callable(route) else route
                if response is not None:
                    _write(self, response)
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                pass  # the client gave up, which is what many tests are about
            self.close_connection = True

        do_GET = do_HEAD = do_POST = _dispatch

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    class _Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            if not isinstance(sys.exc_info()[1], OSError):  # TLS failures, resets: expected
                super().handle_error(request, client_address)

    server = _Server(("127.0.0.1", 0), _Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    port = server.server_address[1]
    scheme = "https" if tls is not None else "http"
    try:
        yield LocalServer(f"{scheme}://127.0.0.1:{port}", port, requests, stopping)
    finally:
        stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=2)
