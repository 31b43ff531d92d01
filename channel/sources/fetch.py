"""Safe outbound HTTP: the one door every user-supplied URL (feed, page, image) goes through.

A source URL is operator input and every redirect is upstream input, so each hop is resolved and
checked before we connect, and we connect to the very address that was checked (no second DNS
lookup an attacker could rebind). Bodies are capped while streaming, after decompression, and the
whole fetch runs against one wall-clock deadline so a slow-drip server cannot pin a worker.
"""

from __future__ import annotations

import http
import http.client
import ipaddress
import logging
import re
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection

log = logging.getLogger(__name__)

USER_AGENT = "Newsdesk/0.1 (+https://github.com/newsdesk; news TV feed builder)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_READ_SIZE = 64 * 1024
_HOSTNAME = re.compile(r"[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*", re.ASCII)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Addresses that hand out cloud credentials; some (Azure's wireserver) are not even private.
METADATA_IPS = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OCI, DigitalOcean...
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS IPv6
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure wireserver
        "192.0.0.192",  # Oracle Cloud (legacy)
    )
)
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data"})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

try:  # trafilatura depends on certifi; fall back to the system store without it.
    import certifi

    _CA_CERTS: str | None = certifi.where()
except ImportError:  # pragma: no cover
    _CA_CERTS = None


class FetchError(Exception):
    """A fetch that failed; ``permanent`` tells the scheduler whether retrying can help."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.status = status
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.reason

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments defeat Exception's default pickling (RQ, multiprocessing).
        return (_rebuild, (type(self), self.reason, self.permanent, self.status, self.retry_after))


def _rebuild(
    cls: type[FetchError],
    reason: str,
    permanent: bool,
    status: int | None,
    retry_after: float | None,
) -> FetchError:
    err = cls.__new__(cls)
    FetchError.__init__(err, reason, permanent=permanent, status=status, retry_after=retry_after)
    return err


class BlockedAddress(FetchError):
    """The URL points (or redirects) somewhere we never connect to: always permanent."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason, permanent=True, status=status)


@dataclass(frozen=True)
class FetchResult:
    url: str  # final URL after redirects
    status: int  # 200 (or another 2xx) or 304
    body: bytes  # b"" on 304
    content_type: str | None  # the raw header, parameters included (charset matters to parsers)
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        """True on 304: the caller keeps what it has and does no further work."""
        return self.status == 304

    @property
    def mime_type(self) -> str | None:
        """Lower-case media type without parameters, for sniffing decisions."""
        if not self.content_type:
            return None
        return self.content_type.split(";", 1)[0].strip().lower() or None


# --------------------------------------------------------------------------- address checks


