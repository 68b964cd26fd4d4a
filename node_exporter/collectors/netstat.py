"""node_netstat_<Protocol>_<Field> from /proc/net/netstat, /proc/net/snmp and /proc/net/snmp6."""

from __future__ import annotations

from collections.abc import Iterator

from exporter_toolkit.families import untyped
from node_exporter.collector import Collector, Context, register
from node_exporter.options import FieldSelector, regex
from node_exporter.paths import read_text

DEFAULT_FIELDS = (
    r"^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|"
    r"TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|"
    r"Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|"
    r"Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$"
)


def parse_paired(text: str) -> Iterator[tuple[str, list[str], list[str]]]:
    """netstat/snmp format: a 'Proto: names...' line followed by a 'Proto: values...' line."""
    lines = text.splitlines()
    for header, values in zip(lines[::2], lines[1::2], strict=False):
        names, numbers = header.split(), values.split()
        if not names or names[0] != numbers[0] or len(names) != len(numbers):
            raise ValueError(f"mismatched netstat lines for {names[:1]}")
        yield header, names, numbers


def parse_snmp6(text: str) -> Iterator[tuple[str, str, str]]:
    """snmp6 format: 'Ip6InReceives 123'; the protocol is the name up to its first '6'."""
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        six = parts[0].find("6")
        if six != -1:
            yield parts[0][:six + 1], parts[0][six + 1:], parts[1]


@register
class NetstatCollector(Collector):
    name = "netstat"
    FIELDS = regex("--collector.netstat.fields", "netstat_fields", DEFAULT_FIELDS,
                   "Regexp of fields to return for netstat collector.")

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._wanted = FieldSelector(self.FIELDS.read(ctx.options))
        # Header line -> [(column, protocol, field)] wanted: the kernel's headers do not change between scrapes.
        self._columns: dict[str, list[tuple[int, str, str]]] = {}

    def _wanted_columns(self, header: str, names: list[str]) -> list[tuple[int, str, str]]:
        columns = self._columns.get(header)
        if columns is None:
            protocol = names[0][:-1]
            columns = self._columns[header] = [(index, protocol, field) for index, field in enumerate(names)
                                               if index and self._wanted(f"{protocol}_{field}")]
        return columns

    def update(self):
        # netstat is required; snmp and snmp6 may be absent (no IPv6). Later files win on a clash, as in Go.
        selected: dict[tuple[str, str], str] = {}
        for name in ("netstat", "snmp", "snmp6"):
            try:
                text = read_text(self.paths.proc("net", name))
            except FileNotFoundError:
                if name == "netstat":
                    raise
                continue
            if name == "snmp6":
                for protocol, field, value in parse_snmp6(text):
                    if self._wanted(f"{protocol}_{field}"):
                        selected[protocol, field] = value
                continue
            for header, names, numbers in parse_paired(text):
                for index, protocol, field in self._wanted_columns(header, names):
                    selected[protocol, field] = numbers[index]
        for (protocol, field), value in selected.items():
            # the names come from the data: the kernel's counters that --collector.netstat.fields picks
            yield untyped(f"node_netstat_{protocol}_{field}", f"Statistic {protocol}{field}.", value=float(value))
