"""node_network_route_info and node_network_routes: the main routing tables (IPv4 and IPv6) from an rtnetlink dump.

As Go 1.5: unicast routes only, one info series per route (per next hop of a multipath route), the device named
from the link list, and a count of routes per device.
"""

from __future__ import annotations

import ipaddress
import socket
import struct

from exporter_toolkit.families import gauge
from node_exporter import netlink
from node_exporter.collector import Collector, register

RTM_GETLINK = 18
RTM_GETROUTE = 26
IFINFOMSG = struct.Struct("=BxHiII")  # family, type, index, flags, change
IFLA_IFNAME = 3
RTMSG = struct.Struct("=BBBBBBBBI")  # family, dst_len, src_len, tos, table, protocol, scope, type, flags
RTN_UNICAST = 1
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_PREFSRC, RTA_MULTIPATH = 1, 4, 5, 6, 7, 9
RTNEXTHOP = struct.Struct("=HBBi")  # len, flags, hops, ifindex
PROTOCOLS = {0x00: "unspec", 0x01: "redirect", 0x02: "kernel", 0x03: "boot", 0x04: "static", 0x08: "gated",
             0x09: "ra", 0x0A: "mrt", 0x0B: "zebra", 0x0C: "bird", 0x0D: "dnrouted", 0x0E: "xorp", 0x0F: "ntk",
             0x10: "dhcp", 0x11: "mrouted", 0x2A: "babel", 0xBA: "bgp", 0xBB: "isis", 0xBC: "ospf", 0xBD: "rip",
             0xC0: "eigrp"}
LABELS = ["device", "src", "dest", "gw", "priority", "proto", "weight"]


def ip_text(raw: bytes | None) -> str:
    return str(ipaddress.ip_address(raw)) if raw else ""


def link_names() -> dict[int, str]:
    names = {}
    payload = IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0)
    for body in netlink.request(socket.NETLINK_ROUTE, RTM_GETLINK, netlink.NLM_F_DUMP, payload):
        index = IFINFOMSG.unpack_from(body)[2]
        names[index] = netlink.attributes(body[IFINFOMSG.size:]).get(IFLA_IFNAME, b"").rstrip(b"\0").decode()
    return names


def route_messages() -> list[bytes]:
    payload = RTMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0, 0, 0, 0, 0)
    return list(netlink.request(socket.NETLINK_ROUTE, RTM_GETROUTE, netlink.NLM_F_DUMP, payload))


def next_hops(data: bytes) -> list[tuple[int, int, bytes | None]]:
    """(ifindex, hops, gateway) of each rtnexthop of an RTA_MULTIPATH attribute."""
    hops, offset = [], 0
    while offset + RTNEXTHOP.size <= len(data):
        length, _, weight, ifindex = RTNEXTHOP.unpack_from(data, offset)
        if length < RTNEXTHOP.size:
            break
        attrs = netlink.attributes(data[offset + RTNEXTHOP.size:offset + length])
        hops.append((ifindex, weight, attrs.get(RTA_GATEWAY)))
        offset += netlink.align(length)
    return hops


def routes(messages: list[bytes], names: dict[int, str]) -> list[list[str]]:
    """Label values (LABELS order) of every unicast route's next hop."""
    found = []
    for body in messages:
        _, dst_len, _, _, _, protocol, _, kind, _ = RTMSG.unpack_from(body)
        if kind != RTN_UNICAST:
            continue
        attrs = netlink.attributes(body[RTMSG.size:])
        dst = attrs.get(RTA_DST)
        dest = f"{ip_text(dst)}/{dst_len}" if dst else "default"
        priority = str(struct.unpack("=I", attrs[RTA_PRIORITY][:4])[0]) if RTA_PRIORITY in attrs else "0"
        common = (ip_text(attrs.get(RTA_PREFSRC)), dest)
        proto = PROTOCOLS.get(protocol, "unknown")
        if RTA_MULTIPATH in attrs:
            for ifindex, hops, gateway in next_hops(attrs[RTA_MULTIPATH]):
                found.append([names.get(ifindex, ""), *common, ip_text(gateway), priority, proto, str(hops + 1)])
        else:
            oif = struct.unpack("=I", attrs[RTA_OIF][:4])[0] if RTA_OIF in attrs else 0
            found.append([names.get(oif, ""), *common, ip_text(attrs.get(RTA_GATEWAY)), priority, proto, ""])
    return found


@register
class NetworkRouteCollector(Collector):
    name = "network_route"
    enabled_by_default = False

    def update(self):
        info = gauge("node_network_route_info", "network routing table information", LABELS)
        per_device = gauge("node_network_routes", "network routes by interface", ["device"])
        counts: dict[str, int] = {}
        for labels in routes(route_messages(), link_names()):
            info.add_metric(labels, 1.0)
            counts[labels[0]] = counts.get(labels[0], 0) + 1
        for device, count in counts.items():
            per_device.add_metric([device], float(count))
        yield from (family for family in (info, per_device) if family.rows)
