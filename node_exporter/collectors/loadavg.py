"""node_load1, node_load5, node_load15 from /proc/loadavg."""

from __future__ import annotations

from exporter_toolkit.families import gauge
from node_exporter.collector import Context, register
from node_exporter.paths import read_text


@register("loadavg")
class LoadavgCollector:
    def __init__(self, ctx: Context) -> None:
        self.paths = ctx.paths

    def update(self):
        parts = read_text(self.paths.proc("loadavg")).split()
        loads = [float(v) for v in parts[:3]]
        if len(loads) != 3:
            raise ValueError(f"unexpected /proc/loadavg content: {' '.join(parts)!r}")
        for minutes, value in zip((1, 5, 15), loads, strict=True):
            yield gauge(f"node_load{minutes}", f"{minutes}m load average.", value=value)