def blocked_reason(ip: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why we refuse to connect to ``ip``, or None when it is a public unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return blocked_reason(ip.ipv4_mapped, allow_loopback=allow_loopback)
        embedded = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            inner = blocked_reason(embedded, allow_loopback=False)
            if inner:
                return f"{inner} (embedded IPv4 {embedded})"
    if ip in METADATA_IPS:
        return "cloud metadata"
    if ip.is_loopback:
        if allow_loopback and (ip.version == 6 or ip in ipaddress.ip_network("127.0.0.0/8")):
            return None
        return "loopback"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "not globally routable"
    return None


@dataclass(frozen=True)
class _Target:
    """One parsed hop: what to check, where to connect, what to send."""

    url: str
    scheme: str
    host: str  # ASCII hostname or IP literal, no brackets
    port: int
    host_header: str
    request_target: str
    ip_literal: IPAddress | None


def _legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """inet_aton forms like ``2130706433`` or ``0x7f.1`` that resolvers accept without DNS."""
    if not host or any(c not in "0123456789abcdefx." for c in host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _parse(url: str) -> _Target:
    if not isinstance(url, str) or not url.strip():
        raise FetchError("empty URL", permanent=True)
    if any(ord(c) < 0x20 or ord(c) == 0x7F or c == "\\" for c in url.strip()) or len(url) > 8192:
        raise FetchError("malformed URL (control characters or backslashes)", permanent=True)
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"malformed URL: {exc}", permanent=True) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(
            f"URL scheme {scheme or '(none)'!r} is not allowed (http/https only)", permanent=True
        )
    if parts.username is not None or parts.password is not None:
        raise FetchError("credentials in URLs are refused", permanent=True)
    raw_host = (parts.hostname or "").rstrip(".")
    if not raw_host:
        raise FetchError("URL has no host", permanent=True)
    ip_literal: IPAddress | None
    try:
        ip_literal = ipaddress.ip_address(raw_host.split("%", 1)[0])
    except ValueError:
        ip_literal = _legacy_ipv4(raw_host)
    if ip_literal is not None:
        host = str(ip_literal)
    else:
        try:
            host = raw_host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            host = ""
        if len(host) > 253 or not _HOSTNAME.fullmatch(host):
            raise FetchError(f"invalid host name {raw_host!r}", permanent=True)
    default_port = 443 if scheme == "https" else 80
    port = port or default_port
    shown = f"[{host}]" if ":" in host else host
    host_header = shown if port == default_port else f"{shown}:{port}"
    target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        target += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return _Target(url.strip(), scheme, host, port, host_header, target, ip_literal)


def _resolve(target: _Target, allow: bool) -> list[str]:
    if target.ip_literal is not None:
        ips: list[IPAddress] = [target.ip_literal]
    else:
        if target.host in METADATA_HOSTS or target.host.endswith(".internal"):
            raise BlockedAddress(f"refused host {target.host} (cloud metadata / internal name)")
        try:
            infos = socket.getaddrinfo(
                target.host, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
            )
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(
                f"DNS lookup failed for {target.host}: {exc}", permanent=False
            ) from None
        ips = []
        for info in infos:
            ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if ip not in ips:
                ips.append(ip)
        if not ips:
            raise FetchError(f"DNS returned no addresses for {target.host}", permanent=False)
    for ip in ips:  # one bad record refuses the host: mixed answers are a rebinding trick
        reason = blocked_reason(ip, allow_loopback=allow)
        if reason:
            raise BlockedAddress(f"refused address {ip} for host {target.host} ({reason})")
    return [str(ip) for ip in ips]


def check_url(url: str, *, allow_loopback: bool = False) -> list[str]:
    """Resolve the URL's host and return its allowed IPs; raise before anything connects."""
    return _resolve(_parse(url), allow_loopback)


# --------------------------------------------------------------------------- the fetch


class _Deadline:
    """The fetch's wall clock, plus a watchdog that cuts a socket when time runs out.

    Socket timeouts bound each recv, not the total: a server dripping one byte per second would
    otherwise hold a worker forever. The watchdog shuts the socket down at the deadline.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._timer: threading.Timer | None = None

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            self.expired = True
            raise self.error()
        return left

    def error(self) -> FetchError:
        return FetchError(f"timed out (total limit {self.seconds:g}s)", permanent=False)

    def guard(self, sock: socket.socket | None) -> None:
        self.release()
        if sock is None:
            return

        def cut() -> None:
            self.expired = True
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        self._timer = threading.Timer(max(self.end - time.monotonic(), 0.0), cut)
        self._timer.daemon = True
        self._timer.start()

    def release(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


class _Decoder:
    """gzip/deflate with the byte cap on the decompressed size (a 10 KB bomb stays 10 KB)."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []
        self.fed = 0
        self.kind = encoding
        if encoding in ("", "identity"):
            self._z = None
        elif encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = zlib.decompressobj()
            self._first = True
        else:
            raise FetchError(f"unsupported content encoding {encoding!r}", permanent=True)

    def _add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise FetchError(f"response too large (over {self.limit} bytes)", permanent=True)
        if data:
            self.parts.append(data)

    def feed(self, data: bytes) -> None:
        self.fed += len(data)
        if self._z is None:
            self._add(data)
            return
        try:
            self._inflate(data)
        except zlib.error as exc:
            if self.kind == "deflate" and getattr(self, "_first", False):
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send
                self._first = False
                self._feed_raw(data)
                return
            raise FetchError(f"corrupt {self.kind} body: {exc}", permanent=False) from None
        self._first = False

    def _feed_raw(self, data: bytes) -> None:
        try:
            self._inflate(data)
        except zlib.error as exc:
            raise FetchError(f"corrupt {self.kind} body: {exc}", permanent=False) from None

    def _inflate(self, data: bytes) -> None:
        assert self._z is not None
        while data:
            if self._z.eof:
                if self.kind == "deflate" or not data.strip(b"\0"):
                    return  # trailing padding after the stream
                self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)  # next gzip member
            self._add(self._z.decompress(data, self.limit - self.size + 1))
            data = self._z.unused_data if self._z.eof else self._z.unconsumed_tail

    def finish(self) -> bytes:
        if self._z is not None:
            try:
                self._add(self._z.flush(self.limit - self.size + 1))
            except zlib.error as exc:
                raise FetchError(f"corrupt {self.kind} body: {exc}", permanent=False) from None
            if self.fed and not self._z.eof:
                raise FetchError(f"truncated {self.kind} body", permanent=False)
        return b"".join(self.parts)


def _status_error(resp: urllib3.BaseHTTPResponse, url: str) -> FetchError:
    status = resp.status
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    reason = f"HTTP {status} {phrase}".strip() + f" from {url}"
    retry_after = None
    raw_retry = (resp.headers.get("Retry-After") or "").strip()
    if raw_retry.isdigit():
        retry_after = float(raw_retry)
    transient = status in (408, 425, 429) or 500 <= status <= 599
    return FetchError(reason, permanent=not transient, status=status, retry_after=retry_after)


