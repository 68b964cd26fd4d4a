"""node_sockstat_*: socket counts and memory per protocol from /proc/net/sockstat and sockstat6."""

from __future__ import annotations

import contextlib
import os

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, NoDataError, register
from node_exporter.paths import read_text

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
# (protocol, field) -> (metric, HELP) for what the kernel writes in /proc/net/sockstat and sockstat6.
SERIES = {
    ("TCP", "inuse"): ("node_sockstat_TCP_inuse", "Number of TCP sockets in state inuse."),
    ("TCP", "orphan"): ("node_sockstat_TCP_orphan", "Number of TCP sockets in state orphan."),
    ("TCP", "tw"): ("node_sockstat_TCP_tw", "Number of TCP sockets in state tw."),
    ("TCP", "alloc"): ("node_sockstat_TCP_alloc", "Number of TCP sockets in state alloc."),
    ("TCP", "mem"): ("node_sockstat_TCP_mem", "Number of TCP sockets in state mem."),
    ("UDP", "inuse"): ("node_sockstat_UDP_inuse", "Number of UDP sockets in state inuse."),
    ("UDP", "mem"): ("node_sockstat_UDP_mem", "Number of UDP sockets in state mem."),
    ("UDPLITE", "inuse"): ("node_sockstat_UDPLITE_inuse", "Number of UDPLITE sockets in state inuse."),
    ("RAW", "inuse"): ("node_sockstat_RAW_inuse", "Number of RAW sockets in state inuse."),
    ("FRAG", "inuse"): ("node_sockstat_FRAG_inuse", "Number of FRAG sockets in state inuse."),
    ("FRAG", "memory"): ("node_sockstat_FRAG_memory", "Number of FRAG sockets in state memory."),
    ("TCP6", "inuse"): ("node_sockstat_TCP6_inuse", "Number of TCP6 sockets in state inuse."),
    ("UDP6", "inuse"): ("node_sockstat_UDP6_inuse", "Number of UDP6 sockets in state inuse."),
    ("UDPLITE6", "inuse"): ("node_sockstat_UDPLITE6_inuse", "Number of UDPLITE6 sockets in state inuse."),
    ("RAW6", "inuse"): ("node_sockstat_RAW6_inuse", "Number of RAW6 sockets in state inuse."),
    ("FRAG6", "inuse"): ("node_sockstat_FRAG6_inuse", "Number of FRAG6 sockets in state inuse."),
    ("FRAG6", "memory"): ("node_sockstat_FRAG6_memory", "Number of FRAG6 sockets in state memory."),
}
# mem is counted in pages; the Go exporter adds the byte figure: protocol -> (metric, HELP).
MEM_BYTES = {
    "TCP": ("node_sockstat_TCP_mem_bytes", "Number of TCP sockets in state mem_bytes."),
    "UDP": ("node_sockstat_UDP_mem_bytes", "Number of UDP sockets in state mem_bytes."),
}


def parse_sockstat(text: str) -> list[tuple[str, str, float]]:
    """'TCP: inuse 1 orphan 0 ...' -> [('TCP', 'inuse', 1.0), ...]; 'sockets: used N' -> ('sockets', 'used', N)."""
    rows = []
    for line in text.splitlines():
        protocol, sep, rest = line.partition(":")
        if not sep:
            continue
        parts = rest.split()
        if len(parts) % 2:
            raise ValueError(f"odd number of fields in sockstat line {line!r}")
        for key, value in zip(parts[::2], parts[1::2], strict=True):
            rows.append((protocol, key, float(value)))
    return rows


@register
class SockstatCollector(Collector):
    name = "sockstat"

    def update(self):
        try:
            rows = parse_sockstat(read_text(self.paths.proc("net", "sockstat")))
        except FileNotFoundError as exc:
            raise NoDataError("no /proc/net/sockstat") from exc
        with contextlib.suppress(FileNotFoundError):  # no IPv6 in this kernel
            rows += parse_sockstat(read_text(self.paths.proc("net", "sockstat6")))
        for protocol, key, value in rows:
            if protocol == "sockets":
                yield gauge("node_sockstat_sockets_used", "Number of IPv4 sockets in use.", value=value)
                continue
            name, help_text = SERIES.get((protocol, key)) or (
                # a protocol or field a newer kernel adds: the name comes from the data
                f"node_sockstat_{protocol}_{key}", f"Number of {protocol} sockets in state {key}.")
            yield gauge(name, help_text, value=value)
            if key == "mem":
                name, help_text = MEM_BYTES.get(protocol) or (
                    f"node_sockstat_{protocol}_mem_bytes", f"Number of {protocol} sockets in state mem_bytes.")
                yield gauge(name, help_text, value=value * PAGE_SIZE)
