"""node_buddyinfo_blocks: free memory blocks per NUMA node, zone and order from /proc/buddyinfo."""

from __future__ import annotations

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_text


def parse_buddyinfo(text: str) -> list[tuple[str, str, list[float]]]:
    """'Node 0, zone DMA 1 0 ...' -> [('0', 'DMA', [1.0, 0.0, ...])]; every line must have the same orders."""
    rows = []
    width = None
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) < 4:
            raise ValueError(f"invalid number of fields in buddyinfo line: {line!r}")
        counts = [float(value) for value in parts[4:]]
        if width is not None and len(counts) != width:
            raise ValueError("mismatched number of zones in buddyinfo")
        width = len(counts)
        rows.append((parts[1].rstrip(","), parts[3].rstrip(","), counts))
    return rows


@register
class BuddyinfoCollector(Collector):
    name = "buddyinfo"
    enabled_by_default = False

    def update(self):
        family = gauge("node_buddyinfo_blocks", "Count of free blocks according to size.",
                       labels=["node", "zone", "size"])
        for node, zone, counts in parse_buddyinfo(read_text(self.paths.proc("buddyinfo"))):
            for size, count in enumerate(counts):
                family.add_metric([node, zone, str(size)], count)
        if family.rows:
            yield family
