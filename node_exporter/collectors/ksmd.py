"""node_ksmd_*: kernel samepage merging state from /sys/kernel/mm/ksm."""

from __future__ import annotations

from exporter_toolkit.families import counter, gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_int


@register
class KsmdCollector(Collector):
    name = "ksmd"
    enabled_by_default = False

    def _read(self, name: str) -> float:
        return float(read_int(self.paths.sys("kernel", "mm", "ksm", name)))

    def update(self):
        # Read everything first: one unreadable file fails the collector, as in Go.
        values = {name: self._read(name) for name in (
            "full_scans", "merge_across_nodes", "pages_shared", "pages_sharing", "pages_to_scan", "pages_unshared",
            "pages_volatile", "run", "sleep_millisecs")}
        yield counter("node_ksmd_full_scans_total", "ksmd 'full_scans' file.", value=values["full_scans"])
        yield gauge("node_ksmd_merge_across_nodes", "ksmd 'merge_across_nodes' file.",
                    value=values["merge_across_nodes"])
        yield gauge("node_ksmd_pages_shared", "ksmd 'pages_shared' file.", value=values["pages_shared"])
        yield gauge("node_ksmd_pages_sharing", "ksmd 'pages_sharing' file.", value=values["pages_sharing"])
        yield gauge("node_ksmd_pages_to_scan", "ksmd 'pages_to_scan' file.", value=values["pages_to_scan"])
        yield gauge("node_ksmd_pages_unshared", "ksmd 'pages_unshared' file.", value=values["pages_unshared"])
        yield gauge("node_ksmd_pages_volatile", "ksmd 'pages_volatile' file.", value=values["pages_volatile"])
        yield gauge("node_ksmd_run", "ksmd 'run' file.", value=values["run"])
        yield gauge("node_ksmd_sleep_seconds", "ksmd 'sleep_millisecs' file.",
                    value=values["sleep_millisecs"] / 1000.0)
