"""channel.sources.fetch against real local servers; refused addresses refuse pre-connect.

Every outbound connection the process makes is recorded through a ``socket.connect`` audit hook
(no mocks): tests of refused addresses assert that nothing but our 127.0.0.1 servers was dialled.
"""

from __future__ import annotations

import gzip
import pickle
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from channel.config import Settings
from channel.sources.fetch import (
    USER_AGENT,
    BlockedAddress,
    FetchError,
    FetchResult,
    _Decoder,
    blocked_reason,
    check_url,
    fetch,
)
from tests.httpserver import Request, serve

# ----------------------------------------------------------------------------- connect recorder

_recording: list[list[object]] = []
_lock = threading.Lock()


def _audit(event: str, args: tuple) -> None:
    if event == "socket.connect" and _recording:
        with _lock:
            for bucket in _recording:
                bucket.append(args[1])


sys.addaudithook(_audit)  # process-wide and permanent, so it only records inside `connects()`


@contextmanager
def connects() -> Iterator[list[object]]:
    """Every address a socket in this process tried to connect to during the block."""
    bucket: list[object] = []
    _recording.append(bucket)
    try:
        yield bucket
    finally:
        _recording.remove(bucket)


def _hosts(addresses: list[object]) -> set[str]:
    return {a[0] for a in addresses if isinstance(a, tuple)}


def local_fetch(url: str, **kw: object) -> FetchResult:
    kw.setdefault("allow_loopback", True)
    kw.setdefault("total_timeout", 2.0)
    kw.setdefault("connect_timeout", 1.0)
    return fetch(url, **kw)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- plain fetching


def test_get_returns_body_validators_and_sends_user_agent() -> None:
    headers = {
        "Content-Type": "application/rss+xml; charset=utf-8",
        "ETag": '"v1"',
        "Last-Modified": "Tue, 01 Jan 2030 00:00:00 GMT",
    }
    with serve({"/feed": (200, headers, b"<rss/>")}) as srv:
        got = local_fetch(srv.url("/feed?x=1"), accept="application/rss+xml")
    assert got == FetchResult(
        srv.url("/feed?x=1"),
        200,
        b"<rss/>",
        "application/rss+xml; charset=utf-8",
        '"v1"',
        "Tue, 01 Jan 2030 00:00:00 GMT",
    )
    assert got.mime_type == "application/rss+xml" and not got.not_modified
    sent = srv.requests[0].headers
    assert sent["user-agent"] == USER_AGENT
    assert sent["accept"] == "application/rss+xml"
    assert sent["host"] == f"127.0.0.1:{srv.port}"


def test_empty_200_body_is_returned_empty() -> None:
    with serve({"/": (200, {}, b"")}) as srv:
        assert local_fetch(srv.url("/")).body == b""


def test_non_ascii_path_is_percent_encoded() -> None:
    with serve(lambda req: (200, {}, req.path.encode())) as srv:
        got = local_fetch(srv.url("/nyheter/é ø?q=a b")).body
    assert got == b"/nyheter/%C3%A9%20%C3%B8?q=a%20b"


# ----------------------------------------------------------------------------- conditional GET


def _conditional(req: Request):
    if req.headers.get("if-none-match") == '"v1"':
        return (304, {"ETag": '"v1"'}, b"")
    if req.headers.get("if-modified-since") == "Tue, 01 Jan 2030 00:00:00 GMT":
        return (304, {}, b"")  # no validators repeated: the caller's must survive
    return (200, {"ETag": '"v1"', "Last-Modified": "Tue, 01 Jan 2030 00:00:00 GMT"}, b"full")


def test_conditional_get_with_etag_gives_304_and_no_body() -> None:
    with serve({"/f": _conditional}) as srv:
        first = local_fetch(srv.url("/f"))
        again = local_fetch(srv.url("/f"), etag=first.etag)
    assert first.body == b"full" and not first.not_modified
    assert again.not_modified and again.status == 304 and again.body == b""
    assert again.etag == '"v1"'
    assert srv.requests[1].headers["if-none-match"] == '"v1"'
    assert "if-none-match" not in srv.requests[0].headers


def test_conditional_get_with_last_modified_keeps_validators() -> None:
    with serve({"/f": _conditional}) as srv:
        got = local_fetch(
            srv.url("/f"), etag='"old"', last_modified="Tue, 01 Jan 2030 00:00:00 GMT"
        )
    assert got.not_modified and got.body == b""
    assert got.etag == '"old"' and got.last_modified == "Tue, 01 Jan 2030 00:00:00 GMT"


# ----------------------------------------------------------------------------- refused addresses