def _connect(
    target: _Target,
    ips: list[str],
    deadline: _Deadline,
    connect_timeout: float,
    ca_certs: str | None,
) -> HTTPConnection:
    last: Exception | None = None
    for ip in ips:
        timeout = min(connect_timeout, deadline.remaining())
        conn: HTTPConnection
        if target.scheme == "https":
            named = target.ip_literal is None
            conn = HTTPSConnection(
                ip,
                target.port,
                timeout=timeout,
                cert_reqs="CERT_REQUIRED",
                ca_certs=ca_certs or _CA_CERTS,
                server_hostname=target.host if named else None,  # SNI for the checked name
                assert_hostname=target.host if named else None,
            )
        else:
            conn = HTTPConnection(ip, target.port, timeout=timeout)
        try:
            conn.connect()
            return conn
        except (urllib3.exceptions.SSLError, ssl.SSLError) as exc:
            conn.close()
            raise FetchError(f"TLS error with {target.host}: {exc}", permanent=False) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            conn.close()
            last = exc
            if deadline.expired:
                raise deadline.error() from None
    if not isinstance(last, urllib3.exceptions.NewConnectionError) and isinstance(
        last, urllib3.exceptions.ConnectTimeoutError | TimeoutError
    ):
        raise FetchError(
            f"connect timed out ({connect_timeout:g}s) to {target.host}", permanent=False
        )
    raise FetchError(f"could not connect to {target.host}: {last}", permanent=False)


def _read_body(
    resp: urllib3.BaseHTTPResponse, sock: socket.socket | None, deadline: _Deadline, max_bytes: int
) -> bytes:
    length = (resp.headers.get("Content-Length") or "").strip()
    if length.isdigit() and int(length) > max_bytes:
        raise FetchError(
            f"response too large ({length} bytes, limit {max_bytes})",
            permanent=True,
            status=resp.status,
        )
    decoder = _Decoder((resp.headers.get("Content-Encoding") or "").strip().lower(), max_bytes)
    raw = 0
    while True:
        if sock is not None:
            sock.settimeout(deadline.remaining())
        chunk = resp.read1(_READ_SIZE, decode_content=False)
        if deadline.expired:
            raise deadline.error()
        if not chunk:
            break
        raw += len(chunk)
        if raw > max_bytes:
            raise FetchError(
                f"response too large (over {max_bytes} bytes)", permanent=True, status=resp.status
            )
        decoder.feed(chunk)
    return decoder.finish()


def _with_status(err: FetchError, status: int) -> FetchError:
    if err.status is None:
        err.status = status
    return err


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = 5_000_000,
    connect_timeout: float = 5.0,
    total_timeout: float = 20.0,
    max_redirects: int = 3,
    accept: str | None = None,
    allow_loopback: bool = False,
    ca_certs: str | None = None,
) -> FetchResult:
    """GET a user-supplied URL safely; 304 comes back as a result, every failure as FetchError.

    ``allow_loopback`` is settings.allow_loopback (tests and local demos); private, link-local and
    metadata addresses stay refused whatever it says. ``ca_certs`` exists for tests with a local
    TLS server; production uses certifi's bundle.
    """
    allow = allow_loopback
    deadline = _Deadline(total_timeout)
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": accept or "*/*",
        "Accept-Encoding": "gzip, deflate",
        "Connection": "close",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = url
    for hop in range(max_redirects + 1):
        target = _parse(current)
        ips = _resolve(target, allow)
        conn = _connect(target, ips, deadline, connect_timeout, ca_certs)
        try:
            deadline.guard(conn.sock)
            if conn.sock is not None:
                conn.sock.settimeout(deadline.remaining())
            conn.request(
                "GET",
                target.request_target,
                headers=headers | {"Host": target.host_header},
                preload_content=False,
                decode_content=False,
            )
            resp = conn.getresponse()
            if resp.status in REDIRECT_STATUSES:
                location = (resp.headers.get("Location") or "").strip()
                if not location:
                    raise FetchError(
                        f"HTTP {resp.status} redirect without Location from {current}",
                        permanent=True,
                        status=resp.status,
                    )
                if hop == max_redirects:
                    raise FetchError(
                        f"too many redirects (more than {max_redirects})",
                        permanent=True,
                        status=resp.status,
                    )
                log.debug("redirect %s -> %s", current, location)
                current = urljoin(current, location)
                continue
            if resp.status == 304:
                return FetchResult(
                    url=current,
                    status=304,
                    body=b"",
                    content_type=resp.headers.get("Content-Type"),
                    etag=resp.headers.get("ETag") or etag,
                    last_modified=resp.headers.get("Last-Modified") or last_modified,
                )
            if not 200 <= resp.status <= 299:
                raise _status_error(resp, current)
            try:
                body = _read_body(resp, conn.sock, deadline, max_bytes)
            except FetchError as err:
                raise _with_status(err, resp.status) from None
            return FetchResult(
                url=current,
                status=resp.status,
                body=body,
                content_type=resp.headers.get("Content-Type"),
                etag=resp.headers.get("ETag"),
                last_modified=resp.headers.get("Last-Modified"),
            )
        except FetchError:
            raise
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
            if deadline.expired:
                raise deadline.error() from None
            if isinstance(exc, TimeoutError | urllib3.exceptions.TimeoutError):
                raise FetchError(f"read timed out from {target.host}", permanent=False) from None
            raise FetchError(
                f"connection failed with {target.host}: {type(exc).__name__}: {exc}",
                permanent=False,
            ) from None
        finally:
            deadline.release()
            conn.close()
    raise AssertionError("unreachable")  # pragma: no cover
