"""Metrics about the exporter itself, named like Go's promhttp and client_golang ones."""

from __future__ import annotations

import platform

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from exporter_toolkit.server import ServerConfig


def add_exporter_metrics(registry: CollectorRegistry, server: ServerConfig) -> None:
    """process_*, python_* and promhttp_metric_handler_* in `registry`, hooked into the HTTP layer."""
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    requests = Counter("promhttp_metric_handler_requests", "Total number of scrapes by HTTP status code.",
                       ["code"], registry=registry)
    for code in ("200", "500", "503"):
        requests.labels(code)
    in_flight = Gauge("promhttp_metric_handler_requests_in_flight", "Current number of scrapes being served.",
                      registry=registry)
    server.on_metrics_request = lambda status: requests.labels(str(status)).inc()
    server.in_flight = in_flight.inc


def build_info(registry: CollectorRegistry, namespace: str, version: str, revision: str = "unknown") -> None:
    """<namespace>_build_info with the Go label keys, filled with the Python facts."""
    gauge = Gauge(f"{namespace}_build_info",
                  f"A metric with a constant '1' value labeled by version, revision, branch, goversion from which "
                  f"{namespace} was built, and the goos and goarch for the build.",
                  ["branch", "goarch", "goos", "goversion", "revision", "version"], registry=registry)
    gauge.labels("", platform.machine(), platform.system().lower(), f"python{platform.python_version()}",
                 revision, version).set(1)
