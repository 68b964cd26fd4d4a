"""node_netstat_<Protocol>_<Field> from /proc/net/netstat, /proc/net/snmp and /proc/net/snmp6."""

from __future__ import annotations

import re

from prometheus_client.core import UntypedMetricFamily

from node_exporter.collector import Context, register
from node_exporter.options import regex_option
from node_exporter.paths import read_text

DEFAULT_FIELDS = (
    r"^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|"
    r"TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|"
    r"Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|"
    r"Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$"
)


def parse_paired(text: str) -> dict[str, dict[str, str]]:
    """netstat/snmp format: a 'Proto: names...' line followed by a 'Proto: values...' line."""
    stats: dict[str, dict[str, str]] = {}
    lines = text.splitlines()
    for header, values in zip(lines[::2], lines[1::2], strict=False):
        names, numbers = header.split(), values.split()
        if not names or names[0] != numbers[0] or len(names) != len(numbers):
            raise ValueError(f"mismatched netstat lines for {names[:1]}")
        stats.setdefault(names[0].rstrip(":"), {}).update(zip(names[1:], numbers[1:], strict=True))
    return stats


def parse_snmp6(text: str) -> dict[str, dict[str, str]]:
    """snmp6 format: 'Ip6InReceives 123'; the protocol is the name up to its first '6'."""
    stats: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        six = parts[0].find("6")
        if six == -1:
            continue
        stats.setdefault(parts[0][:six + 1], {})[parts[0][six + 1:]] = parts[1]
    return stats


@register("netstat", options=[
    regex_option("--collector.netstat.fields", "netstat_fields", DEFAULT_FIELDS,
                 "Regexp of fields to return for netstat collector."),
])
class NetstatCollector:
    def __init__(self, ctx: Context) -> None:
        self.paths = ctx.paths
        self.fields = ctx.options.get("netstat_fields") or re.compile(DEFAULT_FIELDS)
        self._selected: dict[str, bool] = {}  # the regex decision per key, remembered across scrapes

    def _wanted(self, key: str) -> bool:
        wanted = self._selected.get(key)
        if wanted is None:
            wanted = self._selected[key] = self.fields.search(key) is not None
        return wanted

    def _read(self, name: str, parser) -> dict[str, dict[str, str]]:
        try:
            return parser(read_text(self.paths.proc("net", name)))
        except FileNotFoundError:
            return {}

    def update(self):
        stats = parse_paired(read_text(self.paths.proc("net", "netstat")))
        for extra in (self._read("snmp", parse_paired), self._read("snmp6", parse_snmp6)):
            stats.update(extra)
        for protocol, fields in stats.items():
            for field, value in fields.items():
                key = f"{protocol}_{field}"
                if not self._wanted(key):
                    continue
                yield UntypedMetricFamily(f"node_netstat_{key}", f"Statistic {protocol}{field}.",
                                          value=float(value))
