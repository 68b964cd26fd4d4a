"""node_pressure_*: pressure stall information (PSI) totals from /proc/pressure."""

from __future__ import annotations

from exporter_toolkit.families import counter
from node_exporter.collector import Collector, NoDataError, register
from node_exporter.paths import read_text

# (resource, line kind, metric, HELP); cpu "full" is not exported by node_exporter 1.5.
SERIES = (
    ("cpu", "some", "node_pressure_cpu_waiting_seconds_total",
     "Total time in seconds that processes have waited for CPU time"),
    ("io", "some", "node_pressure_io_waiting_seconds_total",
     "Total time in seconds that processes have waited due to IO congestion"),
    ("io", "full", "node_pressure_io_stalled_seconds_total",
     "Total time in seconds no process could make progress due to IO congestion"),
    ("memory", "some", "node_pressure_memory_waiting_seconds_total",
     "Total time in seconds that processes have waited for memory"),
    ("memory", "full", "node_pressure_memory_stalled_seconds_total",
     "Total time in seconds no process could make progress due to memory congestion"),
)


def parse_psi(text: str) -> dict[str, float]:
    """'some avg10=... total=123' -> {'some': 0.000123} (total is in microseconds).

    Divided by 1000.0 twice, as Go does: the rounding differs from one division by 1e6 (14.036781000000001)."""
    totals = {}
    for line in text.splitlines():
        kind, _, rest = line.partition(" ")
        for item in rest.split():
            if item.startswith("total="):
                totals[kind] = int(item[6:]) / 1000.0 / 1000.0
    return totals


@register
class PressureCollector(Collector):
    name = "pressure"

    def update(self):
        psi = {}
        for resource in ("cpu", "io", "memory"):
            try:
                psi[resource] = parse_psi(read_text(self.paths.proc("pressure", resource)))
            except FileNotFoundError as exc:
                raise NoDataError("pressure information is unavailable, you need a Linux kernel >= 4.20 and/or "
                                  "CONFIG_PSI") from exc
        for resource, kind, name, help_text in SERIES:
            if kind in psi[resource]:
                yield counter(name, help_text, value=psi[resource][kind])
