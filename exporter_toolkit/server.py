"""The HTTP side of every daemon: /metrics, landing page, health endpoints, TLS, basic auth, limits, SIGTERM.

Built on the standard library's threading HTTP server: one thread per connection, a bound on concurrent
scrapes (Go's --web.max-requests), a socket timeout for slow clients, TLS handshakes done in the
connection's own thread so a slow handshake never blocks accept(), and a graceful stop that lets scrapes
in flight finish.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import gzip
import logging
import signal
import socket
import ssl
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from exporter_toolkit.landing import landing_page
from exporter_toolkit.listen import address_family, display, parse_listen_address
from exporter_toolkit.web_config import WebConfigWatcher

log = logging.getLogger("exporter_toolkit")

Body = bytes | Iterable[bytes]
# A metrics handler gets the request headers (Accept, X-Prometheus-Scrape-Timeout-Seconds, ...) and the query
# parameters, and returns (content type, body).
MetricsHandler = Callable[[Mapping[str, str], dict[str, list[str]]], tuple[str, Body]]
# Extra routes: path -> handler(headers, query) -> (status, content type, body). They sit behind auth and the
# concurrent-scrape bound like the metrics path (a multi-target /probe is a scrape).
Route = Callable[[Mapping[str, str], dict[str, list[str]]], tuple[int, str, Body]]

CLIENT_TIMEOUT_SECONDS = 60.0
TLS_HANDSHAKE_TIMEOUT_SECONDS = 10.0
GZIP_MIN_BYTES = 1024


@dataclass
class ServerConfig:
    """Everything the HTTP layer needs from the daemon."""

    name: str
    description: str
    version: str
    metrics: MetricsHandler
    listen_addresses: list[str] = field(default_factory=lambda: [":9100"])
    telemetry_path: str = "/metrics"
    web_config_file: str | None = None
    max_requests: int = 40
    ready: Callable[[], bool] = lambda: True
    # Compress scrapes for clients that accept gzip. Off for very large bodies, where it costs more than it saves
    # on a cluster network (kube-state-metrics' --enable-gzip-encoding is off by default too).
    gzip: bool = True
    routes: dict[str, Route] = field(default_factory=dict)
    # Called with the HTTP status of each metrics request (for promhttp_metric_handler_requests_total).
    on_metrics_request: Callable[[int], None] | None = None
    in_flight: Callable[[int], None] | None = None


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    timeout = CLIENT_TIMEOUT_SECONDS
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stall
    server_version = "exporter-suite"
    sys_version = ""

    def log_message(self, format: str, *args) -> None:
        log.debug("http request", extra={"client": self.client_address[0], "request": format % args})

    def setup(self) -> None:
        super().setup()
        self.server.track(self, True)

    def finish(self) -> None:
        self.server.track(self, False)
        super().finish()

    def do_GET(self) -> None:
        self._handle(send_body=True)

    def do_HEAD(self) -> None:
        self._handle(send_body=False)

    def _handle(self, send_body: bool) -> None:
        self.busy = True
        try:
            self._serve(send_body)
        finally:
            self.busy = False
            if self.server.exporter.stopping:
                self.close_connection = True

    # --- routing -------------------------------------------------------------------------------
    def _serve(self, send_body: bool) -> None:
        exporter = self.server.exporter
        cfg = exporter.config
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        path = url.path
        if path in ("/healthz", "/-/healthy"):
            return self._reply(HTTPStatus.OK, "text/plain; charset=utf-8", b"OK\n", send_body)
        if path in ("/readyz", "/-/ready"):
            if cfg.ready():
                return self._reply(HTTPStatus.OK, "text/plain; charset=utf-8", b"OK\n", send_body)
            return self._reply(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", b"not ready\n",
                               send_body)
        if not self._authorized():
            return None
        if path == cfg.telemetry_path:
            return self._serve_scrape(lambda: (HTTPStatus.OK, *cfg.metrics(self.headers, query)), send_body)
        if path in cfg.routes:
            route = cfg.routes[path]
            return self._serve_scrape(lambda: route(self.headers, query), send_body)
        if path == "/":
            page = landing_page(cfg.name, cfg.description, cfg.version, cfg.telemetry_path, list(cfg.routes))
            return self._reply(HTTPStatus.OK, "text/html; charset=utf-8", page, send_body)
        return self._reply(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"404 page not found\n", send_body)

    def _authorized(self) -> bool:
        watcher = self.server.exporter.web_config
        if not watcher.auth_required:
            return True
        header = self.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                user, password = "", ""
            if user and watcher.check_basic_auth(user, password):
                return True
        self._reply(HTTPStatus.UNAUTHORIZED, "text/plain; charset=utf-8", b"Unauthorized\n", True,
                    extra_headers={"WWW-Authenticate": "Basic"})
        return False

    def _serve_scrape(self, produce: Callable[[], tuple[int, str, Body]], send_body: bool) -> None:
        exporter = self.server.exporter
        cfg = exporter.config
        if not exporter.scrape_slots.acquire(blocking=False):
            body = f"Limit of concurrent requests reached ({cfg.max_requests}), try again later.\n".encode()
            self._count(HTTPStatus.SERVICE_UNAVAILABLE)
            return self._reply(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", body, send_body)
        try:
            if cfg.in_flight:
                cfg.in_flight(1)
            try:
                status, ctype, body = produce()
            except Exception as exc:  # a bug must cost one scrape, never the daemon
                log.exception("error gathering metrics")
                self._count(HTTPStatus.INTERNAL_SERVER_ERROR)
                msg = f"An error has occurred while serving metrics:\n\n{exc}\n".encode()
                return self._reply(HTTPStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", msg, send_body)
            self._count(status)
            self._reply(status, ctype, body, send_body, compress=True)
        finally:
            if cfg.in_flight:
                cfg.in_flight(-1)
            exporter.scrape_slots.release()

    def _count(self, status: int) -> None:
        hook = self.server.exporter.config.on_metrics_request
        if hook:
            hook(int(status))

    # --- responses -----------------------------------------------------------------------------
    def _reply(self, status: int, ctype: str, body: Body, send_body: bool, compress: bool = False,
               extra_headers: dict[str, str] | None = None) -> None:
        accepts_gzip = (compress and self.server.exporter.config.gzip
                        and "gzip" in self.headers.get("Accept-Encoding", ""))
        chunked = not isinstance(body, bytes)
        if accepts_gzip:
            data = b"".join(body) if chunked else body
            if len(data) >= GZIP_MIN_BYTES:
                body, chunked = gzip.compress(data, compresslevel=1, mtime=0), False
            else:
                body, chunked, accepts_gzip = data, False, False
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if accepts_gzip:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        for name, value in {**self.server.exporter.web_config.current().headers, **(extra_headers or {})}.items():
            self.send_header(name, value)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not send_body:
            return
        if not chunked:
            self.wfile.write(body)
            return
        for chunk in body:
            if chunk:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins the threads: scrapes in flight finish before exit
    block_on_close = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, host: str, port: int, exporter: Exporter) -> None:
        self.address_family = address_family(host)
        self.exporter = exporter
        self.connections: set[_Handler] = set()
        self.connections_lock = threading.Lock()
        bind_host = host or ("::" if self.address_family == socket.AF_INET6 else "0.0.0.0")
        super().__init__((bind_host, port), _Handler)

    def track(self, handler: _Handler, open_: bool) -> None:
        """Remember open connections so a stop can close the idle keep-alive ones."""
        with self.connections_lock:
            if open_:
                handler.busy = False
                self.connections.add(handler)
            else:
                self.connections.discard(handler)

    def close_idle_connections(self) -> None:
        with self.connections_lock:
            idle = [h for h in self.connections if not h.busy]
        for handler in idle:
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RD)

    def server_bind(self) -> None:
        if self.address_family == socket.AF_INET6:
            # Dual stack for "::" as Go's ":port" listens on IPv4 and IPv6.
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()

    def finish_request(self, request, client_address) -> None:
        context = self.exporter.tls_context
        if context is not None:
            try:
                request.settimeout(TLS_HANDSHAKE_TIMEOUT_SECONDS)
                request = context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                log.debug("TLS handshake failed", extra={"client": client_address[0], "err": str(exc)})
                return
        self.RequestHandlerClass(request, client_address, self)

    def handle_error(self, request, client_address) -> None:
        log.debug("connection error", extra={"client": str(client_address[0])}, exc_info=True)


class Exporter:
    """Binds the configured addresses, serves until SIGTERM/SIGINT (or stop()), then drains and returns."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.web_config = WebConfigWatcher(config.web_config_file, log)
        self.scrape_slots = threading.BoundedSemaphore(config.max_requests if config.max_requests > 0 else 1 << 30)
        self.tls_context = self._tls_context()
        self._servers: list[_HTTPServer] = []
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()

    def _tls_context(self) -> ssl.SSLContext | None:
        tls = self.web_config.config.tls
        if tls is None:
            return None
        context = tls.context()

        def reload_on_handshake(sock: ssl.SSLObject, _server_name: str | None, _ctx: ssl.SSLContext) -> None:
            # Certificates rotated on disk take effect on the next handshake.
            current = self.web_config.current().tls
            if current is not None and current != tls:
                sock.context = current.context()

        context.sni_callback = reload_on_handshake
        return context

    def bind_or_exit(self) -> None:
        """bind(), or one log line and exit code 1 when a port is taken (as the Go exporters do)."""
        try:
            self.bind()
        except OSError as exc:
            log.error("cannot listen", extra={"err": exc.strerror or str(exc)})
            raise SystemExit(1) from exc

    def bind(self) -> list[tuple[str, int]]:
        """Open every listening socket; raises OSError when one cannot be bound."""
        bound = []
        for address in self.config.listen_addresses:
            host, port = parse_listen_address(address)
            try:
                server = _HTTPServer(host, port, self)
            except OSError as exc:
                # ":9100" means every interface; where the kernel has IPv6 off (some pods), IPv4 alone will do.
                if host not in ("", "::") or exc.errno not in (errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL):
                    raise
                host = "0.0.0.0"
                server = _HTTPServer(host, port, self)
            self._servers.append(server)
            bound.append((host, server.server_address[1]))
            log.info("Listening on", extra={"address": display(host, server.server_address[1]),
                                            "tls": self.tls_context is not None})
        return bound

    def start(self) -> None:
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.5},
                                      name=f"http-{server.server_address[1]}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def serve(self, install_signal_handlers: bool = True) -> None:
        """Run until stopped; then stop accepting, finish the requests in flight and close."""
        if not self._servers:
            self.bind()
        if install_signal_handlers:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: self._stop.set())
        self.start()
        self._stop.wait()
        log.info("Shutting down, finishing requests in flight")
        for server in self._servers:
            server.shutdown()
            server.close_idle_connections()
        for server in self._servers:
            server.server_close()
        log.info("Stopped")
