"""node_qdisc_*: statistics of each network device's root queueing discipline.

Production reads them with an rtnetlink RTM_GETQDISC dump (what Go's ema/qdisc does); with
--collector.qdisc.fixtures=DIR they come from DIR/results.json instead (Go's end-to-end test format).
"""

from __future__ import annotations

import json
import os
import socket
import struct

import click

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import counter, gauge
from node_exporter import netlink
from node_exporter.collector import Collector, Context, register
from node_exporter.options import regex

RTM_GETQDISC = 38
TCMSG = struct.Struct("=BxxxiIII")  # family, ifindex, handle, parent, info
TCA_KIND = 1
TCA_STATS = 3
TCA_STATS2 = 7
TCA_STATS_BASIC = 1
TCA_STATS_QUEUE = 3
TC_H_ROOT = 0xFFFFFFFF
STATS = struct.Struct("=QIIIIIII")  # tc_stats: bytes, packets, drops, overlimits, bps, pps, qlen, backlog
STATS_BASIC = struct.Struct("=QI")  # gnet_stats_basic: bytes, packets
STATS_QUEUE = struct.Struct("=IIIII")  # gnet_stats_queue: qlen, backlog, drops, requeues, overlimits
FIELDS = ("IfaceName", "Parent", "Kind", "Bytes", "Packets", "Drops", "Requeues", "Overlimits", "Qlen", "Backlog")


def from_fixtures(directory: str) -> list[dict]:
    """Go's QdiscInfo records from results.json; Go's JSON decoding matches field names case-insensitively."""
    with open(os.path.join(directory, "results.json"), "rb") as handle:
        records = json.load(handle)
    infos = []
    for record in records or ():
        lowered = {key.lower(): value for key, value in record.items()}
        infos.append({name: lowered.get(name.lower(), "" if name in ("IfaceName", "Kind") else 0)
                      for name in FIELDS})
    return infos


def from_netlink() -> list[dict]:
    infos = []
    payload = TCMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0)
    for body in netlink.request(socket.NETLINK_ROUTE, RTM_GETQDISC, netlink.NLM_F_DUMP, payload):
        _, ifindex, _, parent, _ = TCMSG.unpack_from(body)
        attrs = netlink.attributes(body[TCMSG.size:])
        info = dict.fromkeys(FIELDS, 0)
        try:
            info["IfaceName"] = socket.if_indextoname(ifindex)
        except OSError:
            continue  # the device went away during the dump
        info["Parent"] = 0 if parent == TC_H_ROOT else parent
        info["Kind"] = attrs.get(TCA_KIND, b"").rstrip(b"\0").decode()
        if TCA_STATS in attrs and len(attrs[TCA_STATS]) >= STATS.size:
            nbytes, packets, drops, overlimits, _, _, qlen, backlog = STATS.unpack_from(attrs[TCA_STATS])
            info.update(Bytes=nbytes, Packets=packets, Drops=drops, Overlimits=overlimits, Qlen=qlen,
                        Backlog=backlog)
        stats2 = netlink.attributes(attrs.get(TCA_STATS2, b""))
        if len(stats2.get(TCA_STATS_BASIC, b"")) >= STATS_BASIC.size:
            info["Bytes"], info["Packets"] = STATS_BASIC.unpack_from(stats2[TCA_STATS_BASIC])
        if len(stats2.get(TCA_STATS_QUEUE, b"")) >= STATS_QUEUE.size:
            (info["Qlen"], info["Backlog"], info["Drops"], info["Requeues"],
             info["Overlimits"]) = STATS_QUEUE.unpack_from(stats2[TCA_STATS_QUEUE])
        infos.append(info)
    return infos


def _device_filter(options: dict):
    """Go 1.5 spells the flags --collector.qdisk.*; later releases --collector.qdisc.* (qdisk kept as an alias)."""
    chosen = {}
    for kind, new_option, old_option in (
            ("include", QdiscCollector.DEVICE_INCLUDE, QdiscCollector.QDISK_DEVICE_INCLUDE),
            ("exclude", QdiscCollector.DEVICE_EXCLUDE, QdiscCollector.QDISK_DEVICE_EXCLUDE)):
        new, old = new_option.read(options), old_option.read(options)
        if new is not None and old is not None:
            raise click.UsageError(f"{old_option.flag} and {new_option.flag} are mutually exclusive")
        chosen[kind] = new if new is not None else old
    include, exclude = chosen["include"], chosen["exclude"]
    if include is not None and exclude is not None:
        raise click.UsageError("collector.qdisc.device-include and collector.qdisc.device-exclude are mutually "
                               "exclusive")
    if include is not None:
        return lambda name: include.search(name) is None
    if exclude is not None:
        return lambda name: exclude.search(name) is not None
    return lambda name: False


@register
class QdiscCollector(Collector):
    name = "qdisc"
    enabled_by_default = False
    FIXTURES = Option("--collector.qdisc.fixtures", "qdisc_fixtures", "",
                      help="test fixtures to use for qdisc collector end-to-end testing")
    DEVICE_INCLUDE = regex("--collector.qdisc.device-include", "qdisc_device_include", None,
                           "Regexp of qdisc devices to include (mutually exclusive to device-exclude).")
    DEVICE_EXCLUDE = regex("--collector.qdisc.device-exclude", "qdisc_device_exclude", None,
                           "Regexp of qdisc devices to exclude (mutually exclusive to device-include).")
    QDISK_DEVICE_INCLUDE = regex("--collector.qdisk.device-include", "qdisk_device_include", None,
                                 "Go 1.5's spelling of --collector.qdisc.device-include.")
    QDISK_DEVICE_EXCLUDE = regex("--collector.qdisk.device-exclude", "qdisk_device_exclude", None,
                                 "Go 1.5's spelling of --collector.qdisc.device-exclude.")

    def __init__(self, ctx: Context) -> None:
        self.fixtures = self.FIXTURES.read(ctx.options)
        self.ignored = _device_filter(ctx.options)

    def update(self):
        infos = from_fixtures(self.fixtures) if self.fixtures else from_netlink()
        labels = ["device", "kind"]
        families = (
            ("Bytes", counter("node_qdisc_bytes_total", "Number of bytes sent.", labels)),
            ("Packets", counter("node_qdisc_packets_total", "Number of packets sent.", labels)),
            ("Drops", counter("node_qdisc_drops_total", "Number of packets dropped.", labels)),
            ("Requeues", counter("node_qdisc_requeues_total",
                                 "Number of packets dequeued, not transmitted, and requeued.", labels)),
            ("Overlimits", counter("node_qdisc_overlimits_total", "Number of overlimit packets.", labels)),
            ("Qlen", gauge("node_qdisc_current_queue_length", "Number of packets currently in queue to be sent.",
                           labels)),
            ("Backlog", gauge("node_qdisc_backlog", "Number of bytes currently in queue to be sent.", labels)),
        )
        for info in infos:
            if info["Parent"] != 0 or self.ignored(info["IfaceName"]):  # root qdiscs only
                continue
            for field, family in families:
                family.add_metric([info["IfaceName"], info["Kind"]], float(info[field]))
        yield from (family for _, family in families if family.rows)
