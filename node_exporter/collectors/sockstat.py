"""node_sockstat_*: socket counts and memory per protocol from /proc/net/sockstat and sockstat6."""

from __future__ import annotations

import contextlib
import os

from exporter_toolkit.families import gauge
from node_exporter.collector import Context, NoDataError, register
from node_exporter.paths import read_text

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


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


@register("sockstat")
class SockstatCollector:
    def __init__(self, ctx: Context) -> None:
        self.paths = ctx.paths

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
            yield gauge(f"node_sockstat_{protocol}_{key}",
                                    f"Number of {protocol} sockets in state {key}.", value=value)
            if key == "mem":  # counted in pages; the Go exporter adds the byte figure
                yield gauge(f"node_sockstat_{protocol}_mem_bytes",
                                        f"Number of {protocol} sockets in state mem_bytes.", value=value * PAGE_SIZE)
