"""node_network_{receive,transmit}_*_total per interface from /proc/net/dev.

The Go exporter reads the same counters over netlink; the /proc/net/dev columns are the kernel's sums of
exactly the netlink fields the Go exporter adds up in its legacy names (drop = dropped + missed, frame =
length + over + crc + frame errors, carrier = aborted + carrier + heartbeat + window errors), and the one
counter /proc/net/dev lacks, rx_nohandler, comes from sysfs.
"""

from __future__ import annotations

from exporter_toolkit.families import counter
from node_exporter.collector import Collector, Context, register
from node_exporter.options import device_filter, device_filter_options
from node_exporter.paths import read_text

DEFAULT_DEVICE_EXCLUDE = "^lo$"
# The 16 counter columns of /proc/net/dev in the kernel's order: (metric, HELP).
COLUMNS = (
    ("node_network_receive_bytes_total", "Network device statistic receive_bytes."),
    ("node_network_receive_packets_total", "Network device statistic receive_packets."),
    ("node_network_receive_errs_total", "Network device statistic receive_errs."),
    ("node_network_receive_drop_total", "Network device statistic receive_drop."),
    ("node_network_receive_fifo_total", "Network device statistic receive_fifo."),
    ("node_network_receive_frame_total", "Network device statistic receive_frame."),
    ("node_network_receive_compressed_total", "Network device statistic receive_compressed."),
    ("node_network_receive_multicast_total", "Network device statistic receive_multicast."),
    ("node_network_transmit_bytes_total", "Network device statistic transmit_bytes."),
    ("node_network_transmit_packets_total", "Network device statistic transmit_packets."),
    ("node_network_transmit_errs_total", "Network device statistic transmit_errs."),
    ("node_network_transmit_drop_total", "Network device statistic transmit_drop."),
    ("node_network_transmit_fifo_total", "Network device statistic transmit_fifo."),
    ("node_network_transmit_colls_total", "Network device statistic transmit_colls."),
    ("node_network_transmit_carrier_total", "Network device statistic transmit_carrier."),
    ("node_network_transmit_compressed_total", "Network device statistic transmit_compressed."),
)


def parse_net_dev(text: str) -> dict[str, list[str]]:
    """Interface name -> its 16 counter columns, as strings."""
    stats = {}
    for line in text.splitlines()[2:]:
        name, sep, rest = line.partition(":")
        if not sep:
            continue
        values = rest.split()
        if len(values) != len(COLUMNS):
            raise ValueError(f"unexpected /proc/net/dev line for {name.strip()}: {len(values)} columns")
        stats[name.strip()] = values
    return stats


@register
class NetdevCollector(Collector):
    name = "netdev"
    DEVICE_INCLUDE, DEVICE_EXCLUDE = device_filter_options("netdev", "net devices", DEFAULT_DEVICE_EXCLUDE)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.ignored = device_filter(ctx.options, self.DEVICE_INCLUDE, self.DEVICE_EXCLUDE)

    def _nohandler(self, device: str) -> float | None:
        try:
            with open(self.paths.sys("class", "net", device, "statistics", "rx_nohandler"), "rb") as handle:
                return float(handle.read())
        except (OSError, ValueError):
            return None

    def update(self):
        stats = parse_net_dev(read_text(self.paths.proc("net", "dev")))
        families = [counter(name, help_text, labels=["device"]) for name, help_text in COLUMNS]
        nohandler = counter("node_network_receive_nohandler_total", "Network device statistic receive_nohandler.",
                            labels=["device"])
        for device, values in stats.items():
            if self.ignored(device):
                continue
            for family, value in zip(families, values, strict=True):
                family.add_metric([device], float(value))
            dropped = self._nohandler(device)
            if dropped is not None:
                nohandler.add_metric([device], dropped)
        yield from families
        if nohandler.rows:
            yield nohandler
