"""Serving /metrics from an app: the response body for an app's own route (prometheus-client's encoders), or a
standalone server, which is the exporter suite's (exporter_toolkit: TLS and basic auth from a web config file,
bounded concurrent scrapes, slow clients cut off) and needs the exporter-suite distribution installed."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder

from app_instrumentation.multiprocess import scrape_registry

if TYPE_CHECKING:
    from exporter_toolkit.server import Exporter

SERVER_MISSING = (
    "app_instrumentation.start_http_server() runs on the exporter suite's HTTP server (TLS and basic auth from a web "
    "config file), which is not installed: install the exporter-suite distribution beside app-instrumentation "
    "(`pip install exporter-suite`, or `pip install .` in its repository), or serve /metrics from your app "
    "with WSGIMetricsMiddleware, ASGIMetricsMiddleware, instrument_flask or metrics_response()"
)


def render(headers: Mapping[str, str], registry: CollectorRegistry | None = None) -> tuple[str, bytes]:
    """(content type, body): OpenMetrics or text by the Accept header (any case of its name)."""
    accept = next((value for name, value in headers.items() if name.lower() == "accept"), "")
    encoder, content_type = choose_encoder(accept)
    return content_type, encoder(scrape_registry(registry))


def metrics_response(headers: Mapping[str, str], registry: CollectorRegistry | None = None,
                     ) -> tuple[bytes, list[tuple[str, str]]]:
    """(body, headers) for a /metrics request: OpenMetrics or text by Accept, gzip by Accept-Encoding."""
    content_type, body = render(headers, registry)
    response_headers = [("Content-Type", content_type)]
    if "gzip" in headers.get("accept-encoding", ""):
        body = gzip.compress(body, compresslevel=1)
        response_headers.append(("Content-Encoding", "gzip"))
    response_headers.append(("Content-Length", str(len(body))))
    return body, response_headers


def start_http_server(port: int, addr: str = "0.0.0.0", registry: CollectorRegistry | None = None,
                      web_config_file: str | None = None) -> Exporter:
    """Serve /metrics on a background thread; returns the server, whose stop() ends it.

    Raises ImportError saying what to install when the exporter suite is not installed."""
    try:
        from exporter_toolkit.server import Exporter, ServerConfig
    except ImportError as exc:
        raise ImportError(SERVER_MISSING, name="exporter_toolkit") from exc
    host = f"[{addr}]" if ":" in addr else addr
    exporter = Exporter(ServerConfig(name="Application metrics", description="Metrics of this application",
                                     version="", metrics=lambda headers, _query: render(headers, registry),
                                     listen_addresses=[f"{host}:{port}"], web_config_file=web_config_file))
    exporter.bind()
    threading.Thread(target=exporter.serve, kwargs={"install_signal_handlers": False}, daemon=True,
                     name="metrics-server").start()
    return exporter
