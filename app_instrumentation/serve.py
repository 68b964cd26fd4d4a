"""Serving /metrics from an app: a standalone server (exporter_toolkit: TLS and basic auth from a web config
file, bounded concurrent scrapes) or the response body for an app's own route."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Mapping

from prometheus_client import CollectorRegistry

from app_instrumentation.multiprocess import scrape_registry
from exporter_toolkit.exposition import render
from exporter_toolkit.server import Exporter, ServerConfig


def metrics_response(headers: Mapping[str, str], registry: CollectorRegistry | None = None,
                     ) -> tuple[bytes, list[tuple[str, str]]]:
    """(body, headers) for a /metrics request: OpenMetrics or text by Accept, gzip by Accept-Encoding."""
    content_type, body = render(scrape_registry(registry).collect(), headers.get("accept", ""))
    response_headers = [("Content-Type", content_type)]
    if "gzip" in headers.get("accept-encoding", ""):
        body = gzip.compress(body, compresslevel=1)
        response_headers.append(("Content-Encoding", "gzip"))
    response_headers.append(("Content-Length", str(len(body))))
    return body, response_headers


def start_http_server(port: int, addr: str = "0.0.0.0", registry: CollectorRegistry | None = None,
                      web_config_file: str | None = None) -> Exporter:
    """Serve /metrics on a background thread; returns the server, whose stop() ends it."""
    host = f"[{addr}]" if ":" in addr else addr

    def handle(headers, _query):
        lowered = {k.lower(): v for k, v in headers.items()}
        content_type, body = render(scrape_registry(registry).collect(), lowered.get("accept", ""))
        return content_type, body

    exporter = Exporter(ServerConfig(name="Application metrics", description="Metrics of this application",
                                     version="", metrics=handle, listen_addresses=[f"{host}:{port}"],
                                     web_config_file=web_config_file))
    exporter.bind()
    threading.Thread(target=exporter.serve, kwargs={"install_signal_handlers": False}, daemon=True,
                     name="metrics-server").start()
    return exporter
