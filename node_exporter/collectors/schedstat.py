"""node_schedstat_*: per-CPU scheduler time from /proc/schedstat (nanoseconds in the file, seconds exposed)."""

from __future__ import annotations

from exporter_toolkit.families import counter
from node_exporter.collector import Collector, NoDataError, register
from node_exporter.paths import read_text

NANOSECONDS = 1e9


@register
class SchedstatCollector(Collector):
    name = "schedstat"

    def update(self):
        try:
            text = read_text(self.paths.proc("schedstat"))
        except FileNotFoundError as exc:
            raise NoDataError("schedstat file does not exist") from exc
        running = counter("node_schedstat_running_seconds_total", "Number of seconds CPU spent running a process.",
                          ["cpu"])
        waiting = counter("node_schedstat_waiting_seconds_total",
                          "Number of seconds spent by processing waiting for this CPU.", ["cpu"])
        timeslices = counter("node_schedstat_timeslices_total", "Number of timeslices executed by CPU.", ["cpu"])
        for line in text.splitlines():
            fields = line.split()
            # Only "cpuN" lines with (at least) the 9 counters count, as Go's regexp; the rest is ignored.
            if len(fields) < 10 or not fields[0].startswith("cpu") or not fields[0][3:].isdigit():
                continue
            cpu = fields[0][3:]
            running.add_metric([cpu], int(fields[7]) / NANOSECONDS)
            waiting.add_metric([cpu], int(fields[8]) / NANOSECONDS)
            timeslices.add_metric([cpu], float(int(fields[9])))
        yield from (family for family in (running, waiting, timeslices) if family.rows)