REFUSED = [
    ("http://127.0.0.1/", "loopback"),
    ("http://127.8.9.10:8080/", "loopback"),
    ("http://[::1]/", "loopback"),
    ("http://2130706433/", "loopback"),  # decimal 127.0.0.1
    ("http://0x7f.1/", "loopback"),  # inet_aton shorthand
    ("http://[2002:7f00:1::]/", "loopback"),  # 6to4 wrapping 127.0.0.1
    ("http://[::ffff:127.0.0.1]/", "loopback"),  # IPv4-mapped
    ("http://10.0.0.1/", "private"),
    ("http://172.16.5.4/", "private"),
    ("https://192.168.1.1/admin", "private"),
    ("http://[fc00::1]/", "private"),
    ("http://[::ffff:10.0.0.1]/", "private"),  # IPv4-mapped IPv6
    ("http://[64:ff9b::a00:1]/", "private"),  # NAT64 wrapping 10.0.0.1
    ("http://169.254.1.1/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://224.0.0.1/", "multicast"),
    ("http://[ff02::1]/", "multicast"),
    ("http://240.0.0.1/", "reserved"),
    ("http://255.255.255.255/", "reserved"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    ("http://100.64.0.1/", "not globally routable"),  # carrier-grade NAT
    ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
    ("https://169.254.169.254/", "cloud metadata"),
    ("http://[fd00:ec2::254]/", "cloud metadata"),
    ("http://100.100.100.200/", "cloud metadata"),
    ("http://168.63.129.16/", "cloud metadata"),  # Azure: public range, still refused
    ("http://metadata.google.internal/computeMetadata/v1/", "cloud metadata"),
]


@pytest.mark.parametrize(("url", "why"), REFUSED)
def test_every_refused_address_class_is_refused_before_connecting(url: str, why: str) -> None:
    started = time.monotonic()
    with connects() as dialled, pytest.raises(BlockedAddress) as err:
        fetch(url, allow_loopback=False, total_timeout=1.0)
    assert dialled == []
    assert why in err.value.reason
    assert err.value.permanent
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://192.168.0.1/",
        "http://169.254.169.254/",
        "http://[fd00::1]/",
        "http://[::ffff:10.0.0.1]/",
    ],
)
def test_allowing_loopback_never_allows_private_or_metadata(url: str) -> None:
    with connects() as dialled, pytest.raises(BlockedAddress):
        fetch(url, allow_loopback=True, total_timeout=1.0)
    assert dialled == []


def test_loopback_needs_explicit_permission_from_the_settings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with serve({"/": (200, {}, b"ok")}) as srv:
        monkeypatch.setenv("NEWSDESK_ALLOW_LOOPBACK", "1")  # fetch itself never reads it
        with connects() as dialled, pytest.raises(BlockedAddress, match="loopback"):
            fetch(srv.url("/"))
        assert dialled == []
        assert fetch(srv.url("/"), allow_loopback=True).body == b"ok"
        assert Settings.from_env().allow_loopback
        monkeypatch.setenv("NEWSDESK_ALLOW_LOOPBACK", "0")
        assert not Settings.from_env().allow_loopback


def test_check_url_resolves_localhost_and_checks_the_answer() -> None:
    with pytest.raises(BlockedAddress, match="loopback"):
        check_url("http://localhost:8080/feed", allow_loopback=False)
    ips = check_url("http://localhost:8080/feed", allow_loopback=True)
    assert ips and set(ips) <= {"127.0.0.1", "::1"}


def test_blocked_reason_passes_public_addresses() -> None:
    import ipaddress

    for public in ("93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "2002:5db8:d822::"):
        assert blocked_reason(ipaddress.ip_address(public)) is None


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1/x",
        "gopher://127.0.0.1:70/",
        "javascript:alert(1)",
        "//127.0.0.1/",
        "127.0.0.1/feed",
        "http:///nohost",
        "http://user:pw@127.0.0.1/",
        "http://exa mple.com/",
        "http://127.0.0.1:99999/",
        "http://a\\@127.0.0.1/",
        "",
    ],
)
def test_bad_urls_are_permanent_errors_without_connecting(url: str) -> None:
    with connects() as dialled, pytest.raises(FetchError) as err:
        fetch(url, allow_loopback=True, total_timeout=1.0)
    assert dialled == [] and err.value.permanent


# ----------------------------------------------------------------------------- redirects


@pytest.mark.parametrize(
    "location",
    [
        "http://10.0.0.1/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://192.168.0.1:8080/",
        "file:///etc/passwd",
        "http://0x0a000001/",
    ],
)
def test_redirect_to_private_address_is_refused_before_connecting(location: str) -> None:
    with serve({"/feed": (302, {"Location": location}, b"")}) as srv:
        with connects() as dialled, pytest.raises(FetchError) as err:
            local_fetch(srv.url("/feed"))
    assert err.value.permanent
    assert _hosts(dialled) == {"127.0.0.1"}  # only the local server itself


