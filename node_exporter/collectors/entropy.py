"""node_entropy_available_bits and node_entropy_pool_size_bits."""

from __future__ import annotations

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_int


@register
class EntropyCollector(Collector):
    name = "entropy"

    def update(self):
        available = read_int(self.paths.proc("sys", "kernel", "random", "entropy_avail"))
        pool = read_int(self.paths.proc("sys", "kernel", "random", "poolsize"))
        yield gauge("node_entropy_available_bits", "Bits of available entropy.", value=available)
        yield gauge("node_entropy_pool_size_bits", "Bits of entropy pool.", value=pool)
