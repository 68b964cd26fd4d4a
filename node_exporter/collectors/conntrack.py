"""node_nf_conntrack_*: connection tracking table use and per-CPU statistics summed."""

from __future__ import annotations

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, NoDataError, register
from node_exporter.paths import read_int, read_text

# (column of /proc/net/stat/nf_conntrack summed over the CPUs, metric, HELP)
STATS = (
    ("found", "node_nf_conntrack_stat_found", "Number of searched entries which were successful."),
    ("invalid", "node_nf_conntrack_stat_invalid", "Number of packets seen which can not be tracked."),
    ("ignore", "node_nf_conntrack_stat_ignore",
     "Number of packets seen which are already connected to a conntrack entry."),
    ("insert", "node_nf_conntrack_stat_insert", "Number of entries inserted into the list."),
    ("insert_failed", "node_nf_conntrack_stat_insert_failed",
     "Number of entries for which list insertion was attempted but failed."),
    ("drop", "node_nf_conntrack_stat_drop", "Number of packets dropped due to conntrack failure."),
    ("early_drop", "node_nf_conntrack_stat_early_drop",
     "Number of dropped conntrack entries to make room for new ones, if maximum table size was reached."),
    ("search_restart", "node_nf_conntrack_stat_search_restart",
     "Number of conntrack table lookups which had to be restarted due to hashtable resizes."),
)


def parse_conntrack_stat(text: str) -> dict[str, int]:
    """Sum the hexadecimal per-CPU rows of /proc/net/stat/nf_conntrack by column name."""
    lines = text.splitlines()
    header = lines[0].split()
    totals = dict.fromkeys(header, 0)
    for line in lines[1:]:
        for name, value in zip(header, line.split(), strict=False):
            totals[name] += int(value, 16)
    return totals


@register
class ConntrackCollector(Collector):
    name = "conntrack"

    def update(self):
        try:
            entries = read_int(self.paths.proc("sys", "net", "netfilter", "nf_conntrack_count"))
            limit = read_int(self.paths.proc("sys", "net", "netfilter", "nf_conntrack_max"))
        except FileNotFoundError as exc:
            raise NoDataError("conntrack is not loaded") from exc
        yield gauge("node_nf_conntrack_entries",
                                "Number of currently allocated flow entries for connection tracking.", value=entries)
        yield gauge("node_nf_conntrack_entries_limit", "Maximum size of connection tracking table.",
                                value=limit)
        try:
            totals = parse_conntrack_stat(read_text(self.paths.proc("net", "stat", "nf_conntrack")))
        except FileNotFoundError:
            return
        for column, name, help_text in STATS:
            if column in totals:
                yield gauge(name, help_text, value=float(totals[column]))