def test_redirects_are_followed_rechecked_and_limited() -> None:
    routes = {
        "/r1": (301, {"Location": "/r2"}, b""),  # relative
        "/r2": (302, {"Location": "r3"}, b""),
        "/r3": (307, {}, b""),  # filled in below: absolute
        "/ok": (200, {"ETag": '"e"'}, b"done"),
        "/r0": (308, {"Location": "/r1"}, b""),
    }
    with serve(routes) as srv:
        routes["/r3"] = (307, {"Location": srv.url("/ok")}, b"")
        got = local_fetch(srv.url("/r1"))
        assert got.body == b"done" and got.url == srv.url("/ok") and got.etag == '"e"'
        with pytest.raises(FetchError, match="too many redirects") as err:
            local_fetch(srv.url("/r0"))
        assert err.value.permanent
        assert local_fetch(srv.url("/r0"), max_redirects=4).body == b"done"
        with pytest.raises(FetchError, match="too many redirects"):
            local_fetch(srv.url("/r1"), max_redirects=0)


def test_redirect_without_location_is_an_error() -> None:
    with serve({"/": (302, {}, b"")}) as srv, pytest.raises(FetchError, match="without Location"):
        local_fetch(srv.url("/"))


# ----------------------------------------------------------------------------- byte cap


def test_byte_cap_refuses_declared_length() -> None:
    with serve({"/big": (200, {}, b"x" * 2000)}) as srv:
        assert len(local_fetch(srv.url("/big"), max_bytes=2000).body) == 2000
        with pytest.raises(FetchError, match="too large") as err:
            local_fetch(srv.url("/big"), max_bytes=1999)
    assert err.value.permanent


def _endless_chunks(req: Request) -> None:
    h = req.handler
    h.send_response(200)
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    chunk = b"y" * 16384
    while not req.stopping.is_set():
        h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))


def test_byte_cap_while_streaming_an_endless_body() -> None:
    started = time.monotonic()
    with serve({"/": _endless_chunks}) as srv, pytest.raises(FetchError, match="too large"):
        local_fetch(srv.url("/"), max_bytes=200_000)
    assert time.monotonic() - started < 1.0


def test_byte_cap_applies_to_decompressed_size() -> None:
    bomb = gzip.compress(b"\0" * 10_000_000, compresslevel=9)  # ~10 KB on the wire
    assert len(bomb) < 100_000
    with serve({"/": (200, {"Content-Encoding": "gzip"}, bomb)}) as srv:
        with pytest.raises(FetchError, match="too large"):
            local_fetch(srv.url("/"), max_bytes=1_000_000)


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", lambda b: gzip.compress(b[:5000]) + gzip.compress(b[5000:])),  # 2 members
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send
    ],
)
def test_compressed_bodies_are_decoded(encoding: str, compress) -> None:
    text = b"<rss>" + b"news " * 3000 + b"</rss>"
    with serve({"/": (200, {"Content-Encoding": encoding}, compress(text))}) as srv:
        assert local_fetch(srv.url("/")).body == text
        assert srv.requests[0].headers["accept-encoding"] == "gzip, deflate"


def test_gzip_members_split_at_any_byte_boundary() -> None:
    text = b"first member, " * 50 + b"second member" * 50
    wire = gzip.compress(text[:700]) + gzip.compress(text[700:]) + b"\0\0"
    decoder = _Decoder("gzip", 1_000_000)
    for i in range(len(wire)):
        decoder.feed(wire[i : i + 1])
    assert decoder.finish() == text
    cut = _Decoder("gzip", 1_000_000)
    cut.feed(gzip.compress(text)[:-12])
    with pytest.raises(FetchError, match="truncated gzip"):
        cut.finish()


def test_fetch_errors_survive_pickling() -> None:
    for err in (
        FetchError("HTTP 503", permanent=False, status=503, retry_after=9.0),
        BlockedAddress("refused address 10.0.0.1 (private)"),
    ):
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err) and str(back) == str(err)
        assert (back.permanent, back.status, back.retry_after) == (
            err.permanent,
            err.status,
            err.retry_after,
        )


def test_unknown_or_corrupt_encodings_are_errors() -> None:
    with serve(
        {
            "/br": (200, {"Content-Encoding": "br"}, b"\x1b\x00"),
            "/bad": (200, {"Content-Encoding": "gzip"}, b"not gzip at all"),
        }
    ) as srv:
        with pytest.raises(FetchError, match="unsupported content encoding"):
            local_fetch(srv.url("/br"))
        with pytest.raises(FetchError, match="corrupt gzip"):
            local_fetch(srv.url("/bad"))


# ----------------------------------------------------------------------------- timeouts


