"""Boot time, context switches, forks, interrupts and process counts from /proc/stat, and softirqs per vector
with --collector.stat.softirq."""

from __future__ import annotations

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import counter, gauge
from node_exporter.collector import Collector, Context, register
from node_exporter.paths import read_text

# The kernel's softirq vectors in /proc/stat's column order (after the total).
SOFTIRQ_VECTORS = ("hi", "timer", "net_tx", "net_rx", "block", "block_iopoll", "tasklet", "sched", "hrtimer", "rcu")


@register
class StatCollector(Collector):
    name = "stat"
    SOFTIRQ = Option("--collector.stat.softirq", "stat_softirq", False, help="Export softirq calls per vector",
                     is_flag=True)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.softirq = bool(self.SOFTIRQ.read(ctx.options))

    def update(self):
        fields: dict[str, str] = {}
        for line in read_text(self.paths.proc("stat")).splitlines():
            key, _, rest = line.partition(" ")
            if key in ("intr", "ctxt", "btime", "processes", "procs_running", "procs_blocked"):
                fields[key] = rest.split(None, 1)[0]
            elif key == "softirq":
                fields[key] = rest
        yield counter("node_intr_total", "Total number of interrupts serviced.",
                                  value=float(fields["intr"]))
        yield counter("node_context_switches_total", "Total number of context switches.",
                                  value=float(fields["ctxt"]))
        yield counter("node_forks_total", "Total number of forks.", value=float(fields["processes"]))
        yield gauge("node_boot_time_seconds", "Node boot time, in unixtime.",
                                value=float(fields["btime"]))
        yield gauge("node_procs_running", "Number of processes in runnable state.",
                                value=float(fields["procs_running"]))
        yield gauge("node_procs_blocked", "Number of processes blocked waiting for I/O to complete.",
                                value=float(fields["procs_blocked"]))
        if self.softirq:
            softirqs = counter("node_softirqs_total", "Number of softirq calls.", labels=["vector"])
            # The first column is the total over all vectors; Go exports the vectors only.
            for vector, value in zip(SOFTIRQ_VECTORS, fields["softirq"].split()[1:], strict=False):
                softirqs.add_metric([vector], float(value))
            yield softirqs
