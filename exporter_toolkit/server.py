"""The HTTP side of every daemon: /metrics, landing page, health endpoints, TLS, basic auth, limits, SIGTERM.

One loop thread holds every waiting connection (connections.py: accept, TLS handshakes, request heads read
under a deadline, a cap on open connections); a small pool of worker threads answers complete requests
(handler.py), with a bound on concurrent scrapes (Go's --web.max-requests). A stop lets scrapes in flight
finish.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import resource
import signal
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from exporter_toolkit.connections import HEADER_TIMEOUT_SECONDS, IDLE_TIMEOUT_SECONDS, MAX_CONNECTIONS, ConnectionLoop
from exporter_toolkit.errors import ConfigError, os_reason
from exporter_toolkit.handler import Body, Hooks, MetricsHandler, Route, Site, handle_connection
from exporter_toolkit.listen import address_family, display, parse_listen_address
from exporter_toolkit.web_config import WebConfigWatcher
from exporter_toolkit.workers import WorkerPool

log = logging.getLogger(__name__)

__all__ = ["Body", "Exporter", "Hooks", "ListenError", "MetricsHandler", "Route", "ServerConfig"]

LISTEN_BACKLOG = 1024
FD_RESERVE = 256  # file descriptors kept for everything but client connections (collectors' files, pools)
EXTRA_WORKERS = 8  # threads beyond --web.max-requests: probes, 401s and 503s are answered while scrapes run


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
    # The daemon's telemetry (telemetry.add_exporter_metrics): status of each metrics request, scrapes in flight,
    # connection counts. The default counts nothing anyone reads.
    hooks: Hooks = field(default_factory=Hooks)
    # Open connections beyond this are closed at once (counted in exporter_http_connections_refused_total).
    max_connections: int = MAX_CONNECTIONS
    header_timeout: float = HEADER_TIMEOUT_SECONDS
    idle_timeout: float = IDLE_TIMEOUT_SECONDS
    # The flags that set listen_addresses and web_config_file, named when they cannot be used.
    listen_flag: str = "--web.listen-address"
    web_config_flag: str = "--web.config.file"


class ListenError(OSError):
    """An address could not be bound; carries the address as given."""

    def __init__(self, address: str, cause: OSError) -> None:
        super().__init__(cause.errno, cause.strerror or str(cause))
        self.address = address
        self.reason = os_reason(cause)


def _listen(host: str, port: int) -> socket.socket:
    """A non-blocking listening socket; "" or "::" listen on IPv6 and IPv4 (dual stack) as Go's ":port"."""
    family = address_family(host)
    bind_host = host or ("::" if family == socket.AF_INET6 else "0.0.0.0")
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind((bind_host, port))
        sock.listen(LISTEN_BACKLOG)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def _connection_budget(wanted: int) -> int:
    """Raise the soft RLIMIT_NOFILE as far as the cap needs (Go raises it to the hard limit at start-up) and
    return the cap the limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + FD_RESERVE
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    if soft == resource.RLIM_INFINITY:
        return wanted
    allowed = max(soft - FD_RESERVE, 16)
    if allowed < wanted:
        log.info("open file limit lowers the connection cap", extra={"max_connections": allowed,
                                                                        "nofile": soft})
    return min(wanted, allowed)


class Exporter:
    """Binds the configured addresses, serves until SIGTERM/SIGINT (or stop()), then drains and returns."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        try:
            self.web_config = WebConfigWatcher(config.web_config_file, log)
            self.tls_context = self._tls_context()
        except ConfigError as exc:
            raise ConfigError(f"{config.web_config_flag} {exc}") from exc
        self._stop = threading.Event()
        slots = threading.BoundedSemaphore(config.max_requests if config.max_requests > 0 else 1 << 30)
        self.site = Site(config.name, config.description, config.version, config.telemetry_path, config.metrics,
                         config.routes, config.ready, self.web_config, config.max_requests, slots, config.gzip,
                         config.hooks, self._stop.is_set)
        self.stats = config.hooks.connections  # the connection loop's counts: open, refused, timed out
        self._listeners: list[socket.socket] = []
        self._stopped = threading.Event()
        self._loop: ConnectionLoop | None = None
        self._loop_thread: threading.Thread | None = None
        self._workers: WorkerPool | None = None

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
        """bind(), or a ConfigError naming the address, its flag and the reason (one line, exit code 2)."""
        try:
            self.bind()
        except ListenError as exc:
            raise ConfigError(f"{self.config.listen_flag}: cannot listen on {exc.address}: {exc.reason}") from exc

    def bind(self) -> list[tuple[str, int]]:
        """Open every listening socket; raises ListenError (an OSError) when one cannot be bound."""
        bound = []
        for address in self.config.listen_addresses:
            host, port = parse_listen_address(address)
            try:
                try:
                    sock = _listen(host, port)
                except OSError as exc:
                    # ":9100" means every interface; where the kernel has IPv6 off (some pods), IPv4 alone will do.
                    if host not in ("", "::") or exc.errno not in (errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL):
                        raise
                    host = "0.0.0.0"
                    sock = _listen(host, port)
            except OSError as exc:
                self.close()
                raise ListenError(address, exc) from exc
            self._listeners.append(sock)
            bound.append((host, sock.getsockname()[1]))
        for host, port in bound:  # once all are bound: a failure is the one line the daemon prints
            log.info("Listening on", extra={"address": display(host, port), "tls": self.tls_context is not None})
        return bound

    def close(self) -> None:
        """Close listening sockets that were bound but never served."""
        for sock in self._listeners:
            sock.close()
        self._listeners = []

    def start(self) -> None:
        """Serve on background threads (the connection loop and, on demand, workers)."""
        if not self._listeners:
            self.bind()
        cfg = self.config
        workers = WorkerPool((cfg.max_requests or 56) + EXTRA_WORKERS, f"http-{cfg.name}")
        site = self.site
        loop = ConnectionLoop(self._listeners, lambda conn: workers.submit(lambda: handle_connection(site, loop, conn)),
                              self.tls_context, self.stats, _connection_budget(cfg.max_connections),
                              cfg.header_timeout, cfg.idle_timeout)
        self._workers, self._loop = workers, loop
        self._loop_thread = threading.Thread(target=loop.run, name=f"http-loop-{cfg.name}", daemon=True)
        self._loop_thread.start()

    def stop(self) -> None:
        """Ask serve() to finish; it returns once the requests in flight are answered (see wait_stopped())."""
        self._stop.set()

    def wait_stopped(self, timeout: float | None = None) -> bool:
        """Wait until serve() has finished; False when the timeout passed first."""
        return self._stopped.wait(timeout)

    def serve(self, install_signal_handlers: bool = True) -> None:
        """Run until stopped; then stop accepting, finish the requests in flight and close."""
        if install_signal_handlers:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: self._stop.set())
        self.start()
        self._stop.wait()
        log.info("Shutting down, finishing requests in flight")
        assert self._loop is not None and self._loop_thread is not None and self._workers is not None
        self._loop.stop()
        self._loop_thread.join()
        self._workers.close()
        self._listeners = []
        log.info("Stopped")
        self._stopped.set()
