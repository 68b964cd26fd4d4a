"""node_ipvs_*: IPVS (kernel load balancer) totals and per-backend connections from /proc/net/ip_vs*."""

from __future__ import annotations

import ipaddress

import click

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import counter, gauge
from node_exporter.collector import Collector, Context, NoDataError, register
from node_exporter.paths import read_text

BACKEND_LABELS = ("local_address", "local_port", "remote_address", "remote_port", "proto", "local_mark")
DEFAULT_BACKEND_LABELS = ",".join(BACKEND_LABELS)


def parse_backend_labels(_ctx, _param, value: str) -> list[str]:
    """The selected labels in Go's fixed order, duplicates and empty items dropped; unknown ones refused."""
    wanted = {label for label in value.split(",") if label}
    unknown = sorted(wanted - set(BACKEND_LABELS))
    if unknown:
        raise click.BadParameter(f"unknown IPVS backend labels: \"{', '.join(unknown)}\"")
    return [label for label in BACKEND_LABELS if label in wanted]


def parse_ip_port(text: str) -> tuple[str, int]:
    """'C0A80016:0CEA' (IPv4 in hex) or '[2620:0:...]:0CEA' -> ('192.168.0.22', 3306)."""
    if text.startswith("["):
        address, _, port = text[1:].partition("]:")
        return ipaddress.ip_address(address).compressed, int(port, 16)
    address, _, port = text.partition(":")
    if len(address) != 8:
        raise ValueError(f"unexpected IP:Port {text!r}")
    return str(ipaddress.IPv4Address(int(address, 16))), int(port, 16)


def parse_backends(text: str) -> list[dict[str, str | int]]:
    """One dict per real server: its service (address, port, protocol or firewall mark) and its counters."""
    backends = []
    service: dict[str, str | int] = {}
    for line in text.splitlines()[3:]:
        fields = line.split()
        if not fields:
            continue
        if fields[0] in ("TCP", "UDP", "SCTP"):
            if len(fields) < 2:
                raise ValueError(f"unexpected ip_vs service line {line!r}")
            address, port = parse_ip_port(fields[1])
            service = {"proto": fields[0], "local_address": address, "local_port": port, "local_mark": ""}
        elif fields[0] == "FWM":
            if len(fields) < 2:
                raise ValueError(f"unexpected ip_vs service line {line!r}")
            service = {"proto": "FWM", "local_address": "", "local_port": 0, "local_mark": fields[1]}
        elif fields[0] == "->":
            if len(fields) < 6:
                raise ValueError(f"unexpected ip_vs backend line {line!r}")
            address, port = parse_ip_port(fields[1])
            backends.append({**service, "remote_address": address, "remote_port": port, "weight": int(fields[3]),
                             "active": int(fields[4]), "inactive": int(fields[5])})
    return backends


@register
class IpvsCollector(Collector):
    name = "ipvs"
    BACKEND_LABELS = Option("--collector.ipvs.backend-labels", "ipvs_backend_labels",
                            parse_backend_labels(None, None, DEFAULT_BACKEND_LABELS),
                            help="Comma separated list for IPVS backend stats labels.", parse=parse_backend_labels,
                            flag_default=DEFAULT_BACKEND_LABELS)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        labels = self.BACKEND_LABELS.read(ctx.options)
        self.labels = list(BACKEND_LABELS) if labels is None else list(labels)

    def update(self):
        try:
            stats = read_text(self.paths.proc("net", "ip_vs_stats")).splitlines()
        except FileNotFoundError as exc:
            raise NoDataError("ipvs collector metrics are not available for this system") from exc
        if len(stats) < 3 or len(stats[2].split()) != 5:
            raise ValueError("ip_vs_stats corrupt: totals line not found")
        connections, packets_in, packets_out, bytes_in, bytes_out = (float(int(v, 16)) for v in stats[2].split())
        backends = parse_backends(read_text(self.paths.proc("net", "ip_vs")))
        yield counter("node_ipvs_connections_total", "The total number of connections made.", value=connections)
        yield counter("node_ipvs_incoming_packets_total", "The total number of incoming packets.", value=packets_in)
        yield counter("node_ipvs_outgoing_packets_total", "The total number of outgoing packets.", value=packets_out)
        yield counter("node_ipvs_incoming_bytes_total", "The total amount of incoming data.", value=bytes_in)
        yield counter("node_ipvs_outgoing_bytes_total", "The total amount of outgoing data.", value=bytes_out)
        # Backends sharing the selected label values are summed, as Go does when labels are left out.
        sums: dict[tuple[str, ...], list[int]] = {}
        for backend in backends:
            key = tuple(str(backend[label]) for label in self.labels)
            total = sums.setdefault(key, [0, 0, 0])
            total[0] += backend["active"]
            total[1] += backend["inactive"]
            total[2] += backend["weight"]
        active = gauge("node_ipvs_backend_connections_active",
                       "The current active connections by local and remote address.", labels=self.labels)
        inactive = gauge("node_ipvs_backend_connections_inactive",
                         "The current inactive connections by local and remote address.", labels=self.labels)
        weight = gauge("node_ipvs_backend_weight", "The current backend weight by local and remote address.",
                       labels=self.labels)
        for key, (active_count, inactive_count, weight_sum) in sums.items():
            active.add_metric(list(key), float(active_count))
            inactive.add_metric(list(key), float(inactive_count))
            weight.add_metric(list(key), float(weight_sum))
        yield from (family for family in (active, inactive, weight) if family.rows)
