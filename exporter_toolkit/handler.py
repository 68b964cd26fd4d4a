"""Answering requests on a worker thread: routing, basic auth, the concurrent-scrape bound, gzip, streamed bodies.

A worker owns the connection from a complete request head to the end of its response, writing with blocking
sends under a timeout; a keep-alive connection then goes back to the connection loop. What it needs of the
daemon is one `Site` (routes, auth, limits, headers, telemetry hooks), never the server itself.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import gzip
import logging
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from exporter_toolkit.connections import Connection, ConnectionLoop, ConnectionStats
from exporter_toolkit.landing import landing_page
from exporter_toolkit.request import BadRequest, Request, parse_head
from exporter_toolkit.web_config import WebConfigWatcher

log = logging.getLogger(__name__)

Body = bytes | Iterable[bytes]
# A metrics handler gets the request headers (Accept, X-Prometheus-Scrape-Timeout-Seconds, ...) and the query
# parameters, and returns (content type, body).
MetricsHandler = Callable[[Mapping[str, str], dict[str, list[str]]], tuple[str, Body]]
# Extra routes: path -> handler(headers, query) -> (status, content type, body). They sit behind auth and the
# concurrent-scrape bound like the metrics path (a multi-target /probe is a scrape).
Route = Callable[[Mapping[str, str], dict[str, list[str]]], tuple[int, str, Body]]


def _ignore(_value: int) -> None:
    return None


@dataclass(frozen=True)
class Hooks:
    """Where the HTTP layer reports what Go's promhttp counts (telemetry.add_exporter_metrics makes them): the
    status of each metrics request, scrapes in flight (+1/-1), and the connection loop's counts."""

    on_metrics_request: Callable[[int], None] = _ignore
    in_flight: Callable[[int], None] = _ignore
    connections: ConnectionStats = field(default_factory=ConnectionStats)


@dataclass(frozen=True)
class Site:
    """Everything answering a request needs: the routes, basic auth and response headers (the web config), the
    concurrent-scrape bound, gzip, the telemetry hooks, and whether the server is stopping."""

    name: str
    description: str
    version: str
    telemetry_path: str
    metrics: MetricsHandler
    routes: Mapping[str, Route]
    ready: Callable[[], bool]
    web_config: WebConfigWatcher
    max_requests: int
    scrape_slots: threading.BoundedSemaphore
    gzip: bool
    hooks: Hooks
    stopping: Callable[[], bool]

WRITE_TIMEOUT_SECONDS = 60.0  # per send: a client that stops reading a response is dropped
GZIP_MIN_BYTES = 1024
STREAM_CHUNK_BYTES = 64 * 1024  # small pieces of a streamed body are sent together, as one HTTP chunk
TEXT = "text/plain; charset=utf-8"

_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True))
    return _date_cache[1]


def handle_connection(site: Site, loop: ConnectionLoop, conn: Connection) -> None:
    """Answer every complete request the connection holds, then give it back to the loop or close it."""
    sock = conn.sock
    try:
        sock.settimeout(WRITE_TIMEOUT_SECONDS)
        while (head := conn.take_head()) is not None:
            if not _Exchange(site, sock, head, conn.client).serve() or site.stopping():
                break
        else:
            loop.resume(conn)
            return
    except (OSError, ValueError) as exc:  # the client went away, or stopped reading
        log.debug("connection error", extra={"client": conn.client, "err": str(exc)})
    _close(sock)
    loop.closed(conn)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.close()


def _gzip_stream(chunks: Iterable[bytes]) -> Iterator[bytes]:
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)  # 31: gzip framing
    for chunk in chunks:
        out = compressor.compress(chunk)
        if out:
            yield out
    yield compressor.flush()


