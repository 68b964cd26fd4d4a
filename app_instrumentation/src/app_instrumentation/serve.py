"""Serving /metrics from an app: the response body for an app's own route, or a standalone server.

Content negotiation: Prometheus' protobuf format (native histograms) when the Accept header asks for it,
else OpenMetrics or text 0.0.4 (prometheus-client's encoders); gzip when accepted. The standalone server is
the standard library's threaded HTTP server, with TLS and basic auth from an exporter-toolkit web config file.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder

from app_instrumentation import protobuf
from app_instrumentation.multiprocess import scrape_registry
from app_instrumentation.webconfig import BasicAuth, WebConfigError, load


def _header(headers: Mapping[str, str], wanted: str) -> str:
    return next((value for name, value in headers.items() if name.lower() == wanted), "")


def render(headers: Mapping[str, str], registry: CollectorRegistry | None = None) -> tuple[str, bytes]:
    """(content type, body): protobuf, OpenMetrics or text by the Accept header (any case of its name)."""
    accept = _header(headers, "accept")
    if protobuf.accepts_protobuf(accept):
        return protobuf.CONTENT_TYPE, protobuf.generate(scrape_registry(registry))
    encoder, content_type = choose_encoder(accept)
    return content_type, encoder(scrape_registry(registry))


def metrics_response(headers: Mapping[str, str], registry: CollectorRegistry | None = None,
                     ) -> tuple[bytes, list[tuple[str, str]]]:
    """(body, headers) for a /metrics request: protobuf, OpenMetrics or text by Accept, gzip by Accept-Encoding."""
    content_type, body = render(headers, registry)
    response_headers = [("Content-Type", content_type)]
    if "gzip" in _header(headers, "accept-encoding"):
        body = gzip.compress(body, compresslevel=1)
        response_headers.append(("Content-Encoding", "gzip"))
    response_headers.append(("Content-Length", str(len(body))))
    return body, response_headers


class MetricsServer(ThreadingHTTPServer):
    """A threaded HTTP(S) server of /metrics; `stop()` ends it."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], registry: CollectorRegistry | None,
                 auth: BasicAuth | None, ipv6: bool, headers: dict[str, str] | None = None) -> None:
        if ipv6:
            import socket

            self.address_family = socket.AF_INET6
        self.registry = registry
        self.auth = auth
        self.headers = list((headers or {}).items())  # from the web config's http_server_config
        self._stopped = threading.Event()
        super().__init__(address, _Handler)

    def serve(self) -> None:
        try:
            self.serve_forever()
        finally:
            self._stopped.set()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def handle_error(self, request, client_address) -> None:
        """A client that fails the TLS handshake or hangs up is its own problem, not a traceback on stderr."""

    def stop(self) -> None:
        """Stop accepting and close the socket (scrapes in flight finish on their threads)."""
        self.shutdown()
        self.server_close()

    def wait_stopped(self, timeout: float | None = None) -> bool:
        return self._stopped.wait(timeout)


class _Handler(BaseHTTPRequestHandler):
    server: MetricsServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # a client that stops sending is cut off

    def do_GET(self) -> None:
        if self.server.auth is not None and not self.server.auth.allowed(self.headers.get("Authorization")):
            self._send(401, b"Unauthorized\n", [("Content-Type", "text/plain; charset=utf-8"),
                                                 ("WWW-Authenticate", 'Basic realm="metrics"')])
            return
        path = urlsplit(self.path).path
        if path == "/metrics":
            body, headers = metrics_response(dict(self.headers.items()), self.server.registry)
            self._send(200, body, headers)
        elif path == "/":
            self._send(200, b'<html><body><a href="/metrics">Metrics</a></body></html>\n',
                       [("Content-Type", "text/html; charset=utf-8")])
        else:
            self._send(404, b"Not Found\n", [("Content-Type", "text/plain; charset=utf-8")])

    def _send(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in [*headers, *self.server.headers]:
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, format: str, *args) -> None:
        pass


def start_http_server(port: int, addr: str = "0.0.0.0", registry: CollectorRegistry | None = None,
                      web_config_file: str | None = None) -> MetricsServer:
    """Serve /metrics on a background thread; returns the server (`.port`, `.stop()`).

    `web_config_file` is an exporter-toolkit web config (tls_server_config, basic_auth_users); a bad file raises
    WebConfigError naming it and the reason. Checking basic auth hashes needs the bcrypt package."""
    config = load(web_config_file) if web_config_file else None
    auth = BasicAuth(config.users) if config is not None and config.users else None
    host = addr.strip("[]")
    server = MetricsServer((host, port), registry, auth, ipv6=":" in host,
                           headers=config.headers if config is not None else None)
    if config is not None and config.tls is not None:
        context = config.tls
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    threading.Thread(target=server.serve, daemon=True, name="metrics-server").start()
    return server


__all__ = ["MetricsServer", "WebConfigError", "metrics_response", "render", "start_http_server"]
