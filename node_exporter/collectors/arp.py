"""node_arp_entries: ARP table entries per device from /proc/net/arp."""

from __future__ import annotations

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, Context, register
from node_exporter.options import device_filter, device_filter_options


@register
class ArpCollector(Collector):
    name = "arp"
    DEVICE_INCLUDE, DEVICE_EXCLUDE = device_filter_options("arp", "arp devices")

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        # No default exclude: every device counts unless one of the two flags is given.
        self.ignored = device_filter(ctx.options, self.DEVICE_INCLUDE, self.DEVICE_EXCLUDE)

    def update(self):
        with open(self.paths.proc("net", "arp"), "rb") as handle:
            lines = handle.read().decode("utf-8", "replace").splitlines()
        counts: dict[str, int] = {}
        for line in lines[1:]:
            columns = line.split()
            if len(columns) < 6:
                raise ValueError(f"unexpected /proc/net/arp line: {line!r}")
            device = columns[5]
            if not self.ignored(device):
                counts[device] = counts.get(device, 0) + 1
        family = gauge("node_arp_entries", "ARP entries by device", labels=["device"])
        for device, count in sorted(counts.items()):
            family.add_metric([device], float(count))
        if family.rows:  # Go emits no family without samples
            yield family