class _Exchange:
    """One request and its response."""

    def __init__(self, site: Site, sock: socket.socket, head: bytes, client: str) -> None:
        self.site = site
        self.sock = sock
        self.head = head
        self.client = client
        self.keep_alive = False
        self.send_body = True
        self.request: Request | None = None

    def serve(self) -> bool:
        """Answer the request; True when the connection may carry another one."""
        try:
            request = self.request = parse_head(self.head)
        except BadRequest as exc:
            self.reply(HTTPStatus.BAD_REQUEST, TEXT, f"400 Bad Request: {exc}\n".encode())
            return False
        self.keep_alive = request.keep_alive and not request.has_body and not self.site.stopping()
        if log.isEnabledFor(logging.DEBUG):
            log.debug("http request", extra={"client": self.client, "request": f"{request.method} {request.target}"})
        if request.method not in ("GET", "HEAD"):
            self.keep_alive = False
            self.reply(HTTPStatus.METHOD_NOT_ALLOWED, TEXT, b"405 method not allowed\n",
                       extra_headers={"Allow": "GET, HEAD"})
            return False
        self.send_body = request.method == "GET"
        self.route(request)
        return self.keep_alive

    # --- routing -------------------------------------------------------------------------------
    def route(self, request: Request) -> None:
        cfg = self.site
        url = urlsplit(request.target)
        path = url.path
        if path in ("/healthz", "/-/healthy"):
            return self.reply(HTTPStatus.OK, TEXT, b"OK\n")
        if path in ("/readyz", "/-/ready"):
            if cfg.ready():
                return self.reply(HTTPStatus.OK, TEXT, b"OK\n")
            return self.reply(HTTPStatus.SERVICE_UNAVAILABLE, TEXT, b"not ready\n")
        if not self.authorized(request):
            return None
        query = parse_qs(url.query)
        if path == cfg.telemetry_path:
            return self.scrape(lambda: (HTTPStatus.OK, *cfg.metrics(request.headers, query)))
        if path in cfg.routes:
            route = cfg.routes[path]
            return self.scrape(lambda: route(request.headers, query))
        if path == "/":
            page = landing_page(cfg.name, cfg.description, cfg.version, cfg.telemetry_path, list(cfg.routes))
            return self.reply(HTTPStatus.OK, "text/html; charset=utf-8", page)
        return self.reply(HTTPStatus.NOT_FOUND, TEXT, b"404 page not found\n")

    def authorized(self, request: Request) -> bool:
        watcher = self.site.web_config
        if not watcher.auth_required:
            return True
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                user, password = "", ""
            if user and watcher.check_basic_auth(user, password):
                return True
        self.reply(HTTPStatus.UNAUTHORIZED, TEXT, b"Unauthorized\n", extra_headers={"WWW-Authenticate": "Basic"})
        return False

    def scrape(self, produce: Callable[[], tuple[int, str, Body]]) -> None:
        site = self.site
        if not site.scrape_slots.acquire(blocking=False):
            body = f"Limit of concurrent requests reached ({site.max_requests}), try again later.\n".encode()
            self._count(HTTPStatus.SERVICE_UNAVAILABLE)
            return self.reply(HTTPStatus.SERVICE_UNAVAILABLE, TEXT, body)
        try:
            site.hooks.in_flight(1)
            try:
                status, ctype, body = produce()
            except Exception as exc:  # a bug must cost one scrape, never the daemon
                log.exception("error gathering metrics")
                self._count(HTTPStatus.INTERNAL_SERVER_ERROR)
                msg = f"An error has occurred while serving metrics:\n\n{exc}\n".encode()
                return self.reply(HTTPStatus.INTERNAL_SERVER_ERROR, TEXT, msg)
            self._count(status)
            self.reply(status, ctype, body, compress=True)
        finally:
            site.hooks.in_flight(-1)
            site.scrape_slots.release()
        return None

    def _count(self, status: int) -> None:
        self.site.hooks.on_metrics_request(int(status))

    # --- responses -----------------------------------------------------------------------------
    def reply(self, status: int, ctype: str, body: Body, compress: bool = False,
              extra_headers: dict[str, str] | None = None) -> None:
        request = self.request
        streamed = not isinstance(body, bytes)
        encoded = False
        if (compress and self.site.gzip and request is not None
                and "gzip" in request.headers.get("accept-encoding", "")):
            if streamed:  # a body with gzipped() gives its own gzip body (kube-state keeps pieces compressed)
                gzipped = getattr(body, "gzipped", None)
                body, encoded = (gzipped() if gzipped is not None else _gzip_stream(body)), True  # type: ignore[arg-type]
            elif len(body) >= GZIP_MIN_BYTES:  # type: ignore[arg-type]
                body, encoded = gzip.compress(body, compresslevel=1, mtime=0), True  # type: ignore[arg-type]
        status = HTTPStatus(status)
        lines = [f"HTTP/1.1 {status.value} {status.phrase}", "Server: exporter-suite", f"Date: {_http_date()}",
                 f"Content-Type: {ctype}"]
        if encoded:
            lines += ["Content-Encoding: gzip", "Vary: Accept-Encoding"]
        for name, value in {**self.site.web_config.current().headers, **(extra_headers or {})}.items():
            lines.append(f"{name}: {value}")
        if streamed:
            lines.append("Transfer-Encoding: chunked")
        else:
            lines.append(f"Content-Length: {len(body)}")  # type: ignore[arg-type]
        if not self.keep_alive:
            lines.append("Connection: close")
        elif request is not None and request.version == "HTTP/1.0":
            lines.append("Connection: keep-alive")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        sendall = self.sock.sendall
        if not self.send_body:
            sendall(head)
            if streamed and hasattr(body, "close"):
                body.close()  # type: ignore[union-attr]
            return
        if not streamed:
            if len(body) <= STREAM_CHUNK_BYTES:  # type: ignore[arg-type]
                sendall(head + body)  # type: ignore[operator]
            else:
                sendall(head)
                sendall(body)  # type: ignore[arg-type]
            return
        self._send_chunked(head, body)  # type: ignore[arg-type]

    def _send_chunked(self, head: bytes, body: Iterable[bytes]) -> None:
        sendall = self.sock.sendall
        prefix = head  # sent with the first chunk
        pieces: list[bytes] = []
        size = 0
        try:
            for chunk in body:
                if not chunk:
                    continue
                pieces.append(chunk)
                size += len(chunk)
                if size >= STREAM_CHUNK_BYTES:
                    sendall(b"".join([prefix, b"%x\r\n" % size, *pieces, b"\r\n"]))
                    prefix, pieces, size = b"", [], 0
        except Exception as exc:
            log.exception("error while streaming metrics")
            self.keep_alive = False
            if prefix:  # nothing went out yet: a proper error response
                body = f"An error has occurred while serving metrics:\n\n{exc}\n".encode()
                sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: " + TEXT.encode()
                        + b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
                return
            # The status line is out: the only way left to tell the client is an incomplete body.
            raise OSError("response body failed") from None
        frame = [prefix, b"%x\r\n" % size, *pieces, b"\r\n"] if size else [prefix]
        sendall(b"".join([*frame, b"0\r\n\r\n"]))
