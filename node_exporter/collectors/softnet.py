"""node_softnet_*: per-CPU packet processing counters from /proc/net/softnet_stat (hexadecimal columns)."""

from __future__ import annotations

from exporter_toolkit.families import counter
from node_exporter.collector import Collector, register
from node_exporter.paths import read_text


@register
class SoftnetCollector(Collector):
    name = "softnet"

    def update(self):
        processed = counter("node_softnet_processed_total", "Number of processed packets", ["cpu"])
        dropped = counter("node_softnet_dropped_total", "Number of dropped packets", ["cpu"])
        squeezed = counter("node_softnet_times_squeezed_total", "Number of times processing packets ran out of quota",
                           ["cpu"])
        for index, line in enumerate(read_text(self.paths.proc("net", "softnet_stat")).splitlines()):
            columns = line.split()
            if len(columns) < 9:  # Go's procfs refuses lines shorter than the 2.6 kernel format
                raise ValueError(f"softnet_stat line {index} has {len(columns)} columns, want at least 9")
            cpu = str(index)  # Go 1.5 labels by line position
            processed.add_metric([cpu], int(columns[0], 16))
            dropped.add_metric([cpu], int(columns[1], 16))
            squeezed.add_metric([cpu], int(columns[2], 16))
        yield from (family for family in (dropped, processed, squeezed) if family.rows)