def test_connect_timeout() -> None:
    # A listener whose accept queue is full: the kernel drops further SYNs, so connect hangs.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(s)
    try:
        started = time.monotonic()
        with pytest.raises(FetchError, match="timed out") as err:
            local_fetch(f"http://127.0.0.1:{port}/", connect_timeout=0.3)
        assert not err.value.permanent
        assert time.monotonic() - started < 1.0
    finally:
        for s in fillers:
            s.close()
        listener.close()


def test_connection_refused_is_transient() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with pytest.raises(FetchError, match="could not connect") as err:
        local_fetch(f"http://127.0.0.1:{port}/")
    assert not err.value.permanent


def _silent(req: Request) -> None:
    req.stopping.wait(5)


def _drip_body(req: Request) -> None:
    h = req.handler
    h.send_response(200)
    h.send_header("Content-Length", "100000")
    h.end_headers()
    while not req.stopping.wait(0.05):
        h.wfile.write(b"x")
        h.wfile.flush()


def _drip_headers(req: Request) -> None:
    h = req.handler
    h.wfile.write(b"HTTP/1.1 200 OK\r\n")
    while not req.stopping.wait(0.05):
        h.wfile.write(b"X-Slow: 1\r\n")
        h.wfile.flush()


@pytest.mark.parametrize("handler", [_silent, _drip_body, _drip_headers])
def test_total_timeout_is_a_wall_clock_deadline(handler) -> None:
    with serve({"/": handler}) as srv:
        started = time.monotonic()
        with pytest.raises(FetchError, match="timed out") as err:
            local_fetch(srv.url("/"), total_timeout=0.5)
        elapsed = time.monotonic() - started
    assert not err.value.permanent
    assert 0.4 < elapsed < 1.0


def test_total_timeout_spans_redirects() -> None:
    def slow_redirect(req: Request):
        req.stopping.wait(0.2)
        return (302, {"Location": "/"}, b"")

    with serve({"/": slow_redirect}) as srv:
        started = time.monotonic()
        with pytest.raises(FetchError, match="timed out"):
            local_fetch(srv.url("/"), total_timeout=0.5, max_redirects=3)
        assert time.monotonic() - started < 1.0


# ----------------------------------------------------------------------------- status and breakage


@pytest.mark.parametrize(
    ("status", "permanent"),
    [
        (404, True),
        (410, True),
        (403, True),
        (400, True),
        (500, False),
        (502, False),
        (503, False),
        (429, False),
        (408, False),
    ],
)
def test_http_errors_say_whether_to_retry(status: int, permanent: bool) -> None:
    with serve({"/": (status, {"Retry-After": "120"}, b"nope")}) as srv:
        with pytest.raises(FetchError) as err:
            local_fetch(srv.url("/"))
    assert err.value.status == status and err.value.permanent is permanent
    assert str(status) in str(err.value)
    assert err.value.retry_after == 120.0


def _raw(payload: bytes):
    def handler(req: Request) -> None:
        req.handler.wfile.write(payload)
        req.handler.wfile.flush()

    return handler


@pytest.mark.parametrize(
    "payload",
    [
        b"",  # closed without a response
        b"\x00\x01\x02 garbage",
        b"HTTP/1.1 abc Bad\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly a little",  # cut short
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n",  # bad chunk size
        b"HTTP/1.1 200 OK\r\n" + b"X: " + b"a" * 70000 + b"\r\n\r\n",  # header line too long
    ],
)
def test_broken_responses_become_fetch_errors(payload: bytes) -> None:
    with serve({"/": _raw(payload)}) as srv, pytest.raises(FetchError) as err:
        local_fetch(srv.url("/"))
    assert err.value.reason


# ----------------------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if not shutil.which("openssl"):
        pytest.skip("openssl CLI not available to make a test certificate")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=20,
    )
    return cert, key


def test_https_connects_to_checked_ip_with_sni_and_verifies_the_name(
    tls_files: tuple[Path, Path],
) -> None:
    cert, key = tls_files
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    seen_sni: list[str | None] = []
    ctx.sni_callback = lambda sock, name, c: seen_sni.append(name)
    with serve({"/": (200, {}, b"secure")}, tls=ctx) as srv:
        url = f"https://localhost:{srv.port}/"
        with connects() as dialled:
            got = local_fetch(url, ca_certs=str(cert))
        assert got.body == b"secure"
        assert seen_sni[-1] == "localhost"  # SNI carries the name...
        assert _hosts(dialled) <= {"127.0.0.1", "::1"}  # ...the socket goes to the checked IP
        assert srv.requests[-1].headers["host"] == f"localhost:{srv.port}"
        with pytest.raises(FetchError, match="TLS error.*mismatch"):
            local_fetch(f"https://127.0.0.1:{srv.port}/", ca_certs=str(cert))  # name mismatch
        with pytest.raises(FetchError, match="TLS error.*verify failed"):
            local_fetch(url)  # self-signed: not in the trusted bundle
