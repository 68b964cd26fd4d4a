"""node_load1, node_load5, node_load15 from /proc/loadavg."""

from __future__ import annotations

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_text


@register
class LoadavgCollector(Collector):
    name = "loadavg"

    def update(self):
        parts = read_text(self.paths.proc("loadavg")).split()
        loads = [float(v) for v in parts[:3]]
        if len(loads) != 3:
            raise ValueError(f"unexpected /proc/loadavg content: {' '.join(parts)!r}")
        one, five, fifteen = loads
        yield gauge("node_load1", "1m load average.", value=one)
        yield gauge("node_load5", "5m load average.", value=five)
        yield gauge("node_load15", "15m load average.", value=fifteen)
