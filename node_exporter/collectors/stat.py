"""Boot time, context switches, forks, interrupts and process counts from /proc/stat."""

from __future__ import annotations

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from node_exporter.collector import Context, register
from node_exporter.paths import read_text


@register("stat")
class StatCollector:
    def __init__(self, ctx: Context) -> None:
        self.paths = ctx.paths

    def update(self):
        fields: dict[str, str] = {}
        for line in read_text(self.paths.proc("stat")).splitlines():
            key, _, rest = line.partition(" ")
            if key in ("intr", "ctxt", "btime", "processes", "procs_running", "procs_blocked"):
                fields[key] = rest.split(None, 1)[0]
        yield CounterMetricFamily("node_intr_total", "Total number of interrupts serviced.",
                                  value=float(fields["intr"]))
        yield CounterMetricFamily("node_context_switches_total", "Total number of context switches.",
                                  value=float(fields["ctxt"]))
        yield CounterMetricFamily("node_forks_total", "Total number of forks.", value=float(fields["processes"]))
        yield GaugeMetricFamily("node_boot_time_seconds", "Node boot time, in unixtime.",
                                value=float(fields["btime"]))
        yield GaugeMetricFamily("node_procs_running", "Number of processes in runnable state.",
                                value=float(fields["procs_running"]))
        yield GaugeMetricFamily("node_procs_blocked", "Number of processes blocked waiting for I/O to complete.",
                                value=float(fields["procs_blocked"]))
