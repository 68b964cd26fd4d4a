"""Metrics about the exporter itself, named like Go's promhttp and client_golang ones."""

from __future__ import annotations

import platform
import resource

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector

from exporter_toolkit.connections import ConnectionStats
from exporter_toolkit.families import counter, gauge
from exporter_toolkit.handler import Hooks
from exporter_toolkit.process import ProcessCollector


def add_exporter_metrics(registry: CollectorRegistry) -> Hooks:
    """process_*, python_*, promhttp_metric_handler_* and exporter_http_connections_* in `registry`; the hooks
    that feed them go to the HTTP layer with its configuration (ServerConfig(hooks=...))."""
    registry.register(ProcessCollector())
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    requests = Counter("promhttp_metric_handler_requests", "Total number of scrapes by HTTP status code.",
                       ["code"], registry=registry)
    for code in ("200", "500", "503"):
        requests.labels(code)
    errors = Counter("promhttp_metric_handler_errors", "Total number of internal errors encountered by the "
                     "promhttp metric handler.", ["cause"], registry=registry)
    for cause in ("encoding", "gathering"):
        errors.labels(cause)
    in_flight = Gauge("promhttp_metric_handler_requests_in_flight", "Current number of scrapes being served.",
                      registry=registry)

    def count(status: int) -> None:
        requests.labels(str(status)).inc()
        if status == 500:
            errors.labels("gathering").inc()

    hooks = Hooks(on_metrics_request=count, in_flight=in_flight.inc, connections=ConnectionStats())
    registry.register(_AddressSpaceLimit())
    registry.register(_Connections(hooks.connections))
    return hooks


class _Connections:
    """The HTTP server's connections: how many are open, refused beyond the cap, closed after a deadline."""

    def __init__(self, stats: ConnectionStats) -> None:
        self.stats = stats

    def collect(self):
        stats = self.stats
        yield gauge("exporter_http_connections_open", "Client connections open to the exporter's HTTP server.",
                    value=float(stats.open))
        yield counter("exporter_http_connections_refused_total", "Connections closed at once because "
                      "--web.max-connections were open.", value=float(stats.refused))
        timed_out = counter("exporter_http_connections_timed_out_total", "Connections closed after a deadline: no "
                            "complete request head in time (header) or idle keep-alive for too long (idle).",
                            ["phase"])
        timed_out.add_metric(("header",), float(stats.header_timeouts))
        timed_out.add_metric(("idle",), float(stats.idle_timeouts))
        yield timed_out


class _AddressSpaceLimit:
    """process_virtual_memory_max_bytes, which Go's process collector has and Python's lacks."""

    def collect(self):
        soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
        # Go reports the kernel's "unlimited" (2^64-1) as is.
        value = float(2**64 - 1) if soft == resource.RLIM_INFINITY else float(soft)
        yield gauge("process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.",
                    value=value)


def build_info(registry: CollectorRegistry, namespace: str, version: str, revision: str = "unknown",
               branch: str = "unknown") -> None:
    """<namespace>_build_info with the Go label keys (branch, goarch, goos, goversion, revision, version), filled
    with the Python facts: goversion carries the interpreter's version (e.g. python3.11.2), goarch/goos use Go's
    names for the platform so dashboards grouping by them keep working."""
    info = Gauge(f"{namespace}_build_info",
                 f"A metric with a constant '1' value labeled by version, revision, branch, goversion from which "
                 f"{namespace} was built, and the goos and goarch for the build.",
                 ["branch", "goarch", "goos", "goversion", "revision", "version"], registry=registry)
    info.labels(branch, go_arch(), platform.system().lower(), f"python{platform.python_version()}", revision,
                version).set(1)


def go_arch(machine: str | None = None) -> str:
    """The machine name as Go's GOARCH spells it."""
    machine = machine or platform.machine()
    return {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "i386": "386",
            "i686": "386", "armv7l": "arm", "ppc64le": "ppc64le", "s390x": "s390x"}.get(machine, machine)
