"""node_udp_queues: bytes queued in UDP sockets, summed over /proc/net/udp and /proc/net/udp6."""

from __future__ import annotations

import logging

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, NoDataError, register
from node_exporter.paths import read_text

log = logging.getLogger(__name__)


def queue_sums(text: str) -> tuple[int, int]:
    """(tx, rx): the hexadecimal tx_queue:rx_queue column of every socket line, summed."""
    tx = rx = 0
    for line in text.splitlines()[1:]:
        fields = line.split()
        if not fields:
            continue
        if len(fields) < 5:
            raise ValueError(f"short UDP socket line {line.strip()!r}")
        tx_text, _, rx_text = fields[4].partition(":")
        tx += int(tx_text, 16)
        rx += int(rx_text, 16)
    return tx, rx


@register
class UdpQueuesCollector(Collector):
    name = "udp_queues"

    def update(self):
        family = gauge("node_udp_queues", "Number of allocated memory in the kernel for UDP datagrams in bytes.",
                       ["queue", "ip"])
        missing = 0
        for ip, name in (("v4", "udp"), ("v6", "udp6")):
            try:
                tx, rx = queue_sums(read_text(self.paths.proc("net", name)))
            except FileNotFoundError:
                log.debug("not collecting %s based metrics", "ipv4" if ip == "v4" else "ipv6")
                missing += 1
                continue
            family.add_metric(["tx", ip], tx)
            family.add_metric(["rx", ip], rx)
        if missing == 2:
            raise NoDataError("neither /proc/net/udp nor /proc/net/udp6 exists")
        yield family
